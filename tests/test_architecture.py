"""The direction of dependencies between the apps (docs/architecture.md): site apps -> search -> the domain. The
contract is import-linter's, in pyproject.toml; these tests run it on the code, and on a copy of the code with one
import that breaks the direction, to show that it catches one."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from search.documents import read_documents
from search.record_types import RECORD_TYPES, load_results, record_type, register_record_types
from tests.factories import KnowledgeProductPageFactory, PillarPageFactory

PROJECT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env={"PYTHONPATH": str(project)}, capture_output=True, text=True
    )


def copy_of_the_code(destination):
    packages = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
    for package in packages:
        shutil.copytree(PROJECT / package, destination / package, ignore=shutil.ignore_patterns("*.pyc", "static"))
    shutil.copy(PROJECT / "pyproject.toml", destination)
    return destination


def test_every_app_imports_only_the_layers_below_it():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import"),
    [
        ("search/service.py", "from pillars.models import KnowledgeProductPage"),
        ("interventions/page_tree.py", "from home.models import HomePage"),
        ("interventions/models.py", "from search import service"),
        # An import inside a function, which once dodged a cycle, breaks the direction just as much.
        ("pillars/models.py", "def home_page():\n    from home.models import HomePage\n"),
    ],
)
def test_an_import_against_the_direction_breaks_the_contract(tmp_path, module, forbidden_import):
    project = copy_of_the_code(tmp_path)
    with (project / module).open("a") as source:
        source.write(f"\n{forbidden_import}\n")
    result = lint_imports(project)
    assert result.returncode != 0
    assert "1 broken" in result.stdout


@pytest.fixture
def only_interventions_searchable():
    register_record_types(["search.intervention_records.INTERVENTIONS"])
    yield
    register_record_types()


@pytest.mark.django_db
def test_search_lists_the_kinds_of_page_that_settings_name(only_interventions_searchable):
    product = KnowledgeProductPageFactory(parent=PillarPageFactory(), title="Guide to violence interrupters")

    assert list(RECORD_TYPES) == ["intervention"]
    assert record_type(product) == []
    assert load_results([product.pk]) == {}
    assert read_documents([product.pk]) == {}


@pytest.mark.django_db
def test_a_site_app_adds_a_kind_of_page_without_search_importing_it():
    product = KnowledgeProductPageFactory(parent=PillarPageFactory(), title="Guide to violence interrupters")

    assert list(RECORD_TYPES) == ["intervention", "knowledge_product"]
    assert record_type(product) == ["knowledge_product"]
    assert load_results([product.pk])[product.pk].pillar == product.pillar
    assert read_documents([product.pk])[product.pk].title == "Guide to violence interrupters"
