"""Pillar pages, collections (hand-picked order, then a saved search) and knowledge products, which the search finds."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Locale

from interventions.models import InterventionPage
from pillars.curation import collection_interventions
from pillars.models import CollectionItem, CollectionPage, RelatedIntervention
from search.service import SearchParams, search_records

from .factories import CollectionPageFactory, KnowledgeProductPageFactory, PillarPageFactory, RecordFactory

pytestmark = pytest.mark.django_db
PROTECTING = "protecting-vulnerable-populations"


@pytest.fixture
def interventions(import_records):
    """Five records, four in the pillar of the pillar pages built here; three effective ones about violence."""
    return import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Group therapy for boys at school",
            summary="Weekly group sessions in which boys practise slowing down, to prevent youth violence.",
            evidence_rating="effective",
            translations={"es": {"title": "Terapia en grupo para chicos en la escuela"}},
        ),
        RecordFactory(
            slug="violence-interrupters",
            title="Violence interrupters",
            summary="Outreach workers mediate disputes before they turn into violence.",
            evidence_rating="effective",
            translations={"fr": {"title": "Médiateurs de la violence"}},
        ),
        RecordFactory(
            slug="crime-hotline",
            title="Anonymous crime hotline",
            summary="A telephone line where residents report crimes without giving their name.",
            pillars=["strengthening-institutions"],
            evidence_rating="insufficient",
        ),
        RecordFactory(
            slug="street-lighting-upgrade",
            title="Brighter street lighting",
            summary="Better lighting of streets and squares, against violence at night.",
            evidence_rating="effective",
        ),
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers",
            summary="Paid summer work for teenagers from neighbourhoods with much violence.",
            evidence_rating="promising",
        ),
    )


def intervention(slug, language="en"):
    return InterventionPage.objects.get(slug=slug, locale__language_code=language)


def soup_of(client, page, language_prefix=""):
    response = client.get(language_prefix + page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def listed_titles(soup, selector):
    return [item.a.get_text(strip=True) for item in soup.select(f"{selector} > li")]


@pytest.mark.usefixtures("interventions")
def test_collection_lists_hand_picked_interventions_in_the_working_groups_order(client):
    collection = CollectionPageFactory(parent=PillarPageFactory(), publish=False)
    # In neither the order of their titles, nor of their slugs, nor of their creation.
    chosen = ["youth-cbt", "crime-hotline", "violence-interrupters"]
    for slug in chosen:
        collection.items.add(CollectionItem(intervention=intervention(slug)))
    collection.save_revision().publish()
    titles = listed_titles(soup_of(client, collection), "ol.collection")
    assert titles == [intervention(slug).title for slug in chosen]


@pytest.mark.usefixtures("interventions")
def test_collection_shows_translations_and_leaves_out_unpublished_picks():
    collection = CollectionPageFactory(parent=PillarPageFactory(), publish=False)
    for slug in ("crime-hotline", "youth-cbt", "violence-interrupters"):
        collection.items.add(CollectionItem(intervention=intervention(slug)))
    collection.save_revision().publish()
    intervention("violence-interrupters").unpublish()
    assert [page.slug for page in search_collection(collection).picked] == ["crime-hotline", "youth-cbt"]
    french = collection.copy_for_translation(Locale.objects.get(language_code="fr"), copy_parents=True)
    french.save_revision().publish()
    picked = search_collection(french).picked
    # The hotline and the group therapy have no French translation (the therapy has a Spanish one), so their
    # originals are listed; the violence interrupters' French translation is still published.
    assert [(page.slug, page.locale.language_code) for page in picked] == [
        ("crime-hotline", "en"),
        ("youth-cbt", "en"),
        ("violence-interrupters", "fr"),
    ]


@pytest.mark.usefixtures("interventions")
def test_saved_search_follows_the_hand_picked_ones_and_the_records_as_they_change(client):
    collection = CollectionPageFactory(
        parent=PillarPageFactory(), saved_search="/search/?q=violence&evidence_rating=effective&page=3&sort=title"
    )
    collection.full_clean()
    assert collection.saved_search == "q=violence&evidence_rating=effective"
    expected = search_records(
        SearchParams(q="violence", filters={"evidence_rating": ("effective",), "content_type": ("intervention",)})
    )
    assert {hit.slug for hit in expected.hits} == {"youth-cbt", "violence-interrupters", "street-lighting-upgrade"}
    assert [page.pk for page in search_collection(collection).found] == [hit.pk for hit in expected.hits]
    first = expected.hits[0]
    collection.items.add(CollectionItem(intervention=first))
    collection.save_revision().publish()
    listing = search_collection(collection)
    assert [page.pk for page in listing.picked] == [first.pk]
    assert first.pk not in [page.pk for page in listing.found]

    first.evidence_rating = "promising"
    first.save_revision().publish()
    second = expected.hits[1]
    second.unpublish()
    found = [page.pk for page in search_collection(collection).found]
    assert second.pk not in found and first.pk not in found
    soup = soup_of(client, collection)
    assert soup.find("a", href="/search/?q=violence&evidence_rating=effective")


def test_a_bad_saved_search_is_refused_next_to_its_field():
    collection = CollectionPageFactory.build(saved_search="https://example.org/search/?sort=drop")
    with pytest.raises(ValidationError) as error:
        collection.clean()
    assert "sort: one of relevance, evidence, bcr, title" in error.value.message_dict["saved_search"][0]


@pytest.mark.usefixtures("interventions")
def test_pillar_page_counts_its_interventions_collections_and_products(client):
    pillar_page = PillarPageFactory()
    CollectionPageFactory(parent=pillar_page, title="Youth violence")
    CollectionPageFactory(parent=pillar_page, title="Draft collection", publish=False)
    KnowledgeProductPageFactory(parent=pillar_page, title="Guide to school-based prevention")
    text = soup_of(client, pillar_page).get_text(" ", strip=True)
    # Four of the five records, each once though two have a translation.
    assert "4 interventions · 1 collection · 1 knowledge product" in text
    assert "Youth violence" in text and "Draft collection" not in text
    assert "Guide to school-based prevention" in text
    home = BeautifulSoup(client.get("/").content, "html.parser")
    assert home.find("a", href=pillar_page.url, string="Collections and knowledge products")


def test_only_one_page_per_pillar_and_language():
    PillarPageFactory()
    with pytest.raises(ValidationError) as error:
        PillarPageFactory.build(locale=Locale.get_default()).clean()
    assert "already has a page" in error.value.message_dict["pillar"][0]


@pytest.mark.usefixtures("interventions")
def test_knowledge_products_are_found_by_the_same_search_with_a_content_type_facet(client):
    product = KnowledgeProductPageFactory(
        parent=PillarPageFactory(),
        title="Guía de prevención de la violencia juvenil",
        summary="Paso a paso para municipios: diagnóstico, focalización y evaluación.",
        authors=["BID"],
    )
    product.related_interventions.add(RelatedIntervention(intervention=intervention("youth-cbt")))
    product.save_revision().publish()
    result = search_records(SearchParams(q="guia municipios"))
    assert result.hits[0].pk == product.pk
    assert product.pillar.slug == PROTECTING  # from the pillar page it is published under

    api = client.get("/api/v1/search/", {"q": "violencia juvenil"}).json()
    kinds = {entry["value"]: entry["count"] for entry in api["facets"]["content_type"]}
    assert kinds["knowledge_product"] == 1
    [found] = [item for item in api["results"] if item["content_type"] == "knowledge_product"]
    assert found["pillars"] == [PROTECTING] and found["evidence_rating"] is None

    only_products = client.get("/api/v1/search/", {"content_type": "knowledge_product"}).json()
    assert [item["slug"] for item in only_products["results"]] == [product.slug]
    assert {entry["value"] for entry in only_products["facets"]["content_type"]} == {
        "intervention",
        "knowledge_product",
    }  # disjunctive: the other kind stays offered

    page = BeautifulSoup(client.get("/search/", {"content_type": "knowledge_product"}).content, "html.parser")
    assert page.find("a", string=product.title)
    assert "Download the interventions" not in page.get_text()
    profile = soup_of(client, product)
    assert profile.find("a", string=intervention("youth-cbt").title)


@pytest.mark.usefixtures("interventions")
def test_exports_hold_the_interventions_among_the_results(client):
    KnowledgeProductPageFactory(parent=PillarPageFactory(), title="Violence prevention toolkit")
    response = client.get("/search/export.json", {"q": "violence"})
    exported = json.loads(b"".join(response.streaming_content))["interventions"]
    expected = search_records(SearchParams(q="violence", page_size=100, filters={"content_type": ("intervention",)}))
    assert [record["slug"] for record in exported] == [hit.slug for hit in expected.hits]
    assert {record["slug"] for record in exported} == {
        "youth-cbt",
        "violence-interrupters",
        "street-lighting-upgrade",
        "summer-jobs",
    }


def test_a_knowledge_products_document_must_be_a_pdf():
    Document = get_document_model()
    spreadsheet = Document.objects.create(title="Data", file=ContentFile(b"a,b\n", name="data.csv"))
    product = KnowledgeProductPageFactory.build(document=spreadsheet)
    with pytest.raises(ValidationError) as error:
        product.clean()
    assert error.value.message_dict["document"] == ["Choose a PDF document."]


def search_collection(collection):
    return collection_interventions(CollectionPage.objects.get(pk=collection.pk))
