"""The import writes search index entries with its own bulk statements for the database backends: they must be the
rows modelsearch's add_bulk writes for the same pages, byte for byte, new or replacing older ones; other backends get
their own add_bulk."""

from unittest import mock

import pytest
from django.db import connection, transaction
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from interventions.indexing import PREFETCHED
from interventions.models import InterventionPage
from interventions.search_entries import add_to_search_index
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db

ENTRY_COLUMNS = ["content_type", "object_id", "title", "autocomplete", "body", "title_norm"]


def entries(pages):
    """The pages' entries (PostgreSQL gives tsvectors in their full text form: lexemes, positions and weights), and
    on SQLite the rows of the full text table modelsearch's triggers keep beside them."""
    keys = [str(page.pk) for page in pages]
    columns = ENTRY_COLUMNS + (["title_text", "body_text"] if connection.vendor == "postgresql" else [])
    rows = IndexEntry.objects.filter(object_id__in=keys)
    state = {"entries": sorted(rows.values_list(*columns))}
    if connection.vendor == "sqlite":
        table = IndexEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT entry.content_type_id, entry.object_id, fts.title, fts.body, fts.autocomplete "
                f"FROM {table} entry JOIN {table}_fts fts ON fts.rowid = entry.id "
                f"WHERE entry.object_id IN ({', '.join(['%s'] * len(keys))})",
                keys,
            )
            state["fts"] = sorted(cursor.fetchall())
    return state


def entries_after(add, pages):
    with transaction.atomic():
        add(get_search_backend(), InterventionPage, pages)
        state = entries(pages)
        transaction.set_rollback(True)
    return state


def modelsearch_add_bulk(backend, model, pages):
    backend.add_bulk(model, pages)


@pytest.fixture
def pages(import_records):
    import_records(
        RecordFactory(
            slug="entries-rich",
            description_html="<p>Runs <strong>weekly</strong> &amp; <em>monthly</em>.</p>",
            also_known_as=["Alias one", "Alias two"],
            tags=["tag"],
            studies=[StudyFactory(key="first"), StudyFactory(key="second")],
            outcomes=[OutcomeFactory(study="first"), OutcomeFactory(domain="homicide", study="second")],
            translations={"es": {"title": "Programa rico", "summary": "Resumen propio"}},
        ),
        RecordFactory(slug="entries-bare", description_html=""),
    )
    return list(InterventionPage.get_indexed_objects().prefetch_related(*PREFETCHED).order_by("pk"))


def test_new_entries_are_those_modelsearch_writes(pages):
    IndexEntry.objects.filter(object_id__in=[str(page.pk) for page in pages]).delete()
    expected = entries_after(modelsearch_add_bulk, pages)
    assert len(expected["entries"]) == len(pages) > 10
    assert entries_after(add_to_search_index, pages) == expected


def test_replaced_entries_are_those_modelsearch_writes(pages):
    for page in pages[::2]:
        page.title = f"{page.title} revised"
        page.summary = ""
    expected = entries_after(modelsearch_add_bulk, pages)
    assert entries_after(add_to_search_index, pages) == expected
    assert expected != entries(pages)


def test_other_backends_add_their_own_way(pages):
    backend = mock.Mock()
    add_to_search_index(backend, InterventionPage, pages)
    backend.add_bulk.assert_called_once_with(InterventionPage, pages)
