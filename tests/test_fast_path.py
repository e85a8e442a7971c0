"""The import's fast path runs only on the Wagtail, modelsearch and django-treebeard versions its equivalence tests
passed on: on others, or with FAST_IMPORT off, an import takes Wagtail's public API and leaves the same pages,
revisions, history, live state, search entries and search results, and untested versions are reported at start-up
and at the import. Nothing but the fast path's own package reaches into its modules."""

import ast
import pkgutil
import warnings
from importlib.metadata import PackageNotFoundError
from unittest import mock

import pytest
from django.core.checks import run_checks
from django.db import transaction
from django.test import override_settings

from interventions import fast_path
from interventions.interchange.importer import import_document
from search.service import SearchParams, search_records
from tests.conftest import REPO
from tests.factories import document
from tests.test_bulk_import import existing_records, rich_record, written_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def install(monkeypatch):
    """Makes the packages' metadata say that these versions are installed ({package: version}, None when it is not
    installed), the others at the versions tested."""
    installed = {}

    def version(package):
        if installed.get(package, "") is None:
            raise PackageNotFoundError(package)
        return installed.get(package, fast_path.TESTED_WITH[package])

    def install(versions):
        installed.update(versions)
        fast_path.installed_versions.cache_clear()

    monkeypatch.setattr(fast_path, "version", version)
    install({})
    yield install
    fast_path.installed_versions.cache_clear()


@pytest.fixture
def fast_path_spies():
    """The fast path's writers, spied on while they run."""
    with (
        mock.patch.object(fast_path.publishing, "publish_new_pages", wraps=fast_path.publishing.publish_new_pages),
        mock.patch.object(fast_path.publishing, "publish_imported", wraps=fast_path.publishing.publish_imported),
        mock.patch.object(fast_path.indexing, "index_stored_pages", wraps=fast_path.indexing.index_stored_pages),
    ):
        yield [
            fast_path.publishing.publish_new_pages,
            fast_path.publishing.publish_imported,
            fast_path.indexing.index_stored_pages,
        ]


def new_and_changed_records(existing):
    changed = {**existing[1], "summary": "A changed summary."}
    retitled = {**existing[3], "title": "A new title"}
    newly_translated = {**existing[2], "translations": {**existing[2].get("translations", {}), "fr": {"title": "T"}}}
    return [existing[0], changed, retitled, newly_translated, rich_record(1), rich_record(2, translations={})]


def search_results():
    """Hits and facet counts of searches in two languages, as visitors get them."""
    results = []
    for params in [SearchParams(q="bulk programme", page_size=50), SearchParams(q="programa", lang="es", page_size=50)]:
        result = search_records(params)
        facets = {name: [(entry.value, entry.count) for entry in entries] for name, entries in result.facets.items()}
        results.append(([hit.slug for hit in result.hits], result.count, facets))
    return results


def state_after_import(records):
    """What importing the records leaves (keys that differ between two runs left out) and what searches then find;
    rolled back."""
    with transaction.atomic():
        report = import_document(document(*records))
        state = written_state([record["slug"] for record in records])
        results = search_results()
        transaction.set_rollback(True)
    return report, state, results


def test_on_untested_versions_an_import_warns_and_leaves_what_the_fast_path_leaves(install, fast_path_spies):
    existing = existing_records()
    import_document(document(*existing))
    for spy in fast_path_spies:
        spy.reset_mock()
    records = new_and_changed_records(existing)
    # On the versions tested: the fast path, and no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", fast_path.FastPathUnavailable)
        fast = state_after_import(records)
    assert all(spy.called for spy in fast_path_spies)
    report, state, results = fast
    assert len(report.created) == 2 and len(report.updated) == 3 and len(report.unchanged) == 1
    assert state["search"] and state["facets"] and state["references"]
    assert "bulk-1" in results[0][0] and "bulk-1" in results[1][0]
    for spy in fast_path_spies:
        spy.reset_mock()
    install({"wagtail": "8.1.0"})
    with pytest.warns(fast_path.FastPathUnavailable, match=r"wagtail 8\.1\.0 \(tested with 8\.0\.1\)"):
        public = state_after_import(records)
    assert not any(spy.called for spy in fast_path_spies)
    # History included: a retitled page's rename entry.
    assert public == fast


def test_off_in_settings_an_import_takes_the_public_path_without_a_warning(fast_path_spies):
    with warnings.catch_warnings():
        warnings.simplefilter("error", fast_path.FastPathUnavailable)
        with override_settings(FAST_IMPORT=False):
            report = import_document(document(rich_record(1)))
    assert report.created == ["bulk-1"]
    assert not any(spy.called for spy in fast_path_spies)


def test_untested_versions_are_reported_at_start_up(install):
    assert not [message for message in run_checks() if message.id == "interventions.W001"]
    install({"modelsearch": "1.4.0", "django-treebeard": None})
    (message,) = [message for message in run_checks() if message.id == "interventions.W001"]
    assert "modelsearch 1.4.0 (tested with 1.3.2)" in message.msg
    assert "django-treebeard (not installed) (tested with 5.3.1)" in message.msg
    assert "wagtail" not in message.msg.split(":")[0]


def test_the_tested_versions_are_those_requirements_pin():
    requirements = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    pins = dict(requirement.split("==") for requirement in requirements if requirement)
    assert {package: pins[package] for package in fast_path.TESTED_WITH} == fast_path.TESTED_WITH


def imported_modules(path):
    """The modules a source file imports, relative imports resolved, each `from x import y` as x and x.y."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_only_the_fast_paths_package_reaches_into_its_modules():
    fenced = REPO / "interventions" / "fast_path"
    sources = [
        path
        for path in REPO.rglob("*.py")
        if not path.is_relative_to(fenced)
        and not path.is_relative_to(REPO / "tests")
        and not any(part.startswith(".") for part in path.relative_to(REPO).parts)
    ]
    assert REPO / "search" / "signal_handlers.py" in sources
    fenced_modules = {f"interventions.fast_path.{module.name}" for module in pkgutil.iter_modules([str(fenced)])}
    assert "interventions.fast_path.search_entries" in fenced_modules
    reaching_in = {
        (str(path.relative_to(REPO)), module)
        for path in sources
        for module in imported_modules(path)
        if module in fenced_modules
    }
    assert reaching_in == set()
