"""Matching a query's text. Whatever differs between the database backends and Elasticsearch stays in this module:
callers get the relevance of each matching intervention or knowledge product and never ask which backend answered.
On the database backends the words are matched by the search's text index (search.snapshot, search.lexical), the same
on SQLite and PostgreSQL; on Elasticsearch by Wagtail's Elasticsearch backend, unless it fails or its circuit is open
(search.circuit), when the database backend answers instead. Either way the words' ranking is
fused with the sentence vectors' (search.embeddings)."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from wagtail.search.backends import get_search_backend

from . import elasticsearch
from .circuit import ElasticsearchUnavailable, elasticsearch_circuit
from .embeddings import query_vector
from .health import note_backend_used
from .record_types import RECORD_TYPES

# Tuned on the development set (../shared/eval): see README's Search relevance section.
SIMILARITY_FLOOR = 0.25
DENSE_WEIGHT = 1.0
OTHER_LANGUAGE_FACTOR = 0.95


@dataclass
class TextMatch:
    keys: set  # the primary keys of the matching pages
    scores: Callable  # some of those primary keys -> {primary key: relevance, higher is better}
    corrected_query: str | None = None  # the query with its typos corrected, when it had some
    terms: frozenset = frozenset()  # the stems that matched, stemmed, corrected or synonym, for highlighting


def text_match(query, language_code, text_index, correct=True):
    """The interventions and knowledge products that match the query text, with their relevance: the words'
    ranking (Elasticsearch's, or the snapshot's lexical index on the database backends) fused with the sentence
    vectors' (search.embeddings), whichever backend answers. Typos are corrected unless `correct` is false."""
    lexical = text_index.lexical
    parsed = lexical.parse(query, language_code, text_index.thesaurus, correct=correct)
    backend = get_search_backend()
    fused = None
    if is_elasticsearch(backend):
        try:
            fused = elasticsearch_circuit.call(
                lambda: elasticsearch_scores(backend, parsed.corrected_query or query, query, language_code, lexical)
            )
            note_backend_used("elasticsearch")
        except ElasticsearchUnavailable:
            # The circuit logs Elasticsearch's failures, and skips it for a while after a few: the database answers.
            pass
    if fused is None:
        similarities = text_index.dense.similarities(query)
        fused = fuse(lexical.scores(parsed), similarities, lexical.languages, language_code)
        note_backend_used("database")
    matching = np.flatnonzero(fused > 0)
    scores = dict(zip(lexical.keys[matching].tolist(), fused[matching].tolist(), strict=True))
    return TextMatch(
        keys=set(scores),
        scores=scores_among(scores),
        corrected_query=parsed.corrected_query,
        terms=frozenset(parsed.terms),
    )


def elasticsearch_scores(backend, text, query, language_code, lexical):
    """The relevance of every page, in the order of the text index's keys: Elasticsearch scores words and meaning
    together (its query's kNN clause), for the text (the query with its typos corrected) and the query's vector."""
    hits = {}
    vector = query_vector(query)
    for model in RECORD_TYPES.values():
        hits |= dict(elasticsearch_hits(backend, model, text, language_code, vector))
    scores = np.zeros(len(lexical), dtype=np.float32)
    for key, score in hits.items():
        if key in lexical.position:
            scores[lexical.position[key]] = score
    return fuse(scores, np.full(len(lexical), -1.0, dtype=np.float32), lexical.languages, language_code)


def fuse(word_scores, similarities, page_languages, language_code):
    """One relevance per page from the words' scores and the passages' similarities: the word score as a share of
    the best one, plus the similarity's part above SIMILARITY_FLOOR, weighed by DENSE_WEIGHT. A page joins the
    results by its words, or by its meaning alone above the floor, so that a query about something the knowledge
    base does not cover finds little. Pages in another language than the visitor's count OTHER_LANGUAGE_FACTOR as
    much: a page that exists in the visitor's language comes first when it matches as well."""
    best = word_scores.max(initial=0.0)
    words = word_scores / best if best > 0 else word_scores
    meaning = np.clip((similarities - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR), 0, None)
    fused = words + DENSE_WEIGHT * meaning
    other_language = page_languages != language_code
    return np.where(other_language, fused * OTHER_LANGUAGE_FACTOR, fused).astype(np.float32)


def scores_among(scores):
    """`TextMatch.scores` for a backend that scores every match at once."""
    return lambda keys: {key: scores[key] for key in keys}


def is_elasticsearch(backend):
    return hasattr(backend, "es")


def elasticsearch_query(backend, model, query, language_code, query_vector=None):
    """The query for the text on Elasticsearch: any word, ranked, stemmed in every language, typos forgiven,
    synonyms added at search time, and the pages nearest in meaning (search.elasticsearch.text_query)."""
    return elasticsearch.text_query(backend, model, query, language_code, query_vector)


def elasticsearch_hits(backend, model, query, language_code, query_vector=None):
    """(pk, score) of every live page of the model that matches the text, however many (no cap: filters and facet
    counts then apply to all of them, as on the database side). Each request may take ELASTICSEARCH_TIMEOUT seconds,
    the backend's TIMEOUT being for index updates, and none is tried again: the database answers instead."""
    return elasticsearch.all_hits(
        backend.es.options(request_timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=0),
        backend.get_index_for_model(model).name,
        elasticsearch_query(backend, model, query, language_code, query_vector),
    )
