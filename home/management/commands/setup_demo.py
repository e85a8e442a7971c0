import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from home.roles import setup_roles
from interventions.interchange.importer import import_text
from interventions.models import Pillar
from interventions.page_tree import ensure_page_tree
from interventions.vocabulary_labels import import_labels
from pillars.page_tree import ensure_collection, ensure_pillar_pages

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Create the page tree (with a page for each pillar), load the real demo records and knowledge products from "
        "fixtures/, set up the editorial roles and an admin user (password from DJANGO_SUPERUSER_PASSWORD, otherwise "
        "generated and printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--records",
            default=FIXTURES / "interventions.json",
            type=Path,
            help="interventions-v1 file of the records to load (default: fixtures/interventions.json)",
        )

    def handle(self, **options):
        ensure_page_tree()
        ensure_pillar_pages()
        import_labels(json.loads((FIXTURES / "vocabulary.json").read_text(encoding="utf-8")))
        call_command("import_thesaurus", str(FIXTURES / "thesaurus.json"), stdout=self.stdout)
        report = import_text(options["records"].read_text(encoding="utf-8"))
        self.stdout.write(f"Demo records: {report.summary()}")
        for locale in Locale.objects.all():
            for pillar in Pillar.objects.all():
                # A collection that the records themselves fill: what the search rates effective or promising.
                ensure_collection(
                    pillar,
                    locale,
                    slug="effective-and-promising",
                    title=_("Effective and promising interventions"),
                    saved_search=f"pillar={pillar.slug}&evidence_rating=effective&evidence_rating=promising",
                )
        # After the records: the products link to interventions.
        call_command("import_knowledge_products", str(FIXTURES / "knowledge_products.json"), stdout=self.stdout)
        self.stdout.write(f"Roles: {', '.join(setup_roles())}")
        # The records are found by their words at once, and by their meaning once their passages are embedded.
        call_command("embed_records", stdout=self.stdout)
        self.ensure_admin()

    def ensure_admin(self):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        User = get_user_model()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None and not password:
            self.stdout.write(f"Admin user '{username}' exists; its password is unchanged.")
            return
        password = password or secrets.token_urlsafe(12)
        if user is None:
            User.objects.create_superuser(username=username, email="", password=password)
        else:
            user.set_password(password)
            user.save()
        self.stdout.write(f"Admin: http://localhost:8000/admin/  user: {username}  password: {password}")
