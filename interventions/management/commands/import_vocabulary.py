from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.json_files import read_valid_json
from interventions.vocabulary_labels import import_labels, label_errors


class Command(BaseCommand):
    help = "Create or relabel vocabulary terms from a JSON file of labels in en, es, pt and fr."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        data = read_valid_json(file, label_errors, self.stderr)
        created, updated = import_labels(data)
        self.stdout.write(f"{created} terms created, {updated} relabelled.")
