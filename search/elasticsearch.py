"""What this project sends to Elasticsearch 9: the index settings with the thesaurus' synonyms, the mapping with a
stemmed subfield per language on every searchable text field, the query for a text, and the requests that collect
every matching primary key. search.text calls these; nothing outside search/ needs to know Elasticsearch is there.

Index updates do not go to Elasticsearch at once: the backend queues them (search.index_updates).

The database backends read the thesaurus at once (search.snapshot); Elasticsearch reads it when an index is created,
i.e. when `manage.py update_index` rebuilds it, since an index's analyzers are fixed at creation."""

import copy
import re

from django.conf import settings
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9Index as WagtailElasticsearch9Index,
)
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9Mapping as WagtailElasticsearch9Mapping,
)
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9SearchBackend as WagtailElasticsearch9SearchBackend,
)
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9SearchQueryCompiler as WagtailElasticsearch9SearchQueryCompiler,
)
from wagtail.search.index import AutocompleteField, SearchField

from .analysis import OTHER_LANGUAGE_WEIGHT, fold
from .documents import read_documents
from .embeddings import DIMENSIONS, stored_vectors, text_hash
from .index_updates import queue_update
from .lexical import FIELD_WEIGHTS

SYNONYM_FILTER = "kb_synonyms"
# The sentence vector of a page's title and summary (search.embeddings).
EMBEDDING_FIELD = "_embedding"
# How many nearest pages each shard considers for the kNN clause.
KNN_CANDIDATES = 1000
# Hits per request while collecting every match (at most index.max_result_window, 10,000 by default).
PAGE_SIZE = 1000
# How long Elasticsearch keeps the point in time between two pages of one query.
POINT_IN_TIME_KEEP_ALIVE = "1m"
# A typo costs an edit or two (AUTO: none up to 2 letters, one up to 5, two beyond); the first letter must be right
# and each word expands to at most this many indexed words, as the database side corrects against the index's words.
FUZZY_PREFIX_LENGTH = 1
FUZZY_MAX_EXPANSIONS = 50

# Characters that mean something in a Solr synonym rule: a comma separates synonyms, "=>" maps one side to the
# other, a backslash escapes, "#" starts a comment.
RULE_SYNTAX = re.compile(r",|=>|\\|#")


def synonym_rules(concepts=None):
    """One Solr equivalence rule per thesaurus concept with two labels or more: its labels in every language,
    lowercased, accents folded (the rules meet words after the analyzers' asciifolding), comma-separated."""
    from .models import ThesaurusConcept

    if concepts is None:
        concepts = ThesaurusConcept.objects.prefetch_related("labels")
    rules = []
    for concept in concepts:
        labels = dict.fromkeys(
            " ".join(RULE_SYNTAX.sub(" ", fold(label.label)).split()) for label in concept.labels.all()
        )
        labels.pop("", None)
        if len(labels) > 1:
            rules.append(", ".join(labels))
    return rules


def index_settings(base_settings, rules):
    """The index settings with the synonym rules: a synonym_graph filter, right after folding, in the languages'
    search analyzers (kb_*_search), never in an index analyzer, since synonym_graph is meant for queries and the
    rules then change without reindexing a word. Not in the folded words' analyzer either: that is where typos are
    forgiven, and Elasticsearch applies no fuzziness to a word that has synonyms. Without rules, no filter is added
    (an empty synonym_graph filter is of no use)."""
    index_settings = copy.deepcopy(base_settings)
    if not rules:
        return index_settings
    analysis = index_settings["settings"]["analysis"]
    # lenient: a rule Elasticsearch cannot parse is skipped rather than failing the whole index creation.
    analysis["filter"][SYNONYM_FILTER] = {"type": "synonym_graph", "synonyms": rules, "lenient": True}
    for name, analyzer in analysis["analyzer"].items():
        if is_search_analyzer(name):
            filters = analyzer["filter"]
            filters.insert(filters.index("asciifolding") + 1, SYNONYM_FILTER)
    return index_settings


def is_search_analyzer(name):
    return name.startswith("kb_") and name.endswith("_search")


def language_subfields():
    """A subfield per language: indexed through its stemming analyzer, searched through its twin with synonyms."""
    return {
        code: {"type": "text", "analyzer": f"kb_{name}", "search_analyzer": f"kb_{name}_search"}
        for code, name in settings.STEMMED_LANGUAGES.items()
    }


