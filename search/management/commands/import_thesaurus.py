from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.json_files import read_valid_json
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
        data = read_valid_json(file, thesaurus_errors, self.stderr)
        report = import_thesaurus(data)
        self.stdout.write(f"Thesaurus: {report.summary()}.")
