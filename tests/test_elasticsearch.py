"""Elasticsearch: what is sent to it (mapping, analyzers, synonyms, queries, the sequence of requests) needs no
server: a stub of the client records the requests and answers as Elasticsearch 9 would. The fallback is tested
against a closed port; the rest runs against a real server when ELASTICSEARCH_URL is set."""

import json
import logging
import os
import socket
from types import SimpleNamespace

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from elastic_transport import SerializerCollection
from elasticsearch._otel import OpenTelemetry
from wagtail.search.backends import get_search_backend

from interventions.models import STEMMED, InterventionPage
from pillars.models import KnowledgeProductPage
from search import elasticsearch
from search.models import ThesaurusConcept, ThesaurusLabel
from search.service import SearchParams, search_records
from search.text import SIMILARITY_FLOOR, elasticsearch_hits, elasticsearch_query
from tests.factories import RecordFactory

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
        "BACKEND": "search.elasticsearch.Elasticsearch9SearchBackend",
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


def test_index_settings_fold_accents_drop_stop_words_and_snowball_stem_each_language(offline_backend):
    analysis = offline_backend.settings["settings"]["analysis"]
    assert analysis["analyzer"]["default"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["kb_spanish"]["filter"] == [
        "lowercase",
        "asciifolding",
        "spanish_stop",
        "spanish_stemmer",
    ]
    assert analysis["filter"]["spanish_stop"] == {"type": "stop", "stopwords": "_spanish_"}
    assert analysis["filter"]["portuguese_stemmer"] == {"type": "snowball", "language": "Portuguese"}
    assert analysis["filter"]["english_stemmer"] == {"type": "snowball", "language": "English"}
    assert analysis["filter"]["french_stop"] == {"type": "stop", "stopwords": "_french_"}
    assert "edgengram_analyzer" in analysis["analyzer"]  # Wagtail's own analyzers are kept


def thesaurus_concept(name, *labels):
    concept = ThesaurusConcept.objects.create(name=name)
    for language, label in labels:
        ThesaurusLabel.objects.create(concept=concept, language=language, label=label)
    return concept


def test_synonym_rules_are_one_folded_line_per_concept():
    ThesaurusConcept.objects.all().delete()
    thesaurus_concept(
        "firearm",
        ("en", "Firearm"),
        ("es", "Arma de fuego"),
        ("pt", "Arma de fogo"),
        ("fr", "Arme à feu"),
        ("fr", "arme a feu"),  # the same label once folded: written once
    )
    thesaurus_concept("cctv", ("en", "CCTV"), ("es", "Videovigilancia, cámaras"), ("pt", "Câmeras => vídeo"))
    thesaurus_concept("alone", ("en", "Lonely label"))  # nothing to be a synonym of
    assert sorted(elasticsearch.synonym_rules()) == [
        "cctv, videovigilancia camaras, cameras video",
        "firearm, arma de fuego, arma de fogo, arme a feu",
    ]


def test_synonyms_go_to_the_search_analyzers_never_to_the_index_analyzers(offline_backend):
    index_settings = elasticsearch.index_settings(offline_backend.settings, ["firearm, arma de fuego"])
    analysis = index_settings["settings"]["analysis"]
    assert analysis["filter"]["kb_synonyms"] == {
        "type": "synonym_graph",
        "synonyms": ["firearm, arma de fuego"],
        "lenient": True,
    }
    analyzers = analysis["analyzer"]
    assert analyzers["kb_spanish_search"]["filter"] == [
        "lowercase",
        "asciifolding",
        "kb_synonyms",  # after folding (the rules are folded), before the stop words (a rule may hold one)
        "spanish_stop",
        "spanish_stemmer",
    ]
    searching = {name for name, analyzer in analyzers.items() if "kb_synonyms" in analyzer["filter"]}
    assert analyzers["default"]["filter"] == ["lowercase", "asciifolding"]  # the fuzzy words: no synonyms
    assert searching == {
        "kb_english_search",
        "kb_spanish_search",
        "kb_portuguese_search",
        "kb_french_search",
    }
    # The backend's own settings are left as they were, and no rules means no synonym filter.
    assert "kb_synonyms" not in offline_backend.settings["settings"]["analysis"]["filter"]
    assert elasticsearch.index_settings(offline_backend.settings, []) == offline_backend.settings


class StubIndices:
    def __init__(self, calls):
        self.calls = calls

    def create(self, **kwargs):
        self.calls.append(("indices.create", kwargs))
        return {"acknowledged": True, "shards_acknowledged": True, "index": kwargs["index"]}


class StubClient:
    """Stands in for the elasticsearch.Elasticsearch client: records each request and answers with the canned
    responses, shaped like Elasticsearch 9's, of a query that matches `matching` documents."""

    # What elasticsearch.helpers.bulk reads of a client besides its bulk method.
    transport = SimpleNamespace(serializers=SerializerCollection())
    _otel = OpenTelemetry(enabled=False)

    def __init__(self, matching=()):
        self.calls = []
        self.options_given = []  # the per-request options (timeouts, retries) of each client.options(...)
        self.indices = StubIndices(self.calls)
        self.matching = list(matching)  # [(pk, score)], best first

    def options(self, **options):
        self.options_given.append(options)
        return self

    def bulk(self, operations, index, **kwargs):
        lines = [json.loads(line) for line in operations]
        self.calls.append(("bulk", {"index": index, "operations": lines}))
        items = [
            {
                "index": {
                    "_index": index,
                    "_id": header["index"]["_id"],
                    "_version": 1,
                    "result": "created",
                    "status": 201,
                }
            }
            for header in lines[::2]
        ]
        return SimpleNamespace(body={"errors": False, "took": 3, "items": items})

    def delete(self, **kwargs):
        self.calls.append(("delete", kwargs))
        return {"_index": kwargs["index"], "_id": kwargs["id"], "_version": 2, "result": "deleted"}

    def open_point_in_time(self, **kwargs):
        self.calls.append(("open_point_in_time", kwargs))
        return {"id": "pit-0", "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}

    def search(self, **kwargs):
        self.calls.append(("search", kwargs))
        start = 0
        if "search_after" in kwargs:
            start = next(i for i, hit in enumerate(self.hits()) if hit["sort"] == kwargs["search_after"]) + 1
        page = self.hits()[start : start + kwargs["size"]]
        searches = sum(1 for name, _kwargs in self.calls if name == "search")
        return {
            "pit_id": f"pit-{searches}",  # Elasticsearch may hand back a new id with each page
            "took": 4,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(self.matching), "relation": "eq"}, "max_score": None, "hits": page},
        }

    def close_point_in_time(self, **kwargs):
        self.calls.append(("close_point_in_time", kwargs))
        return {"succeeded": True, "num_freed": 1}

    def hits(self):
        return [
            {
                "_index": "kb_test_wagtailcore_page",
                "_id": str(pk),
                "_score": score,
                "fields": {"pk": [str(pk)]},
                "sort": [score, position],
            }
            for position, (pk, score) in enumerate(self.matching)
        ]


