"""Migrations carry the code they need as it was: a migration that imported the application's code would change,
or break, when that code does. Only model field classes are imported, as Django writes them."""

import re

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
