"""Full-text matching through Wagtail's search backends. Whatever differs between the database backends and
Elasticsearch stays in this module: callers get the relevance of each matching intervention or knowledge product and
never ask which backend answered."""

import json
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import elastic_transport
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import CombinedExpression, RawSQL
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
    keys: set  # the primary keys of the matching pages
    scores: Callable  # some of those primary keys -> {primary key: relevance, higher is better}


def scores_among(scores):
    """`TextMatch.scores` for a backend that scores every match at once."""
    return lambda keys: {key: scores[key] for key in keys}


def text_match(query, language_code):
    """The interventions and knowledge products that match the query text, with their relevance."""
    backend = get_search_backend()
    if is_elasticsearch(backend):
        try:
            scores = {}
            for model in RECORD_TYPES.values():
                scores |= dict(elasticsearch_hits(backend, model, query, language_code))
            return TextMatch(keys=set(scores), scores=scores_among(scores))
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as error:
            logger.warning("Elasticsearch is unreachable (%s); answering from the database search backend.", error)
            backend = get_search_backend(FALLBACK_BACKEND)
    if is_sqlite(backend):
        return sqlite_match(query)
    return postgresql_match(backend, query)


def postgresql_match(backend, query):
    """Wagtail's PostgreSQL backend matches `title || body` in a join whose other indexes the planner may pick
    instead, and then reads every entry's body (kilobytes, TOASTed): tens of milliseconds per thousand interventions
    for each query that filters on the match, and it matches again whenever it ranks. Here Wagtail's own tsquery is
    matched once against the index entries alone, where their index (search/migrations/0004) is the only other way;
    Wagtail's own rank expression is then computed on the entries of the keys asked for, and on nothing else."""
    content_type_ids = [
        content_type.pk for content_type in ContentType.objects.get_for_models(*RECORD_TYPES.values()).values()
    ]
    model = next(iter(RECORD_TYPES.values()))
    compiler = backend.search(query, model.objects.all(), operator="and", order_by_relevance=False).query_compiler
    config = compiler.get_config(backend)
    tsquery = compiler.build_tsquery(compiler.query, config=config)
    document = CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField())
    # Matched on every entry, the kinds of page told apart afterwards: a filter on the content type could lead the
    # planner to its index instead of the text's.
    matching = IndexEntry.objects.annotate(document=document).filter(document=tsquery)
    with index_scans():
        rows = matching.values_list("content_type_id", "object_id")
        keys = {int(object_id) for content_type_id, object_id in rows if content_type_id in content_type_ids}
    # The vectors Wagtail's backend ranks a page by (its get_index_vectors), read from the entry itself.
    rank = compiler._build_rank_expression([(F("title"), F("title_norm")), (F("body"), 1.0)], config)

    def scores(some_keys):
        object_ids = RawSQL("SELECT unnest(%s::text[])", [[str(key) for key in some_keys]])  # noqa: S611
        entries = IndexEntry.objects.filter(content_type_id__in=content_type_ids, object_id__in=object_ids)
        ranked = entries.annotate(score=rank)
        return {int(object_id): score for object_id, score in ranked.values_list("object_id", "score")}

    return TextMatch(keys=keys, scores=scores)


@contextmanager
def index_scans():
    """PostgreSQL's planner prices a match on `title || body` as cheap as comparing two numbers, so where a word is
    common it scans the whole table, unpacking every body, rather than read the index or look entries up by key: it
    may not for the queries inside. The setting is back to what it was afterwards."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


def sqlite_match(query):
    """Wagtail's SQLite backend scores with one bm25 over all columns and computes it again for every row it returns
    (a correlated subquery). Here the index that backend maintains is read directly, weighing the title above the
    rest as PostgreSQL and Elasticsearch do. Every word must match, accents and case aside (FTS5 folds them)."""
    words = WORD.findall(query)
    if not words:
        return TextMatch(keys=set(), scores=scores_among({}))
    match = "{title body} : (" + " AND ".join('"' + word.replace('"', '""') + '"' for word in words) + ")"
    content_types = ContentType.objects.get_for_models(*RECORD_TYPES.values()).values()
    entries = IndexEntry._meta.db_table
    fts = f"{entries}_fts"
    # Only the model's table names and placeholders are formatted in; the query text is a parameter. CROSS JOIN
    # keeps the full-text index in the outer loop: in the other order SQLite runs the match once per entry.
    sql = "SELECT entry.object_id, entry.id "
    sql += f"FROM {fts} CROSS JOIN {entries} AS entry ON entry.id = {fts}.rowid "
    sql += f"WHERE {fts} MATCH %s AND entry.content_type_id IN ({', '.join('%s' for _ in content_types)})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *(content_type.pk for content_type in content_types)])
        entry_of = {int(object_id): entry_id for object_id, entry_id in cursor.fetchall()}

    def scores(keys):
        """bm25 of the entries of these keys only: common words match most entries, and bm25 costs as much as the
        match itself. The unary + keeps the rowid test out of the full-text index, which would otherwise run the
        match once per rowid."""
        key_of = {entry_of[key]: key for key in keys}
        sql = f"SELECT rowid, bm25({fts}, 0.0, 1.0, {SQLITE_TITLE_WEIGHT}) "
        sql += f"FROM {fts} WHERE {fts} MATCH %s "
        sql += "AND +rowid IN (SELECT value FROM json_each(%s))"
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, json.dumps(list(key_of))])
            # bm25 is negative, lower for better matches.
            return {key_of[entry_id]: -score for entry_id, score in cursor.fetchall()}

    return TextMatch(keys=set(entry_of), scores=scores)


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