def test_index_creation_sends_the_thesaurus_as_it_is_now(offline_backend):
    ThesaurusConcept.objects.all().delete()
    thesaurus_concept("homicide", ("en", "Homicide"), ("es", "Homicidio"))
    offline_backend.es = StubClient()
    offline_backend.get_index_for_model(InterventionPage).put()
    [(name, request)] = offline_backend.es.calls
    assert name == "indices.create"
    assert request["index"] == "kb_test_wagtailcore_page"
    analysis = request["settings"]["analysis"]
    assert analysis["filter"]["kb_synonyms"]["synonyms"] == ["homicide, homicidio"]
    assert "kb_synonyms" in analysis["analyzer"]["kb_english_search"]["filter"]
    assert "kb_synonyms" not in analysis["analyzer"]["kb_english"]["filter"]


def test_every_match_is_collected_page_after_page_under_one_point_in_time(offline_backend):
    matching = [(pk, 10.0 - pk / 1000) for pk in range(1, 2501)]
    offline_backend.es = StubClient(matching)
    hits = elasticsearch_hits(offline_backend, InterventionPage, "violencia", "es")
    assert hits == matching  # all 2,500, best first, as (pk, score)
    names = [name for name, _request in offline_backend.es.calls]
    assert names == ["open_point_in_time", "search", "search", "search", "close_point_in_time"]
    opened, *searches, closed = [request for _name, request in offline_backend.es.calls]
    assert opened == {"index": "kb_test_wagtailcore_page", "keep_alive": "1m"}
    expected_query = elasticsearch_query(offline_backend, InterventionPage, "violencia", "es")
    for number, request in enumerate(searches):
        assert request["query"] == expected_query
        assert request["pit"] == {"id": f"pit-{number}", "keep_alive": "1m"}  # the newest id each time
        assert "index" not in request  # a point in time names its index
        assert request["size"] == 1000
        assert request["sort"] == [{"_score": {"order": "desc"}}, {"_shard_doc": {"order": "asc"}}]
        assert request["track_total_hits"] is True
        assert request["source"] is False
        assert request["stored_fields"] == ["pk"]
    assert "search_after" not in searches[0]
    assert searches[1]["search_after"] == [10.0 - 1000 / 1000, 999]
    assert searches[2]["search_after"] == [10.0 - 2000 / 1000, 1999]
    assert closed == {"id": "pit-3"}


