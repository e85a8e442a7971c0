"""Full-text matching through Wagtail's search backends. Whatever differs between the database backends and
Elasticsearch stays in this module: callers get the relevance of each matching intervention and never ask which
backend answered."""

import logging
from dataclasses import dataclass
from functools import reduce
from operator import or_

import elastic_transport
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from .facets import RECORD_TYPES
from .highlight import WORD

logger = logging.getLogger(__name__)

# Elasticsearch returns at most this many best hits; filters and facets then apply to them.
MAX_ELASTICSEARCH_HITS = 1000
FALLBACK_BACKEND = "database"
# How much more a word in the title counts than one elsewhere, in SQLite's bm25 (title boost 2 over the summary's
# 1.5 and the rest's 1 on the other backends; SQLite's index keeps the title apart from one body of everything else).
SQLITE_TITLE_WEIGHT = 5.0


@dataclass
class TextMatch:
    scores: dict  # primary key -> relevance, higher is better
    condition: Q  # the matching pages as a filter: subqueries where the backend has them, so that no keys are sent


def text_match(query, language_code):
    """The interventions and knowledge products that match the query text, with their relevance."""
    backend = get_search_backend()
    if is_elasticsearch(backend):
        try:
            scores = {}
            for model in RECORD_TYPES.values():
                scores |= dict(elasticsearch_hits(backend, model, query, language_code))
            return TextMatch(scores=scores, condition=Q(pk__in=list(scores)))
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as error:
            logger.warning("Elasticsearch is unreachable (%s); answering from the database search backend.", error)
            backend = get_search_backend(FALLBACK_BACKEND)
    if is_sqlite(backend):
        return sqlite_match(query)
    scores, conditions = {}, []
    for model in RECORD_TYPES.values():
        results = backend.search(query, model.objects.live(), operator="and", order_by_relevance=False)
        matches = results.annotate_score("_score").get_queryset()
        scores |= dict(matches.values_list("pk", "_score"))
        conditions.append(Q(pk__in=matches.values("pk")))
    return TextMatch(scores=scores, condition=reduce(or_, conditions))


def sqlite_match(query):
    """Wagtail's SQLite backend scores with one bm25 over all columns and computes it again for every row it returns
    (a correlated subquery). Here the index that backend maintains is read in one pass, weighing the title above
    the rest as PostgreSQL and Elasticsearch do. Every word must match, accents and case aside (FTS5 folds them)."""
    words = WORD.findall(query)
    if not words:
        return TextMatch(scores={}, condition=Q(pk__in=[]))
    match = "{title body} : (" + " AND ".join('"' + word.replace('"', '""') + '"' for word in words) + ")"
    content_types = ContentType.objects.get_for_models(*RECORD_TYPES.values()).values()
    params = [match, *(content_type.pk for content_type in content_types)]
    entries = IndexEntry._meta.db_table
    fts = f"{entries}_fts"
    # Only the model's table names and placeholders are formatted in; the query text is a parameter. CROSS JOIN
    # keeps the full-text index in the outer loop: in the other order SQLite runs the match once per entry.
    matched = f"FROM {fts} CROSS JOIN {entries} AS entry ON entry.id = {fts}.rowid "
    matched += f"WHERE {fts} MATCH %s AND entry.content_type_id IN ({', '.join('%s' for _ in content_types)})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT entry.object_id, bm25({fts}, 0.0, 1.0, {SQLITE_TITLE_WEIGHT}) {matched}", params)  # noqa: S608
        # bm25 is negative, lower for better matches.
        scores = {int(object_id): -score for object_id, score in cursor.fetchall()}
    keys = RawSQL(f"SELECT CAST(entry.object_id AS INTEGER) {matched}", params)  # noqa: S608, S611
    return TextMatch(scores=scores, condition=Q(pk__in=keys))


def is_sqlite(backend):
    if connection.vendor != "sqlite":
        return False  # the SQLite backend's module defines models that exist on SQLite only
    from wagtail.search.backends.database.sqlite.sqlite import SQLiteSearchBackend

    return isinstance(backend, SQLiteSearchBackend)


def is_elasticsearch(backend):
    return hasattr(backend, "es")


def elasticsearch_query(backend, model, query, language_code):
    """Wagtail's own query for the text (accent-folded, boosted, limited to live pages of the model), or the same
    words through the stemming analyzer of the visitor's language."""
    compiler = backend.search(query, model.objects.live(), operator="and").query_compiler
    stemmed_fields = [
        f"{compiler.mapping.get_field_column_name(field)}.{language_code}^{field.boost or 1}"
        for field in model.get_searchable_search_fields()
        if language_code in field.kwargs.get("es_extra", {}).get("fields", {})
    ]
    should = [compiler.get_inner_query()]
    if stemmed_fields:
        should.append({"multi_match": {"query": query, "fields": stemmed_fields, "operator": "and"}})
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": compiler.get_filters()}}


def elasticsearch_hits(backend, model, query, language_code):
    """(pk, score) of the best hits; only primary keys come back, the records themselves are read from the database."""
    response = backend.es.search(
        index=backend.get_index_for_model(model).name,
        query=elasticsearch_query(backend, model, query, language_code),
        size=MAX_ELASTICSEARCH_HITS,
        **{"_source": False, "stored_fields": "pk"},
    )
    return [(int(hit["fields"]["pk"][0]), hit["_score"]) for hit in response["hits"]["hits"]]
