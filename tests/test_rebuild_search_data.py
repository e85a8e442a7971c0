"""What the search derives from the pages it finds (facet rows, visible pages, document versions, the search data's
version) is kept in step by signals, in batches when a vocabulary term changes, and `rebuild_search_data` rebuilds it
whole to what the signals leave."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale
from wagtail.search import index
from wagtail.search.models import IndexEntry

from interventions.interchange.importer import import_document
from interventions.models import InterventionPage, InterventionType, OutcomeDomain, Pillar
from pillars.models import PillarPage
from search import rebuild, snapshot
from search.models import DocumentVersion, FacetValue, SearchDataVersion, VisiblePage
from search.service import SearchParams, search_records
from search.signal_handlers import index_facet_values
from tests.factories import (
    KnowledgeProductPageFactory,
    OutcomeFactory,
    PageViewRestrictionFactory,
    PillarPageFactory,
    RecordFactory,
    document,
)

pytestmark = pytest.mark.django_db


def derived_rows():
    """The rows the signals keep, as plain values: the versions' tokens are new at every change, so which pages have
    a document version stands for them."""
    return {
        "facet_values": sorted(FacetValue.objects.values_list("page_id", "facet", "value")),
        "visible_pages": sorted(VisiblePage.objects.values_list("page_id", "language")),
        "document_versions": sorted(DocumentVersion.objects.values_list("page_id", flat=True)),
    }


def run_rebuild():
    output = io.StringIO()
    call_command("rebuild_search_data", stdout=output)
    return output.getvalue()


@pytest.fixture
def records(import_records):
    """Pages of every kind whose rows differ: translated, unpublished, private, and a knowledge product."""
    translated, draft, private = import_records(
        RecordFactory(slug="rebuilt-translated", countries=["BR"], translations={"es": {"title": "Traducida"}}),
        RecordFactory(slug="rebuilt-draft", countries=["CO"], evidence_rating="effective"),
        RecordFactory(slug="rebuilt-private", outcomes=[OutcomeFactory(domain="homicide", study="main-study")]),
    )
    draft.unpublish()
    PageViewRestrictionFactory(page=private)
    spanish = translated.get_translation(Locale.objects.get(language_code="es"))
    spanish.title = "Traducida y revisada"
    spanish.save_revision().publish()
    KnowledgeProductPageFactory(parent=PillarPageFactory(), title="Rebuilt guide")
    return translated, draft, private


@pytest.mark.parametrize("damage", ["wiped", "corrupted"])
def test_the_rebuild_gives_back_what_the_signals_left(records, damage):
    translated, draft, private = records
    left_by_signals = derived_rows()
    assert {page.pk for page in records} <= {key for key, _facet, _value in left_by_signals["facet_values"]}
    if damage == "wiped":
        FacetValue.objects.all().delete()
        VisiblePage.objects.all().delete()
        DocumentVersion.objects.all().delete()
    else:
        FacetValue.objects.filter(page=translated, facet="country").update(value="XX")
        FacetValue.objects.create(page=draft, facet="pillar", value="no-such-pillar")
        VisiblePage.objects.create(page=private, language="fr")
        VisiblePage.objects.filter(page=translated).delete()
    assert derived_rows() != left_by_signals

    output = run_rebuild()

    assert derived_rows() == left_by_signals
    assert f"Facet rows: {len(left_by_signals['facet_values'])}." in output


def test_running_it_again_writes_the_same_rows(records):
    run_rebuild()
    once = derived_rows()
    run_rebuild()
    assert derived_rows() == once


def test_it_gives_the_search_data_and_every_document_a_new_version_so_that_running_processes_reload(records):
    translated, _draft, _private = records
    search = search_records(SearchParams(filters={"country": ("BR",)}, page_size=100))
    assert "rebuilt-translated" in [hit.slug for hit in search.hits]
    held = snapshot.current_snapshot()
    versions = dict(DocumentVersion.objects.values_list("page_id", "token"))
    # Rows changed behind the signals' back: the token stays, so a process keeps what it holds in memory.
    FacetValue.objects.filter(page=translated, facet="country").delete()
    assert snapshot.current_snapshot() is held

    run_rebuild()

    assert SearchDataVersion.objects.get().token != held.token
    reloaded = snapshot.current_snapshot()
    assert reloaded is not held and translated.pk in reloaded.keys_with("country", ["BR"])
    renewed = dict(DocumentVersion.objects.values_list("page_id", "token"))
    assert renewed.keys() == versions.keys() and not any(renewed[key] == versions[key] for key in versions)


def test_a_failure_midway_leaves_every_row_as_it_was(records, monkeypatch):
    before = derived_rows()
    token = SearchDataVersion.objects.get().token

    def fail(translation_keys):
        raise RuntimeError("visibility failed")

    monkeypatch.setattr(rebuild, "rebuild_visibility", fail)
    with pytest.raises(RuntimeError):
        run_rebuild()
    assert derived_rows() == before
    assert SearchDataVersion.objects.get().token == token


# A vocabulary term's pages, re-indexed when it is relabelled.

RECORD_FIELDS = {Pillar: "pillars", InterventionType: "intervention_types"}


def index_entries():
    """Every entry of the search index, as the backend stores it."""
    return sorted(IndexEntry.objects.values_list("content_type", "object_id", "title", "autocomplete", "body"))


def add_pages(kind, count):
    """The term of this kind the tests relabel, with `count` more interventions that have it and, when it is a
    pillar, a knowledge product for each two of them. Pillars are a fixed list: this one has the fewest records."""
    slug = "disrupting-illicit-markets" if kind is Pillar else f"relabelled-{kind.__name__.lower()}"
    if kind is OutcomeDomain:
        records = [RecordFactory(outcomes=[OutcomeFactory(domain=slug, study="main-study")]) for _ in range(count)]
    else:
        records = [RecordFactory(**{RECORD_FIELDS[kind]: [slug]}) for _ in range(count)]
    import_document(document(*records))
    term = kind.objects.get(slug=slug)
    if kind is Pillar:
        pillar_page = PillarPage.objects.filter(pillar=term).first() or PillarPageFactory(pillar=term)
        for _ in range(count // 2):
            KnowledgeProductPageFactory(parent=pillar_page)
    return term


def index_page_by_page(term):
    """What the handler did before it indexed in batches."""
    if isinstance(term, OutcomeDomain):
        pages = list(InterventionPage.objects.filter(outcomes__domain=term).distinct())
    else:
        pages = list(term.interventions.all())
    if isinstance(term, Pillar):
        pages += term.knowledge_products.all()
    for page in pages:
        index_facet_values(page)
        index.insert_or_update_object(page)


@pytest.mark.parametrize("kind", [Pillar, InterventionType, OutcomeDomain])
def test_a_relabelled_term_reindexes_its_pages_as_indexing_them_one_by_one_did(kind):
    term = add_pages(kind, 4)
    relabelled = {**term.labels, "en": "Relabelled term", "es": "Término cambiado"}
    before = index_entries()
    with transaction.atomic():
        kind.objects.filter(pk=term.pk).update(labels=relabelled)
        term = kind.objects.get(pk=term.pk)
        index.insert_or_update_object(term)  # the term's own entry, as its save writes it
        index_page_by_page(term)
        expected = (index_entries(), derived_rows())
        transaction.set_rollback(True)
    assert expected[0] != before

    term.labels = relabelled
    term.save()

    assert (index_entries(), derived_rows()) == expected


@pytest.mark.parametrize("kind", [Pillar, InterventionType, OutcomeDomain])
def test_relabelling_a_term_takes_as_many_queries_for_many_pages_as_for_a_few(kind):
    queries = []
    for count in (2, 8):
        term = add_pages(kind, count)
        term.labels = {**term.labels, "fr": f"Étiquette {count}"}
        with CaptureQueriesContext(connection) as captured:
            term.save()
        queries.append(len(captured))
    assert queries[0] == queries[1]