def test_a_query_matching_nothing_asks_once_and_closes_its_point_in_time(offline_backend):
    offline_backend.es = StubClient([])
    assert elasticsearch_hits(offline_backend, KnowledgeProductPage, "zzz", "en") == []
    assert [name for name, _request in offline_backend.es.calls] == [
        "open_point_in_time",
        "search",
        "close_point_in_time",
    ]


def test_mapping_gives_every_text_field_language_subfields_searched_with_synonyms(offline_backend):
    properties = offline_backend.mapping_class(InterventionPage).get_mapping()["properties"]
    summary = properties["interventions_interventionpage__summary"]
    assert summary["fields"]["es"] == {"type": "text", "analyzer": "kb_spanish", "search_analyzer": "kb_spanish_search"}
    assert summary["fields"]["pt"] == {
        "type": "text",
        "analyzer": "kb_portuguese",
        "search_analyzer": "kb_portuguese_search",
    }
    assert summary["copy_to"] == ["_all_text", "_all_text_boost_1_5"]
    assert properties["title"]["copy_to"] == ["_all_text", "_all_text_boost_2_0"]
    assert properties["title"]["fields"]["fr"]["analyzer"] == "kb_french"  # the title is stemmed too
    assert properties["interventions_interventionpage__evidence_rating_filter"] == {"type": "keyword"}
    citation = properties["interventions_interventionpage__studies"]["properties"]["citation"]
    assert citation["type"] == "text"
    assert "search_analyzer" not in STEMMED["es_extra"]["fields"]["es"]  # the model's shared dict is left alone
    knowledge_product = offline_backend.mapping_class(KnowledgeProductPage).get_mapping()["properties"]
    assert knowledge_product["pillars_knowledgeproductpage__body"]["fields"]["en"]["analyzer"] == "kb_english"


def test_query_matches_any_word_ranked_with_typos_forgiven_on_words_not_stems(offline_backend):
    query = elasticsearch_query(offline_backend, InterventionPage, "denuncia anónima", "es")
    words, visitor_stems, other_stems = query["bool"]["should"]
    assert query["bool"]["minimum_should_match"] == 1
    for clause in (words, visitor_stems, other_stems):
        multi_match = clause["multi_match"]
        assert multi_match["query"] == "denuncia anónima"
        assert multi_match["operator"] == "or"
        assert multi_match["type"] == "most_fields"
        assert multi_match["minimum_should_match"] == "1"
    assert set(words["multi_match"]["fields"]) == {"_all_text", "_all_text_boost_1_5^1.5", "_all_text_boost_2_0^2.0"}
    assert words["multi_match"]["fuzziness"] == "AUTO"
    assert words["multi_match"]["prefix_length"] == 1
    assert words["multi_match"]["max_expansions"] == 50
    assert "fuzziness" not in visitor_stems["multi_match"]
    assert "fuzziness" not in other_stems["multi_match"]
    assert {"term": {"live_filter": True}} in query["bool"]["filter"]


def test_query_weighs_stems_in_the_visitors_language_first_and_the_title_above_all(offline_backend):
    query = elasticsearch_query(offline_backend, InterventionPage, "denuncia anónima", "es")
    _words, visitor_stems, other_stems = query["bool"]["should"]
    assert visitor_stems["multi_match"]["fields"][:4] == [
        "title.es^3.0",
        "interventions_interventionpage__also_known_as_text.es^1.5",
        "interventions_interventionpage__summary.es^1.5",
        "interventions_interventionpage__description.es^1.0",
    ]
    assert all(field.split("^")[0].endswith(".es") for field in visitor_stems["multi_match"]["fields"])
    assert "boost" not in visitor_stems["multi_match"]
    other_fields = other_stems["multi_match"]["fields"]
    assert {"title.en^3.0", "title.pt^3.0", "title.fr^3.0"} <= set(other_fields)
    assert not any(field.split("^")[0].endswith(".es") for field in other_fields)
    assert other_stems["multi_match"]["boost"] == 0.9


