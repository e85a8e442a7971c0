"""Which interventions are due for review, and the reminders their editors get (manage.py review_reminders).

A live intervention is due when its evidence was last reviewed `REVIEW_INTERVAL_MONTHS` months ago or earlier, or
has no review date at all: a record nobody has dated is taken as never reviewed, which is the likeliest to be out of
date. Drafts that were never published are not due: they are still being written. Each language's page of a record
has its own date (translations are edited apart), so each is due on its own.

A page's editors are its owner and the authors of its revisions, among active users with an email address; a record
nobody has edited in the admin (an imported one) goes to `CONTACT_EMAIL`, the editors' address, where it is set.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from wagtail.models import Revision
from wagtail.users.models import UserProfile

from .models import InterventionPage


def review_cutoff(months=None, today=None):
    """The last review date that makes a record due: `months` before today."""
    months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
    return (today or timezone.localdate()) - relativedelta(months=months)


def due_condition(months=None, today=None):
    cutoff = review_cutoff(months, today)
    return Q(live=True) & (Q(last_reviewed__isnull=True) | Q(last_reviewed__lte=cutoff))


def due_for_review(months=None, today=None):
    """Live intervention pages due for review, the never reviewed first, then the longest unreviewed."""
    return (
        InterventionPage.objects.filter(due_condition(months, today))
        .select_related("locale", "owner")
        .order_by(F("last_reviewed").asc(nulls_first=True), "title", "locale__language_code")
    )


def page_editors(pages):
    """{page pk: set of user pks} of each page's owner and revision authors."""
    editors = defaultdict(set)
    for page in pages:
        if page.owner_id:
            editors[page.pk].add(page.owner_id)
    revisions = Revision.objects.page_revisions().filter(
        object_id__in=[str(page.pk) for page in pages], user__isnull=False
    )
    for object_id, user_id in revisions.values_list("object_id", "user_id").distinct():
        editors[int(object_id)].add(user_id)
    return editors


@dataclass
class Reminder:
    """One email: its recipient (a user, or None for CONTACT_EMAIL) and the pages due that they edit."""

    address: str
    user: object = None
    pages: list = field(default_factory=list)


def reminders(pages):
    """The reminders to send for these due pages, one per editor, and the pages no one can be reminded of."""
    editors = page_editors(pages)
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={pk for pks in editors.values() for pk in pks}, is_active=True)
        .exclude(email="")
    }
    by_user, unattended = {}, []
    for page in pages:
        recipients = [users[pk] for pk in sorted(editors.get(page.pk, ())) if pk in users]
        for user in recipients:
            by_user.setdefault(user.pk, Reminder(user.email, user)).pages.append(page)
        if not recipients:
            unattended.append(page)
    result = sorted(by_user.values(), key=lambda reminder: reminder.address)
    if unattended and settings.CONTACT_EMAIL:
        result.append(Reminder(settings.CONTACT_EMAIL, None, unattended))
        unattended = []
    return result, unattended


def edit_url(page):
    return urljoin(settings.WAGTAILADMIN_BASE_URL, reverse("wagtailadmin_pages:edit", args=[page.pk]))


def reminder_email(reminder, months):
    """The email, in the editor's admin language (the site's for CONTACT_EMAIL)."""
    language = UserProfile.get_for_user(reminder.user).get_preferred_language() if reminder.user else None
    with translation.override(language or settings.LANGUAGE_CODE):
        count = len(reminder.pages)
        subject = ngettext(
            "%(count)d intervention is due for review",
            "%(count)d interventions are due for review",
            count,
        ) % {"count": count}
        body = render_to_string(
            "interventions/email/review_reminder.txt",
            {
                "user": reminder.user,
                "months": months,
                "pages": [(page, edit_url(page)) for page in reminder.pages],
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )
    return EmailMessage(subject, body, None, [reminder.address])
