from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump -Fc), MEDIA_ROOT and the interventions-v1 export "
        "into a new directory, with a manifest of checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A new or empty directory.")

    def handle(self, directory, **options):
        try:
            manifest = back_up(directory)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = ", ".join(f"{name} ({entry['bytes']:,} bytes)" for name, entry in manifest["files"].items())
        self.stdout.write(f"Backed up {manifest['interventions']} interventions to {directory}: {files}.")
