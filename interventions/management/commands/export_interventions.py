import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.interchange import export_document


class Command(BaseCommand):
    help = "Export every published intervention, with its translations, as an interventions-v1 file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="Where to write; standard output when left out.")

    def handle(self, file, **options):
        document = export_document()
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if file is None:
            sys.stdout.write(text)
        else:
            file.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {len(document['interventions'])} interventions to {file}.")