def test_knowledge_products_are_queried_through_their_own_fields(offline_backend):
    query = elasticsearch_query(offline_backend, KnowledgeProductPage, "guía", "es")
    words, visitor_stems, _other_stems = query["bool"]["should"]
    assert words["multi_match"]["query"] == "guía"
    assert visitor_stems["multi_match"]["fields"] == [
        "title.es^3.0",
        "pillars_knowledgeproductpage__summary.es^1.5",
        "pillars_knowledgeproductpage__body.es^1.0",
        "pillars_knowledgeproductpage__authors_text.es^1.0",
    ]
    mapping = offline_backend.mapping_class(KnowledgeProductPage).get_mapping()["properties"]
    assert mapping["pillars_knowledgeproductpage__summary"]["copy_to"] == ["_all_text", "_all_text_boost_1_5"]
    assert {"term": {"live_filter": True}} in query["bool"]["filter"]


def test_pages_carry_the_vector_of_their_title_and_summary_once_embedded(offline_backend, import_records):
    from search.embeddings import text_hash
    from search.models import TextEmbedding

    mapping = offline_backend.mapping_class(InterventionPage)
    assert mapping.get_mapping()["properties"]["_embedding"] == {
        "type": "dense_vector",
        "dims": 512,
        "index": True,
        "similarity": "dot_product",
    }
    (page,) = import_records(RecordFactory(slug="vectored", title="Night patrols", summary="Police on foot at night."))
    assert "_embedding" not in mapping.get_document(page)
    TextEmbedding.objects.create(
        text_hash=text_hash("Night patrols. Police on foot at night."),
        vector=np.full(512, 1 / np.sqrt(512), dtype="<f4").tobytes(),
    )
    assert mapping.get_document(page)["_embedding"] == pytest.approx([1 / np.sqrt(512)] * 512)


def test_query_with_a_sentence_vector_adds_the_pages_nearest_in_meaning(offline_backend):
    vector = np.linspace(-1, 1, 512, dtype=np.float32)
    query = elasticsearch_query(offline_backend, InterventionPage, "denuncia anónima", "es", vector)
    *_text_clauses, knn = query["bool"]["should"]
    assert knn["knn"]["field"] == "_embedding"
    assert knn["knn"]["query_vector"] == pytest.approx(vector.tolist())
    # Only above the similarity floor of the database side, and within the same filters (live pages of the model).
    assert knn["knn"]["similarity"] == SIMILARITY_FLOOR
    assert knn["knn"]["filter"] == query["bool"]["filter"]
    assert len(elasticsearch_query(offline_backend, InterventionPage, "denuncia", "es")["bool"]["should"]) == 3


def test_unreachable_elasticsearch_falls_back_to_the_database_and_logs_the_failure(caplog, import_records):
    import_records(
        RecordFactory(
            slug="anonymous-tip-line",
            title="Denuncia anonymous crime tip line",
            summary="A telephone line that takes anonymous tips about crimes.",
            countries=["BR"],
            pillars=["strengthening-institutions"],
            evidence_rating="promising",
        ),
        RecordFactory(
            slug="victim-reporting-desks",
            title="Victim reporting desks",
            summary="Desks in hospitals where victims can file a denuncia without going to a police station.",
            countries=["CO", "MX"],
            pillars=["protecting-vulnerable-populations"],
            evidence_rating="insufficient",
        ),
        RecordFactory(
            slug="street-lighting", title="Street lighting", summary="Brighter lamps on dark streets.", countries=["BR"]
        ),
    )
    backends = {"default": elasticsearch_backend(closed_port_url()), "database": settings.DATABASE_SEARCH_BACKEND}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends), caplog.at_level(logging.INFO, logger="search.circuit"):
        result = search_records(SearchParams(q="denuncia"))
    database_only = search_records(SearchParams(q="denuncia"))
    assert result.hits[0].slug == "anonymous-tip-line"
    assert "victim-reporting-desks" in [hit.slug for hit in result.hits]
    assert [hit.slug for hit in result.hits] == [hit.slug for hit in database_only.hits]
    assert result.facets == database_only.facets
    assert "Elasticsearch failed" in caplog.text
    assert "1 of 3 failures" in caplog.text


