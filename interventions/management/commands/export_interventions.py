import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.interchange.exporter import document_text, export_records, source_pages


class Command(BaseCommand):
    help = "Export every published intervention, with its translations, as an interventions-v1 file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="Where to write; standard output when left out.")

    def handle(self, file, **options):
        if file is None:
            write_export(sys.stdout)
            return
        with file.open("w", encoding="utf-8") as output:
            written = write_export(output)
        self.stderr.write(f"Wrote {written} interventions to {file}.")


def write_export(output):
    """Writes every published intervention a record at a time, as they are read a batch at a time, so that a
    knowledge base of any size is exported in little memory; returns how many records it wrote."""
    written = 0

    def counted_records():
        nonlocal written
        for record in export_records(source_pages()):
            written += 1
            yield record

    output.writelines(document_text(counted_records(), indent=2))
    output.write("\n")
    return written
