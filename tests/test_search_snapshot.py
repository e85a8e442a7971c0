"""Searches read facet rows, visible pages and orderings from a snapshot in memory, rebuilt whenever their version
changes: a search with nothing changed reads none of those rows, and a change, committed or rolled back, is never
missed."""

from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from interventions.models import Pillar
from search.models import FacetValue, SearchDataVersion, VisiblePage
from search.service import SearchParams, search_records
from search.text import text_match
from tests.factories import RecordFactory, ThesaurusConceptFactory

pytestmark = pytest.mark.django_db


def search(**params):
    return search_records(SearchParams(page_size=100, **params))


def slugs(**params):
    return [hit.slug for hit in search(**params).hits]


def tables_read(**params):
    with CaptureQueriesContext(connection) as queries:
        search(**params)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return {model._meta.db_table for model in (FacetValue, VisiblePage) if model._meta.db_table in sql}


@pytest.fixture
def records(import_records):
    return import_records(
        RecordFactory(slug="alpha", title="Alpha quorblat patrols", countries=["BR"]),
        RecordFactory(slug="beta", title="Beta quorblat patrols", countries=["CO"]),
    )


def test_a_search_with_nothing_changed_reads_no_facet_or_visibility_rows(records):
    rows = {FacetValue._meta.db_table, VisiblePage._meta.db_table}
    assert tables_read(q="quorblat", filters={"country": ("BR",)}) == rows
    assert tables_read(q="quorblat", filters={"country": ("BR",)}) == set()
    assert tables_read(filters={"country": ("CO",)}, sort="title") == set()


def test_every_change_gives_the_search_data_a_new_version(records):
    search()
    before = SearchDataVersion.objects.get().token
    records[0].title = "Zulu quorblat patrols"
    records[0].save_revision().publish()
    assert SearchDataVersion.objects.get().token != before
    assert slugs(q="quorblat", sort="title") == ["beta", "alpha"]


def test_a_rolled_back_change_is_not_taken_for_the_current_data(records):
    with transaction.atomic():
        records[1].unpublish()
        assert slugs(q="quorblat") == ["alpha"]
        transaction.set_rollback(True)
    assert sorted(slugs(q="quorblat")) == ["alpha", "beta"]


def test_a_slow_text_index_is_rebuilt_in_the_background_while_visibility_stays_current(
    import_records, monkeypatch, settings
):
    from search import snapshot

    settings.SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS = 1.0
    (kept, withdrawn) = import_records(
        RecordFactory(slug="kept", title="Quorbel patrols"), RecordFactory(slug="withdrawn", title="Quorbel courts")
    )
    assert set(slugs(q="quorbel")) == {"kept", "withdrawn"}
    # As if the text index had taken seconds to build, as at ten thousand records.
    monkeypatch.setattr(snapshot, "_text_index", replace(snapshot._text_index, seconds_per_page=10.0))
    rebuilds = []
    monkeypatch.setattr(snapshot, "rebuild_in_background", rebuilds.append)
    withdrawn.unpublish()
    import_records(RecordFactory(slug="added", title="Quorbel schools"))
    # The search answers at once from the text index before: the new record's words are not matched yet, but the
    # unpublished one is gone, since what visitors may see comes from the snapshot, rebuilt at once.
    assert slugs(q="quorbel") == ["kept"]
    assert rebuilds == [SearchDataVersion.objects.get().token]
    # The rebuild, as the background thread runs it, brings the new record's words in.
    snapshot._text_index = snapshot.build_text_index(rebuilds[0], snapshot._text_index)
    assert set(slugs(q="quorbel")) == {"kept", "added"}


QUERIES = ["quorbel patrols", "quorbell", "mentoring", "firearm", "arma", "juvenile mentoring schools", "violent"]


def relevance(text_index):
    """{(query, language): {key: score}} of a few queries, typos, synonyms and other languages among them."""
    return {
        (query, language): {key: score for key, score in scores_of(query, language, text_index).items()}
        for query in QUERIES
        for language in ("en", "es")
    }


def scores_of(query, language, text_index):
    match = text_match(query, language, text_index)
    return match.scores(list(match.keys))


def test_a_text_index_updated_after_changes_scores_every_page_as_one_built_afresh(import_records, monkeypatch):
    from search import snapshot

    # The index this process holds may come from a test whose writes were rolled back since (vectors of the fixture
    # records included), which no search sees in production: this one starts from an index of this test's data.
    monkeypatch.setattr(snapshot, "_text_index", None)
    translations = {"es": {"title": "Patrullas Quorbel de mentores"}}
    pages = import_records(
        RecordFactory(slug="first", title="Quorbel patrols", summary="Mentoring for juvenile offenders."),
        RecordFactory(slug="second", title="Quorbel schools", translations=translations),
        RecordFactory(slug="third", title="Firearm buyback", summary="Guns handed in."),
        RecordFactory(slug="fourth", title="Violent crime mentoring"),
    )
    search(q="quorbel")
    held = snapshot._text_index
    first, second, third, fourth = pages
    first.title, first.summary = "Quorbel street patrols", "Mentoring and patrols for schools."
    first.save_revision().publish()
    third.unpublish()
    fourth.delete()
    import_records(RecordFactory(slug="fifth", title="Quorbell mentoring schools"))
    pillar = Pillar.objects.get(slug="protecting-vulnerable-populations")
    pillar.labels["en"] = "Juvenile protection"
    pillar.save()
    ThesaurusConceptFactory(labels={"en": ["firearm", "gun"], "es": ["arma de fuego"]})
    second.get_translation(Locale.objects.get(language_code="es")).unpublish()
    search(q="quorbel")
    updated = snapshot._text_index
    assert updated.lexical is not held.lexical and updated.versions != held.versions
    afresh = snapshot.build_text_index(updated.token)
    assert relevance(updated) == relevance(afresh)
    assert any(scores for scores in relevance(afresh).values())
