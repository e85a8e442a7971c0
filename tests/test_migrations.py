"""Migrations carry the code they need as it was: a migration that imported the application's code would change,
or break, when that code does. Only model field classes are imported, as Django writes them."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from tests.conftest import REPO

APPS = ("home", "interventions", "pillars", "search")
PROJECT_IMPORT = re.compile(rf"^\s*(?:from|import)\s+((?:{'|'.join(APPS)})(?:\.\w+)*)", re.MULTILINE)
# Where a model field class of the project lives: a migration names the class its fields are made of.
FIELD_MODULES = {"interventions.fields"}


def test_no_migration_imports_application_code():
    imports = {
        f"{path.relative_to(REPO)}: {module}"
        for app in APPS
        for path in (REPO / app / "migrations").glob("*.py")
        for module in PROJECT_IMPORT.findall(path.read_text(encoding="utf-8"))
        if module not in FIELD_MODULES
    }
    assert imports == set()


@pytest.mark.django_db
def test_a_migrated_site_has_its_home_page_at_the_root_of_the_default_site():
    home = Site.objects.get(is_default_site=True).root_page.specific
    assert isinstance(home, HomePage)
    assert home.live and home.depth == 2 and home.locale == Locale.get_default()
    assert not Page.objects.filter(depth=2).exact_type(Page).exists()  # Wagtail's "Welcome" placeholder is gone


@pytest.mark.django_db
def test_the_home_page_migration_leaves_a_site_that_has_one_as_it_is():
    home_page_migration = importlib.import_module("home.migrations.0003_home_page")
    before = list(Page.objects.values_list("pk", "path", "numchild"))

    home_page_migration.create_home_page(django_apps, schema_editor=None)

    assert list(Page.objects.values_list("pk", "path", "numchild")) == before
