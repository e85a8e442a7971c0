from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError

from interventions.review import due_for_review, edit_url, reminder_email, reminders, review_cutoff


class Command(BaseCommand):
    help = (
        "List the live interventions due for review (last reviewed REVIEW_INTERVAL_MONTHS months ago or earlier, or "
        "never) and email each editor the ones they edit. Meant for cron, e.g. monthly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help=f"Due after this many months (default: REVIEW_INTERVAL_MONTHS, {settings.REVIEW_INTERVAL_MONTHS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List the records and the emails; send nothing.")

    def handle(self, months, dry_run, **options):
        months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
        if months < 1:
            raise CommandError("--months must be at least 1.")
        cutoff = review_cutoff(months)
        pages = list(due_for_review(months))
        if not pages:
            self.stdout.write(f"No intervention is due for review (none last reviewed on or before {cutoff}).")
            return
        for page in pages:
            reviewed = page.last_reviewed.isoformat() if page.last_reviewed else "never reviewed"
            self.stdout.write(f"{page.title} ({page.locale.language_code}): {reviewed}  {edit_url(page)}")
        to_send, unattended = reminders(pages)
        for reminder in to_send:
            self.stdout.write(f"{'Would email' if dry_run else 'Emailing'} {reminder.address}: {len(reminder.pages)}")
        for page in unattended:
            self.stdout.write(f"No editor to email for {page.title} ({page.locale.language_code})")
        if not dry_run and to_send:
            get_connection().send_messages([reminder_email(reminder, months) for reminder in to_send])
        self.stdout.write(
            f"{plural(len(pages), 'intervention')} due for review (last reviewed on or before {cutoff}, or never); "
            f"{plural(len(to_send), 'email')} {'would be sent' if dry_run else 'sent'}; "
            f"{len(unattended)} with no editor to email."
        )


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"