@pytest.fixture
def live_records(import_records):
    """Records for the real server's searches: words with accents, a Spanish plural's stem, and police work in two
    countries."""
    import_records(
        RecordFactory(
            slug="anonymous-tip-line",
            title="Denúncia anonymous crime tip line",
            summary="A telephone line that takes anonymous tips about crimes and passes them to the police.",
            countries=["BR"],
            translations={"es": {"title": "Línea de denuncia anónima", "summary": "Recibe denuncias por teléfono."}},
        ),
        RecordFactory(
            slug="youth-job-training",
            title="Jóvenes al trabajo job training",
            summary="A programme of paid job training for young people out of school and out of work.",
            countries=["MX"],
        ),
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers",
            summary="A programme of paid summer work and a mentor for teenagers.",
            countries=["US"],
            translations={"es": {"title": "Empleos de verano para adolescentes", "summary": "Un programa de empleo."}},
        ),
        RecordFactory(
            slug="community-police-patrols",
            title="Community police patrols",
            summary="Police officers on foot in the same neighbourhood every day.",
            countries=["CO"],
        ),
    )


@pytest.fixture
def live_elasticsearch(live_records):
    backends = {"default": elasticsearch_backend(ELASTICSEARCH_URL), "database": settings.DATABASE_SEARCH_BACKEND}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        call_command("update_index", backend_name="default", verbosity=0)
        get_search_backend().get_index_for_model(InterventionPage).refresh()
        yield


@pytest.fixture
def live_synonym(live_records):
    """An index created after an editor made an invented word a synonym of "denuncia"."""
    thesaurus_concept("tip-line", ("en", "tipsline"), ("es", "denuncia"))
    backends = {"default": elasticsearch_backend(ELASTICSEARCH_URL), "database": settings.DATABASE_SEARCH_BACKEND}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        call_command("update_index", backend_name="default", verbosity=0)
        get_search_backend().get_index_for_model(InterventionPage).refresh()
        yield


@needs_server
def test_real_server_finds_records_without_accents(live_elasticsearch):
    assert "anonymous-tip-line" in [hit.slug for hit in search_records(SearchParams(q="denuncia")).hits]
    assert "youth-job-training" in [hit.slug for hit in search_records(SearchParams(q="JOVENES")).hits]


@needs_server
def test_real_server_stems_in_the_visitors_language(live_elasticsearch):
    hits = search_records(SearchParams(q="empleo de verano", lang="es")).hits
    assert "summer-jobs" in [hit.slug for hit in hits]


def elasticsearch_slugs(query, language_code="en"):
    """The interventions Elasticsearch alone finds for the text (no sentence vectors), best first."""
    hits = elasticsearch_hits(get_search_backend(), InterventionPage, query, language_code)
    slugs = dict(InterventionPage.objects.filter(pk__in=[pk for pk, _score in hits]).values_list("pk", "slug"))
    return [slugs[pk] for pk, _score in hits]


@needs_server
def test_real_server_finds_a_spanish_plural_through_its_stem(live_elasticsearch):
    assert "anonymous-tip-line" in elasticsearch_slugs("denuncias", "es")


@needs_server
def test_real_server_forgives_a_typo(live_elasticsearch):
    assert "anonymous-tip-line" in elasticsearch_slugs("denuncai")


@needs_server
def test_real_server_matches_any_word_and_counts_every_hit(live_elasticsearch):
    assert "anonymous-tip-line" in elasticsearch_slugs("denuncia xyzzyplugh")
    everything = elasticsearch_slugs("the of a program programme programa")
    assert len(everything) == len(set(everything))  # each hit once across the pages


@needs_server
def test_real_server_finds_a_synonym_from_the_thesaurus(live_synonym):
    assert "anonymous-tip-line" in elasticsearch_slugs("tipsline")


@needs_server
def test_real_server_facets_match_the_database_backend(live_elasticsearch):
    params = SearchParams(q="police", filters={"country": ("CO", "BR")})
    on_elasticsearch = search_records(params)
    with override_settings(WAGTAILSEARCH_BACKENDS={"default": settings.DATABASE_SEARCH_BACKEND}):
        on_database = search_records(params)
    assert on_elasticsearch.count == on_database.count
    assert on_elasticsearch.facets == on_database.facets
