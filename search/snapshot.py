"""What every search reads, held in each process's memory: which pages each language's visitors see, which pages
have each facet value, what results are filtered and ordered by, the analyzed text of those pages (search.lexical),
their passages' sentence vectors (search.embeddings) and the thesaurus.

Reading these from the database at every request cost more than everything else a search does (thousands of keys
sent back and forth for each facet count); in memory, filters and facet counts are intersections of sets. A search
asks the database only for the token of SearchDataVersion, which every change of these rows replaces in the same
transaction (see signal_handlers), and builds the snapshot afresh when the token differs from the one it holds.
"""

import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections
from django.db.models import Aggregate, TextField
from wagtail.models import Page

from .documents import read_documents
from .embeddings import DenseIndex, encoder
from .keys import rows_of
from .lexical import LexicalIndex, Thesaurus
from .models import DocumentVersion, FacetValue, SearchDataVersion, ThesaurusConcept, VisiblePage


@dataclass(frozen=True, slots=True)
class SortValues:
    """What a page the search finds is filtered and ordered by (the numbers are None for knowledge products)."""

    evidence_rank: int | None
    strongest_design_rank: int | None
    study_count: int | None
    title: str
    bcr_low: float | None
    bcr_midpoint: float | None
    has_cost_data: bool | None


@dataclass(frozen=True)
class Snapshot:
    token: uuid.UUID | None
    visible: dict  # language code -> frozenset of the keys of the pages its visitors see
    facet_keys: dict  # facet name -> {value: frozenset of the keys of the pages with that value}
    sort_values: dict  # key -> SortValues, for every page visible in some language

    def keys_with(self, facet_name, values):
        """The keys of the pages with any of these values of the facet."""
        values_keys = self.facet_keys.get(facet_name, {})
        return frozenset().union(*(values_keys.get(value, ()) for value in values))


_lock = threading.Lock()
_snapshot = None


def current_token():
    """The version of the search data now: the one read from the database at each request (search.response_cache
    keys its answers by it too)."""
    return SearchDataVersion.objects.values_list("token", flat=True).first()


def current_snapshot():
    """The snapshot of the current version, built if this process does not hold it yet."""
    global _snapshot
    token = current_token()
    snapshot = _snapshot
    if snapshot is None or snapshot.token != token:
        # One thread builds it; the others wait for it rather than each reading everything again.
        with _lock:
            snapshot = _snapshot
            if snapshot is None or snapshot.token != token:
                snapshot = _snapshot = build_snapshot(token)
    return snapshot


@dataclass(frozen=True)
class TextIndex:
    """The text side of the search data, of the version `token`: the analyzed text of every page visible in some
    language, the sentence vectors of their passages, and the thesaurus."""

    token: uuid.UUID | None
    lexical: LexicalIndex
    dense: DenseIndex  # in the lexical index's slots
    thesaurus: Thesaurus
    concepts: list  # what the thesaurus was built from
    versions: dict  # key -> DocumentVersion token (None without one) of each page, as its text was read
    seconds_per_page: float  # what reading and analyzing a page cost, in the first build


@dataclass(frozen=True)
class TextChanges:
    """The pages whose documents changed since a text index was built."""

    versions: dict  # key -> DocumentVersion token of every page visible now
    changed: list  # the keys of those added or changed since


_text_lock = threading.Lock()
_text_index = None
_text_rebuild = None  # the thread rebuilding the text index, while one does


def current_text_index(token):
    """The text index of this version: the one before updated with the pages changed since, or, while many pages
    are updated in the background, the one before (see settings.SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS)."""
    global _text_index
    index = _text_index
    if index is not None and index.token == token:
        return index
    with _lock:
        index = _text_index
        if index is None:
            index = _text_index = build_text_index(token)
        elif index.token != token and not rebuilding_in_background():
            changes = text_changes(index)
            if index.seconds_per_page * len(changes.changed) > settings.SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS:
                rebuild_in_background(token)
            else:
                index = _text_index = build_text_index(token, index, changes)
    return index


def rebuilding_in_background():
    return _text_rebuild is not None and _text_rebuild.is_alive()


def rebuild_in_background(token):
    global _text_rebuild
    with _text_lock:
        if rebuilding_in_background():
            return  # the next search after it ends sees whether the version moved on meanwhile
        _text_rebuild = threading.Thread(target=rebuild_text_index, args=(token,), daemon=True)
        _text_rebuild.start()


def rebuild_text_index(token):
    global _text_index
    try:
        _text_index = build_text_index(token, _text_index)
    finally:
        connection.close()  # the thread's own connection


