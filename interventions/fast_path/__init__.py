"""How an import publishes and indexes intervention pages: the fast path, with a fallback to Wagtail's public API.
Nothing outside this package imports its modules; callers use the functions here.

An import writes thousands of pages. Through Wagtail's public API (add_child, save_revision, publish, and the index
updates of each save) each new page costs about a hundred statements. The modules of this package write what that
API leaves with a few statements for all the pages, and to do so they reproduce internals of Wagtail (revisions,
history, reference extraction), django-treebeard (tree paths) and modelsearch (search entries, title norms): see
publishing, indexing, search_entries and bulk. Their equivalence tests (tests/test_bulk_import.py,
test_import_indexing.py, test_search_entries.py, test_bulk_writes.py, test_fast_path.py) compare what they leave
with what the public API leaves, row by row.

Internals change without notice between releases, so the fast path only runs on the versions those tests passed on,
TESTED_WITH, which requirements.txt pins. On any other version, or with the FAST_IMPORT setting off, the same
functions take the public path (a save_revision().publish() per page, the search backends' add_bulk and Wagtail's
reference index), slower but right whatever the versions; a system check says so at start-up, and a warning at the
first import. To upgrade one of these packages: install it, set its version here, run those tests on SQLite and
PostgreSQL, make the fast path leave what the public path leaves again, and pin the version in requirements.txt.
"""

import warnings
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple

from django.conf import settings
from django.core import checks
from wagtail.models import Page, ReferenceIndex
from wagtail.search.backends import get_search_backends

from ..indexing import INDEX_BATCH_SIZE, PREFETCHED, pages_indexed
from ..models import InterventionPage
from . import indexing, publishing
from .bulk import insert_rows
from .search_entries import add_to_search_index

__all__ = [
    "TESTED_WITH",
    "FastPathUnavailable",
    "NewPage",
    "check_tested_versions",
    "index_objects",
    "index_pages",
    "insert_rows",
    "publish_imported",
    "publish_new_pages",
]

# The versions of the packages whose internals the fast path reproduces that its equivalence tests passed on.
TESTED_WITH = {"wagtail": "8.0.1", "modelsearch": "1.3.2", "django-treebeard": "5.3.1"}


class FastPathUnavailable(RuntimeWarning):
    """The installed packages are not those the fast path was tested with: imports take the public path."""


class NewPage(NamedTuple):
    """An unsaved intervention page with its fields, terms and children set in memory, as the admin's form leaves it
    before the first save; `is_translation` when another page of its translation_key is written before it."""

    page: InterventionPage
    parent: Page
    is_translation: bool


@cache
def installed_versions():
    """The installed version of each package of TESTED_WITH (None if it is not installed), read once: the code
    loaded is that of the versions installed when the process started."""
    versions = {}
    for package in TESTED_WITH:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions


def untested_versions():
    """The installed version of each package that is not at the version the fast path was tested with."""
    installed = installed_versions()
    return {package: installed[package] for package, tested in TESTED_WITH.items() if installed[package] != tested}


def untested_versions_message(untested):
    found = ", ".join(
        f"{package} {installed or '(not installed)'} (tested with {TESTED_WITH[package]})"
        for package, installed in untested.items()
    )
    return f"The import's fast path was not tested with {found}: imports take Wagtail's public path, which is slower."


def check_tested_versions(**kwargs):
    """A system check: the fast path is off on versions it was not tested with."""
    untested = untested_versions()
    if not untested:
        return []
    return [
        checks.Warning(
            untested_versions_message(untested),
            hint="Run the fast path's equivalence tests with these versions, then update TESTED_WITH in "
            "interventions/fast_path/__init__.py and the pins in requirements.txt.",
            id="interventions.W001",
        )
    ]


def fast_path_enabled():
    if not settings.FAST_IMPORT:
        return False
    untested = untested_versions()
    if untested:
        # Shown once per process with Python's default warning filters.
        warnings.warn(untested_versions_message(untested), FastPathUnavailable, stacklevel=3)
        return False
    return True


def publish_imported(page):
    """Publishes a stored page whose fields, terms and children are set in memory, with the revision, history entry
    and page_published signal of a publish from the admin. Inside `deferred_indexing()`: its search entry, reference
    index and facet rows are left to `index_pages`."""
    if fast_path_enabled():
        publishing.publish_imported(page)
    else:
        page.save_revision().publish()


def publish_new_pages(new_pages):
    """Adds each page of `new_pages` (NewPage, in file order) under its parent, publishes it as the admin does, and
    rebuilds its search entry, reference index and facet rows."""
    if not new_pages:
        return
    if fast_path_enabled():
        publishing.publish_new_pages(new_pages)
        return
    for new in new_pages:
        new.parent.add_child(instance=new.page)
        new.page.save_revision().publish()
    index_pages([new.page for new in new_pages])


def index_pages(pages):
    """Rebuilds what each save would have rebuilt, for many stored pages at once, read again with what the indexes
    read prefetched: their search entries, their reference index rows, and through `pages_indexed` whatever other
    apps keep in step (search's facet rows)."""
    fast = fast_path_enabled()
    keys = [page.pk for page in pages]
    for start in range(0, len(keys), INDEX_BATCH_SIZE):
        indexed = InterventionPage.get_indexed_objects().prefetch_related(*PREFETCHED)
        batch = list(indexed.filter(pk__in=keys[start : start + INDEX_BATCH_SIZE]))
        if fast:
            indexing.index_stored_pages(batch)
        else:
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(InterventionPage, batch)
            for page in batch:
                ReferenceIndex.create_or_update_for_object(page)
        pages_indexed.send(sender=InterventionPage, pages=batch)


def index_objects(model, objects):
    """The search entries of other stored pages (a pillar's knowledge products when the pillar is relabelled), in a
    few statements for all of them."""
    fast = fast_path_enabled()
    for backend in get_search_backends(with_auto_update=True):
        if fast:
            add_to_search_index(backend, model, objects)
        else:
            backend.add_bulk(model, objects)
