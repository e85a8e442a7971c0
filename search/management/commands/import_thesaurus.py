import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from search.thesaurus_file import import_thesaurus, thesaurus_errors


class Command(BaseCommand):
    help = (
        "Create or update the search thesaurus (concepts and their labels in each language) from a JSON file, such "
        "as fixtures/thesaurus.json. Concepts are matched by name; concepts editors added that the file does not "
        "name are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        errors = thesaurus_errors(data)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{file} is not valid: {len(errors)} error(s); nothing was written.")
        report = import_thesaurus(data)
        self.stdout.write(f"Thesaurus: {report.summary()}.")