def is_stemmed(field, mapping):
    return isinstance(field, SearchField) and not isinstance(field, AutocompleteField) and mapping["type"] == "text"


class Elasticsearch9Mapping(WagtailElasticsearch9Mapping):
    """Wagtail's mapping, with the language subfields on every searchable text field (the title included), as the
    database side stems every field; fields that declare subfields of their own (interventions.models.STEMMED) get
    the search analyzer added. Each page also carries the sentence vector of its title and summary
    (EMBEDDING_FIELD), once embedded, for the kNN clause of the query."""

    def get_mapping(self):
        mapping = super().get_mapping()
        mapping["properties"][EMBEDDING_FIELD] = {
            "type": "dense_vector",
            "dims": DIMENSIONS,
            "index": True,
            # The encoder's vectors are unit length: their dot product is their cosine.
            "similarity": "dot_product",
        }
        return mapping

    def get_document(self, obj):
        document = super().get_document(obj)
        vector = page_vector(obj.pk)
        if vector is not None:
            document[EMBEDDING_FIELD] = vector
        return document

    def get_field_mapping(self, field):
        column, mapping = super().get_field_mapping(field)
        if is_stemmed(field, mapping):
            # A copy: es_extra's dicts are shared by every field that uses them.
            subfields = copy.deepcopy(mapping.get("fields", {}))
            for code, subfield in language_subfields().items():
                subfields.setdefault(code, {}).update(subfield)
            mapping["fields"] = subfields
        return column, mapping


class Elasticsearch9Index(WagtailElasticsearch9Index):
    def put(self):
        """Creates the index with the synonym rules of the thesaurus as it is now."""
        self.es.indices.create(index=self.name, **index_settings(self.backend.settings, synonym_rules()))


class Elasticsearch9SearchQueryCompiler(WagtailElasticsearch9SearchQueryCompiler):
    mapping_class = Elasticsearch9Mapping


class Elasticsearch9SearchBackend(WagtailElasticsearch9SearchBackend):
    """Wagtail's backend, whose add, add_bulk and delete queue the update (search.index_updates) instead of sending
    it: whatever writes a page (a save, a delete, an import, `embed_records`) never waits for Elasticsearch. The
    index worker and `update_index` send through the index itself."""

    mapping_class = Elasticsearch9Mapping
    index_class = Elasticsearch9Index
    query_compiler_class = Elasticsearch9SearchQueryCompiler
    # Queuing is a database write in the write's transaction: its failure must fail the write, not be logged away.
    catch_indexing_errors = False

    def add(self, obj):
        queue_update(obj._meta.model, [obj.pk])

    def add_bulk(self, model, obj_list):
        queue_update(model, [obj.pk for obj in obj_list])

    def delete(self, obj):
        queue_update(obj._meta.model, [obj.pk])


SearchBackend = Elasticsearch9SearchBackend


def page_vector(key):
    """The stored vector of a page's title and summary (its first passage), as a list, or None before it is
    embedded (`embed_records` sends the page again once it is)."""
    document = read_documents([key]).get(key)
    if document is None:
        return None
    first_passage_hash = text_hash(document.passages()[0])
    vector = stored_vectors([first_passage_hash]).get(first_passage_hash)
    return None if vector is None else vector.tolist()


def knn_clause(query_vector, filters):
    """The pages whose title and summary mean what the query means, above the similarity floor the database side
    uses (search.text.SIMILARITY_FLOOR), scored by Elasticsearch as (1 + cosine) / 2 and added to the words'."""
    from .text import DENSE_WEIGHT, SIMILARITY_FLOOR

    return {
        "knn": {
            "field": EMBEDDING_FIELD,
            "query_vector": [float(value) for value in query_vector],
            "num_candidates": KNN_CANDIDATES,
            "similarity": SIMILARITY_FLOOR,
            "filter": filters,
            "boost": DENSE_WEIGHT,
        }
    }


def stem_weight(field):
    """The weight of a field's stems: the database side's (search.lexical.FIELD_WEIGHTS), the title above the
    fields search_fields boosts (other names, the summary), those above the rest."""
    title, boosted, rest = FIELD_WEIGHTS
    if field.field_name == "title":
        return title
    return boosted if (field.boost or 1) > 1 else rest


