from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from interventions.interchange.importer import import_text
from interventions.interchange.validation import InvalidFile
from interventions.page_tree import ensure_page_tree


class Command(BaseCommand):
    help = (
        "Import intervention records from an interventions-v1 file. Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Path of the interventions-v1 JSON file.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, then write nothing.")

    def handle(self, file, dry_run, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            with transaction.atomic():
                # A freshly migrated site has no pages for the records to go under: the command creates them (the
                # import itself never does), in the import's transaction, so an invalid file or a dry run leaves none.
                ensure_page_tree()
                report = import_text(text, dry_run=dry_run)
                if dry_run:
                    transaction.set_rollback(True)
        except InvalidFile as invalid:
            for error in invalid.errors:
                self.stderr.write(error)
            raise CommandError(f"{file} is not valid: {len(invalid.errors)} error(s); nothing was written.") from None
        for term in report.new_terms:
            self.stdout.write(f"new vocabulary term: {term}")
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(prefix + report.summary())
        if not (report.created or report.updated):
            self.stdout.write("Nothing changed.")
