from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database and MEDIA_ROOT from a directory written by `backup`, after checking its checksums. "
        "Refuses a database or MEDIA_ROOT that is not empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A directory written by `manage.py backup`.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the database and MEDIA_ROOT even if they hold data."
        )

    def handle(self, directory, force, **options):
        try:
            manifest = restore(directory, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        made = f"{manifest['created']}, {manifest['interventions']} interventions"
        self.stdout.write(f"Restored the backup in {directory} ({made}).")
        if settings.ELASTICSEARCH_URL:
            self.stdout.write("Rebuild the Elasticsearch index from the restored database: manage.py update_index")
