import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interventions.vocabulary_labels import import_labels, label_errors


class Command(BaseCommand):
    help = "Create or relabel vocabulary terms from a JSON file of labels in en, es, pt and fr."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        errors = label_errors(data)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{file} is not valid: {len(errors)} error(s); nothing was written.")
        created, updated = import_labels(data)
        self.stdout.write(f"{created} terms created, {updated} relabelled.")
