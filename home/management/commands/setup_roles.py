from django.core.management.base import BaseCommand

from home.roles import setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the editors, reviewers and per-pillar working groups, their page permissions and the "
        "intervention review workflow. Run it again after adding a language or a pillar page."
    )

    def handle(self, **options):
        for name, group in setup_roles().items():
            pages = group.page_permissions.values("page").distinct().count()
            self.stdout.write(f"{name}: permissions on {pages} page(s)")
