"""The one search service: validated parameters in; results, total and facet counts out.

It finds interventions and knowledge products alike; the content_type facet tells them apart. Full text goes through
Wagtail's search backend (search.text). What the visitor can see, what each filter lets through and what results are
ordered by come from a snapshot in memory of VisiblePage, FacetValue and the pages (search.snapshot), as sets of
keys, so that the results and every facet count are intersections of those sets. Facets are disjunctive: values of
one facet combine with OR, facets with AND, and each facet is counted with every other active filter applied but not
its own, so that a user can widen a selection.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils import translation

from interventions.models import InterventionPage

from .facets import FACETS
from .models import VisiblePage
from .record_types import load_results
from .snapshot import Snapshot, current_snapshot, current_text_index
from .text import text_match

SORTS = ("relevance", "evidence", "bcr", "title")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict = field(default_factory=dict)  # facet name -> tuple of selected values
    bcr_min: float | None = None
    has_cost: bool = False
    sort: str = ""  # relevance when there is a query, strength of evidence otherwise
    page: int = 1
    page_size: int = 20
    lang: str = "en"
    # False when the visitor asked for the query as typed ("Search instead for …"): no typo correction.
    correct: bool = True

    @property
    def effective_sort(self):
        if self.sort == "relevance" and not self.q:
            return "evidence"
        return self.sort or ("relevance" if self.q else "evidence")

    def selected(self, facet_name):
        return tuple(self.filters.get(facet_name, ()))

    @property
    def includes_interventions(self):
        """Whether interventions are among the kinds of page asked for (all kinds are, when none is selected)."""
        selected = self.selected("content_type")
        return not selected or "intervention" in selected

    @property
    def filter_count(self):
        """How many filters are on: each selected facet value, the minimum benefit-cost ratio, "has cost data"."""
        return sum(map(len, self.filters.values())) + (self.bcr_min is not None) + self.has_cost

    @property
    def has_filters(self):
        return bool(self.filter_count)


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    params: SearchParams
    count: int
    hits: list  # pages of the kinds in record_types.REGISTERED, each with `score` (None without a query)
    facets: dict  # facet name -> list of FacetCount
    corrected_query: str | None = None  # the query with its typos corrected: the results are for it
    terms: frozenset = frozenset()  # the stems the query matched, stemmed, corrected or synonym, to highlight

    @property
    def num_pages(self):
        return max(1, -(-self.count // self.params.page_size))

    @property
    def page_exists(self):
        """Whether the requested page is one of the result's pages; page 1 always is, even without results."""
        return self.params.page <= self.num_pages

    @property
    def intervention_count(self):
        """How many of the results are interventions (what the exports hold)."""
        if not self.params.includes_interventions:
            return 0
        return next((entry.count for entry in self.facets["content_type"] if entry.value == "intervention"), 0)


@dataclass
class Selection:
    """The keys of the pages a search selects, worked out once per request: `text_matches`, the pages the visitor can
    see that match the text (all of them without a query), and for each active filter the pages it lets through. The
    results, their count and every facet count are intersections of these sets, with those of the `snapshot` they
    were taken from."""

    text_matches: frozenset
    filters: dict  # facet name (or "bcr_min", "has_cost") -> keys of the pages the filter lets through
    scores: Callable | None  # relevance of some of the keys (None without a query)
    snapshot: Snapshot
    corrected_query: str | None = None  # the query with its typos corrected, when it had some
    terms: frozenset = frozenset()  # the stems the query may match, for highlighting

    def results(self, except_facet=None):
        keys = self.text_matches
        for name, allowed in self.filters.items():
            if name != except_facet:
                keys = keys & allowed
        return keys


def search_records(params):
    with translation.override(params.lang):
        selection = selection_for(params)
        results = selection.results()
        start = (params.page - 1) * params.page_size
        hits = ordered_hits(selection, results, params, start, start + params.page_size)
        return SearchResult(
            params=params,
            count=len(results),
            hits=hits,
            facets=facet_counts(selection, params),
            corrected_query=selection.corrected_query,
            terms=selection.terms,
        )


def all_intervention_keys(params):
    """The keys of every intervention among the results of a search, in its order, without pagination or facets:
    for exports, which read the pages a batch at a time."""
    if not params.includes_interventions:
        return []
    params = replace(params, filters={**params.filters, "content_type": ("intervention",)})
    selection = selection_for(params)
    return ranked_keys(selection, selection.results(), params, 0, None)[0]


