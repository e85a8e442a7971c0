"""The import writes search index entries with its own bulk statements for the database backends: they must be the
rows modelsearch's add_bulk writes for the same pages, byte for byte, new or replacing older ones; other backends get
their own add_bulk."""

from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from interventions.fast_path.search_entries import add_to_search_index
from interventions.indexing import PREFETCHED
from interventions.models import InterventionPage
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db

ENTRY_COLUMNS = ["content_type", "object_id", "title", "autocomplete", "body", "title_norm"]


def entries():
    """Every entry of the index, the pages' and the others' whose title norms a write may refresh (PostgreSQL gives
    tsvectors in their full text form: lexemes, positions and weights), and on SQLite the rows of the full text table
    modelsearch's triggers keep beside them."""
    columns = ENTRY_COLUMNS + (["title_text", "body_text"] if connection.vendor == "postgresql" else [])
    state = {"entries": sorted(IndexEntry.objects.values_list(*columns))}
    if connection.vendor == "sqlite":
        table = IndexEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT entry.content_type_id, entry.object_id, fts.title, fts.body, fts.autocomplete "
                f"FROM {table} entry JOIN {table}_fts fts ON fts.rowid = entry.id"
            )
            state["fts"] = sorted(cursor.fetchall())
    return state


def entries_after(add, pages):
    with transaction.atomic():
        add(get_search_backend(), InterventionPage, pages)
        state = entries()
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
    return indexed_pages()


def indexed_pages():
    return list(InterventionPage.get_indexed_objects().prefetch_related(*PREFETCHED).order_by("pk"))


@pytest.fixture
def many_pages(pages, import_records):
    """More pages, in both languages, with titles of many lengths: a new entry's title norm depends on the average
    length of the titles written with it and before it."""
    import_records(
        *(
            RecordFactory(
                slug=f"entries-{number}",
                title=" ".join(["Community violence prevention", *["programme"] * number]),
                description_html=f"<p>Meets {number} times a month.</p>" if number % 2 else "",
                translations={"es": {"title": f"Prevención comunitaria {number}"}} if number % 3 == 0 else {},
            )
            for number in range(1, 11)
        )
    )
    return indexed_pages()


def test_new_entries_are_those_modelsearch_writes(many_pages):
    IndexEntry.objects.filter(object_id__in=[str(page.pk) for page in many_pages]).delete()
    others = entries()["entries"]
    expected = entries_after(modelsearch_add_bulk, many_pages)
    assert len(expected["entries"]) == len(others) + len(many_pages) and len(many_pages) > 10
    assert entries_after(add_to_search_index, many_pages) == expected


def test_older_entries_left_at_the_first_title_norm_are_refreshed_as_modelsearch_refreshes_them(pages):
    older, *written = pages
    page_entries = IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(InterventionPage))
    page_entries.filter(object_id__in=[str(page.pk) for page in written]).delete()
    older_entry = page_entries.get(object_id=str(older.pk))
    page_entries.filter(pk=older_entry.pk).update(title_norm=1.0)
    expected = entries_after(modelsearch_add_bulk, written)
    assert entries_after(add_to_search_index, written) == expected
    refreshed = next(row for row in expected["entries"] if row[:2] == (older_entry.content_type_id, str(older.pk)))
    assert refreshed[ENTRY_COLUMNS.index("title_norm")] != 1.0


def test_replaced_entries_are_those_modelsearch_writes(pages):
    for page in pages[::2]:
        page.title = f"{page.title} revised"
        page.summary = ""
    expected = entries_after(modelsearch_add_bulk, pages)
    assert entries_after(add_to_search_index, pages) == expected
    assert expected != entries()


def test_other_backends_add_their_own_way(pages):
    backend = mock.Mock()
    add_to_search_index(backend, InterventionPage, pages)
    backend.add_bulk.assert_called_once_with(InterventionPage, pages)