def text_changes(index):
    """What changed since the index was built, from a few bytes per page (DocumentVersion). Read before the
    documents themselves: a page changed after this read has a new version, which the next build reads again."""
    versions = dict(
        rows_of(VisiblePage.objects.values_list("page_id", "page__search_document_version__token").distinct())
    )
    previous = {} if index is None else index.versions
    changed = [key for key, version in versions.items() if key not in previous or previous[key] != version]
    return TextChanges(versions=versions, changed=sorted(changed))


def build_text_index(token, previous=None, changes=None):
    """The text index of the pages visible now: built from `previous` when given, only the pages changed since
    read and analyzed again (the result is the same as a build from nothing)."""
    began = time.perf_counter()
    changes = changes or text_changes(previous)
    documents = read_documents(changes.changed)
    concepts = thesaurus_concepts()
    if previous is None:
        ordered = [documents[key] for key in sorted(documents)]
        lexical = LexicalIndex(ordered)
        dense = DenseIndex(ordered, lexical.position, len(lexical))
    else:
        lexical = previous.lexical.updated(changes.versions, documents)
        dense = previous.dense.updated(documents, lexical.position, len(lexical))
    same_thesaurus = previous is not None and previous.concepts == concepts
    seconds = time.perf_counter() - began
    return TextIndex(
        token=token,
        lexical=lexical,
        dense=dense,
        thesaurus=previous.thesaurus if same_thesaurus else Thesaurus(concepts),
        concepts=concepts,
        # A page read since it was deleted is not in the index: the next build tries it again.
        versions={key: version for key, version in changes.versions.items() if key in lexical.position},
        seconds_per_page=previous.seconds_per_page if previous else seconds / max(len(documents), 1),
    )


def warm_up():
    """Builds the snapshot and text index of the current version and loads the sentence encoder, for a server to call
    before it forks its workers (kb_site/gunicorn.py): they share that memory, copy on write, and none makes a visitor
    wait seconds for its first search. The connection is closed, so that no worker inherits it."""
    current_text_index(current_snapshot().token)
    encoder()
    connections.close_all()


def mark_changed():
    """Gives the search data a new version: to be called in the transaction that changes it."""
    if not SearchDataVersion.objects.update(token=uuid.uuid4()):
        SearchDataVersion.objects.create()


def mark_documents_changed(keys):
    """Gives these pages' documents (their text or their passages' vectors) new versions, and the search data a new
    one: to be called in the transaction that changes them."""
    DocumentVersion.objects.bulk_create(
        [DocumentVersion(page_id=key) for key in keys],
        update_conflicts=True,
        unique_fields=["page"],
        update_fields=["token"],
    )
    mark_changed()


class KeyList(Aggregate):
    """The keys of a group as one comma-separated text: tens of thousands of facet rows come back as a few hundred
    rows, one per facet value (SQLite and PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s::text, ',')"
        )


def build_snapshot(token):
    visible_pages = Page.objects.filter(pk__in=VisiblePage.objects.values("page_id"))
    sort_values = {
        key: SortValues(*ranking)
        for key, *ranking in rows_of(
            visible_pages.values_list(
                "pk",
                "interventionpage__evidence_rank",
                "interventionpage__strongest_design_rank",
                "interventionpage__study_count",
                "title",
                "interventionpage__bcr_low",
                "interventionpage__bcr_midpoint",
                "interventionpage__has_cost_data",
            )
        )
    }
    # Every set holds the very key objects of `sort_values`, not copies of them: a third of the snapshot's memory. A
    # page deleted between the reads is left out.
    same_key = {key: key for key in sort_values}
    visible = {}
    for language, key in rows_of(VisiblePage.objects.values_list("language", "page_id")):
        if key in same_key:
            visible.setdefault(language, set()).add(same_key[key])
    facet_keys = {}
    facet_values = FacetValue.objects.values("facet", "value").annotate(keys=KeyList("page_id"))
    for facet, value, keys in rows_of(facet_values.values_list("facet", "value", "keys")):
        facet_keys.setdefault(facet, {})[value] = frozenset(
            same_key[key] for key in map(int, keys.split(",")) if key in same_key
        )
    return Snapshot(
        token=token,
        visible={language: frozenset(keys) for language, keys in visible.items()},
        facet_keys=facet_keys,
        sort_values=sort_values,
    )


def thesaurus_concepts():
    """The labels of each thesaurus concept, in every language."""
    labels = {}
    for concept, label in ThesaurusConcept.objects.values_list("pk", "labels__label"):
        if label:
            labels.setdefault(concept, []).append(label)
    return list(labels.values())
