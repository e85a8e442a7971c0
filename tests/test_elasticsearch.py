"""Elasticsearch: what is sent to it (mapping, analyzers, queries) needs no server; the fallback is tested against
a closed port; the rest runs against a real server when ELASTICSEARCH_URL is set."""

import logging
import os
import socket

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from wagtail.search.backends import get_search_backend

from interventions.models import InterventionPage
from pillars.models import KnowledgeProductPage
from search.service import SearchParams, search_interventions
from search.text import elasticsearch_query

pytestmark = pytest.mark.django_db
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")
needs_server = pytest.mark.skipif(
    not ELASTICSEARCH_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch server to test against"
)


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def elasticsearch_backend(url):
    return {
        "BACKEND": "wagtail.search.backends.elasticsearch9",
        "URLS": [url],
        "INDEX_PREFIX": "kb_test_",
        "TIMEOUT": 2,
        "OPTIONS": {"max_retries": 0},
        "INDEX_SETTINGS": settings.ELASTICSEARCH_INDEX_SETTINGS,
    }


@pytest.fixture
def offline_backend():
    """A real Elasticsearch 9 backend object; nothing is sent unless a test asks it to search."""
    config = elasticsearch_backend(closed_port_url())
    return get_search_backend(config.pop("BACKEND"), **config)


def test_index_settings_fold_accents_and_stem_each_language(offline_backend):
    analysis = offline_backend.settings["settings"]["analysis"]
    assert analysis["analyzer"]["default"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["kb_spanish"]["filter"] == ["lowercase", "asciifolding", "spanish_stemmer"]
    assert analysis["filter"]["portuguese_stemmer"] == {"type": "stemmer", "language": "light_portuguese"}
    assert "edgengram_analyzer" in analysis["analyzer"]  # Wagtail's own analyzers are kept


def test_mapping_has_language_subfields_and_boosts(offline_backend):
    properties = offline_backend.mapping_class(InterventionPage).get_mapping()["properties"]
    summary = properties["interventions_interventionpage__summary"]
    assert summary["fields"]["es"] == {"type": "text", "analyzer": "kb_spanish"}
    assert summary["fields"]["pt"] == {"type": "text", "analyzer": "kb_portuguese"}
    assert summary["copy_to"] == ["_all_text", "_all_text_boost_1_5"]
    assert properties["title"]["copy_to"] == ["_all_text", "_all_text_boost_2_0"]
    assert properties["interventions_interventionpage__evidence_rating_filter"] == {"type": "keyword"}
    citation = properties["interventions_interventionpage__studies"]["properties"]["citation"]
    assert citation["type"] == "text"


def test_query_searches_folded_text_and_the_visitors_stemmed_language(offline_backend):
    query = elasticsearch_query(offline_backend, InterventionPage, "denuncia anónima", "es")
    folded, stemmed = query["bool"]["should"]
    assert folded["multi_match"]["query"] == "denuncia anónima"
    assert set(folded["multi_match"]["fields"]) == {
        "_all_text",
        "_all_text_boost_1_5^1.5",
        "_all_text_boost_2_0^2.0",
    }
    assert stemmed["multi_match"]["fields"] == [
        "interventions_interventionpage__also_known_as_text.es^2",
        "interventions_interventionpage__summary.es^1.5",
        "interventions_interventionpage__description.es^1",
    ]
    assert query["bool"]["minimum_should_match"] == 1
    assert {"term": {"live_filter": True}} in query["bool"]["filter"]


def test_knowledge_products_are_queried_through_their_own_fields(offline_backend):
    query = elasticsearch_query(offline_backend, KnowledgeProductPage, "guía", "es")
    [folded] = query["bool"]["should"]  # no stemmed fields: a knowledge product's texts have no language subfields
    assert folded["multi_match"]["query"] == "guía"
    mapping = offline_backend.mapping_class(KnowledgeProductPage).get_mapping()["properties"]
    assert mapping["pillars_knowledgeproductpage__summary"]["copy_to"] == ["_all_text", "_all_text_boost_1_5"]
    assert {"term": {"live_filter": True}} in query["bool"]["filter"]


def test_unreachable_elasticsearch_falls_back_to_the_database_and_logs_a_warning(caplog):
    backends = {"default": elasticsearch_backend(closed_port_url()), "database": settings.DATABASE_SEARCH_BACKEND}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends), caplog.at_level(logging.WARNING, logger="search.text"):
        result = search_interventions(SearchParams(q="denuncia"))
    database_only = search_interventions(SearchParams(q="denuncia"))
    assert result.hits[0].slug == "disque-denuncia"
    assert [hit.slug for hit in result.hits] == [hit.slug for hit in database_only.hits]
    assert result.facets == database_only.facets
    assert "Elasticsearch is unreachable" in caplog.text
    assert "answering from the database search backend" in caplog.text


@pytest.fixture
def live_elasticsearch():
    backends = {"default": elasticsearch_backend(ELASTICSEARCH_URL), "database": settings.DATABASE_SEARCH_BACKEND}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        call_command("update_index", backend_name="default", verbosity=0)
        get_search_backend().get_index_for_model(InterventionPage).refresh()
        yield


@needs_server
def test_real_server_finds_records_without_accents(live_elasticsearch):
    assert "disque-denuncia" in [hit.slug for hit in search_interventions(SearchParams(q="denuncia")).hits]
    assert "jovenes-construyendo-el-futuro" in [
        hit.slug for hit in search_interventions(SearchParams(q="JOVENES")).hits
    ]


@needs_server
def test_real_server_stems_in_the_visitors_language(live_elasticsearch):
    hits = search_interventions(SearchParams(q="empleo de verano", lang="es")).hits
    assert "one-summer-plus" in [hit.slug for hit in hits]


@needs_server
def test_real_server_facets_match_the_database_backend(live_elasticsearch):
    params = SearchParams(q="police", filters={"country": ("CO", "BR")})
    on_elasticsearch = search_interventions(params)
    with override_settings(WAGTAILSEARCH_BACKENDS={"default": settings.DATABASE_SEARCH_BACKEND}):
        on_database = search_interventions(params)
    assert on_elasticsearch.count == on_database.count
    assert on_elasticsearch.facets == on_database.facets