def stemmed_fields(model, language_codes):
    """`column.language^weight` of the model's top-level searchable text fields, for these languages (nested fields,
    e.g. a study's citation, are reached through the words fields only)."""
    mapping = Elasticsearch9Mapping(model)
    fields = []
    for field in model.get_searchable_search_fields():
        column, field_mapping = mapping.get_field_mapping(field)
        if is_stemmed(field, field_mapping):
            fields.extend(f"{column}.{code}^{stem_weight(field)}" for code in language_codes)
    return fields


def text_query(backend, model, query, language_code, query_vector=None):
    """The query for a text, limited to the model's live pages. Any word matches (operator "or", one clause
    suffices), and a page gains a score for each query word each field matches, so that pages matching more of the
    words rank first, as on the database side (search.lexical):

    - the folded words of every field (Wagtail's _all_text, and its _all_text_boost_* copies of the fields
      search_fields boosts: the title and other names (2), the summary (1.5), which add their boost on top), with
      typos forgiven by fuzziness: on these whole words only, since a fuzzy stem would match unrelated stems;
    - the stems of the top-level fields, weighed as on the database side (stem_weight: title 3, other names and
      summary 1.5, the rest 1), in the visitor's language, and in the other languages counting
      OTHER_LANGUAGE_WEIGHT as much (a visitor may type words of another language; records without a translation
      keep their original).

    The stems' search analyzers add the thesaurus' synonyms (index_settings), the words' fuzziness forgives typos:
    kept apart, since Elasticsearch applies no fuzziness to a word that has synonyms.

    "most_fields" adds the fields' scores (a word in the title and the summary beats a word in the summary alone);
    the clauses' scores add up too. With the query's sentence vector, a kNN clause (knn_clause) adds the pages
    that mean what the query means, whatever their words."""
    compiler = backend.search(query, model.objects.live()).query_compiler
    language_code = language_code if language_code in settings.STEMMED_LANGUAGES else settings.LANGUAGE_CODE
    other_languages = [code for code in settings.STEMMED_LANGUAGES if code != language_code]
    any_word = {"query": query, "type": "most_fields", "operator": "or", "minimum_should_match": "1"}
    should = [
        {
            "multi_match": {
                **any_word,
                "fields": [field.field_name_with_boost for field in compiler.remapped_fields],
                "fuzziness": "AUTO",
                "prefix_length": FUZZY_PREFIX_LENGTH,
                "max_expansions": FUZZY_MAX_EXPANSIONS,
            }
        }
    ]
    visitor_fields = stemmed_fields(model, [language_code])
    if visitor_fields:
        should.append({"multi_match": {**any_word, "fields": visitor_fields}})
        should.append(
            {
                "multi_match": {
                    **any_word,
                    "fields": stemmed_fields(model, other_languages),
                    "boost": OTHER_LANGUAGE_WEIGHT,
                }
            }
        )
    filters = compiler.get_filters()
    if query_vector is not None:
        should.append(knn_clause(query_vector, filters))
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}


def all_hits(client, index, query):
    """(pk, score) of every document matching the query, best first: pages of PAGE_SIZE under one point in time
    (so that documents indexed meanwhile neither shift nor repeat a page), each page after the last hit of the one
    before. Only the primary key comes back; the records themselves are read from the database."""
    point_in_time = client.open_point_in_time(index=index, keep_alive=POINT_IN_TIME_KEEP_ALIVE)["id"]
    hits = []
    after = None
    try:
        while True:
            response = client.search(
                query=query,
                pit={"id": point_in_time, "keep_alive": POINT_IN_TIME_KEEP_ALIVE},
                size=PAGE_SIZE,
                # _shard_doc breaks ties between equal scores, so that search_after resumes exactly where it was.
                sort=[{"_score": {"order": "desc"}}, {"_shard_doc": {"order": "asc"}}],
                track_total_hits=True,
                source=False,
                stored_fields=["pk"],
                **({"search_after": after} if after is not None else {}),
            )
            # Elasticsearch may give the point in time a new id with each response.
            point_in_time = response.get("pit_id", point_in_time)
            page = response["hits"]["hits"]
            hits.extend((int(hit["fields"]["pk"][0]), hit["_score"]) for hit in page)
            if len(page) < PAGE_SIZE or len(hits) >= response["hits"]["total"]["value"]:
                return hits
            after = page[-1]["sort"]
    finally:
        client.close_point_in_time(id=point_in_time)