def selection_for(params):
    """What a search selects (see Selection)."""
    snapshot = current_snapshot()
    text_matches, scores = snapshot.visible.get(params.lang, frozenset()), None
    corrected_query, terms = None, frozenset()
    if params.q.strip():
        match = text_match(params.q, params.lang, current_text_index(snapshot.token), correct=params.correct)
        text_matches, scores = text_matches & match.keys, match.scores
        corrected_query, terms = match.corrected_query, match.terms
    filters = {
        facet.name: snapshot.keys_with(facet.name, params.selected(facet.name))
        for facet in FACETS
        if params.selected(facet.name)
    }
    sort_values = snapshot.sort_values.items()
    if params.bcr_min is not None:
        filters["bcr_min"] = {
            key for key, values in sort_values if values.bcr_low is not None and values.bcr_low >= params.bcr_min
        }
    if params.has_cost:
        filters["has_cost"] = {key for key, values in sort_values if values.has_cost_data}
    return Selection(
        text_matches=text_matches,
        filters=filters,
        scores=scores,
        snapshot=snapshot,
        corrected_query=corrected_query,
        terms=terms,
    )


def descending(value):
    """A sort key that puts larger numbers first and missing ones last, as `DESC NULLS LAST` does."""
    return (value is None, -(value or 0))


def evidence_order(ranking):
    return (
        descending(ranking.evidence_rank),
        descending(ranking.strongest_design_rank),
        descending(ranking.study_count),
        ranking.title,
    )


# Knowledge products have no evidence rating or benefit-cost ratio: these orders put them after the interventions.
ORDERINGS = {
    "evidence": evidence_order,
    "bcr": lambda ranking: (descending(ranking.bcr_midpoint), *evidence_order(ranking)),
    "title": lambda ranking: ranking.title,
}


def ordered_hits(selection, keys, params, start, stop):
    """The pages with these keys from `start` to `stop` in the requested order (the key breaks ties), each the
    specific page with its `score` (None without a query)."""
    page_keys, relevance = ranked_keys(selection, keys, params, start, stop)
    if relevance is None:
        relevance = selection.scores(page_keys) if selection.scores is not None else {}
    pages = load_results(page_keys)
    hits = [pages[key] for key in page_keys if key in pages]
    for hit in hits:
        hit.score = relevance.get(hit.pk)
    return hits


def ranked_keys(selection, keys, params, start, stop):
    """The keys from `start` to `stop` in the requested order (the key breaks ties), and the relevance of every key
    when that is the order (None otherwise)."""
    sort_values = selection.snapshot.sort_values
    if params.effective_sort == "relevance":
        # Scores come from the search backend: every matching key is scored, then ranked.
        relevance = selection.scores(list(keys))

        def order(key):
            return (-relevance[key], *evidence_order(sort_values[key]), key)

    else:
        relevance = None

        def order(key, ranking_order=ORDERINGS[params.effective_sort]):
            return (ranking_order(sort_values[key]), key)

    ranked = sorted(keys, key=order) if stop is None else heapq.nsmallest(stop, keys, key=order)
    return ranked[start:stop], relevance


def visible_intervention_pages(language_code):
    return visible_pages(InterventionPage, language_code)


def visible_pages(model, language_code):
    """Live pages of a kind the search finds, private ones left out, as a visitor in this language sees them: each
    one's translation into the language where it exists, otherwise its original."""
    return model.objects.filter(pk__in=VisiblePage.objects.filter(language=language_code).values("page_id"))


def facet_counts(selection, params):
    """Counts for every facet value. Facets without a selection are counted over the results; each facet with a
    selection is counted without its own filter."""
    counts, results = {}, selection.results()
    for facet in FACETS:
        keys = selection.results(except_facet=facet.name) if params.selected(facet.name) else results
        counts[facet.name] = {
            value: count
            for value, value_keys in selection.snapshot.facet_keys.get(facet.name, {}).items()
            if (count := len(keys & value_keys))
        }
    facets = {}
    for facet in FACETS:
        selected = params.selected(facet.name)
        values = counts[facet.name] | {value: 0 for value in selected if value not in counts[facet.name]}
        labels = facet.labels_of(list(values))
        entries = [
            FacetCount(value=value, label=labels.get(value, value), count=count, selected=value in selected)
            for value, count in values.items()
        ]
        if facet.strength:
            facets[facet.name] = sorted(entries, key=lambda entry: -facet.strength.get(entry.value, 0))
        else:
            facets[facet.name] = sorted(entries, key=lambda entry: (-entry.count, entry.label.casefold()))
    return facets
