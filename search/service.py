"""The one search service: validated parameters in; results, total and facet counts out.

It finds interventions and knowledge products alike; the content_type facet tells them apart. Full text goes through
Wagtail's search backend (search.text); what the visitor can see comes from VisiblePage and what each filter lets
through from FacetValue, each read once as a set of keys, so that the results and every facet count are
intersections of those sets. Facets are disjunctive: values of one facet combine with OR, facets with AND, and each
facet is counted with every other active filter applied but not its own, so that a user can widen a selection.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Count, F
from django.utils import translation
from wagtail.models import Page

from interventions.models import InterventionPage
from pillars.models import KnowledgeProductPage

from .facets import FACETS
from .keys import key_set, keys_of
from .models import FacetValue, VisiblePage
from .text import text_match
from .visibility import visible_keys

SORTS = ("relevance", "evidence", "bcr", "title")
# Knowledge products have no evidence rating or benefit-cost ratio: these orders put them after the interventions.
EVIDENCE_KEYS = [
    "interventionpage__evidence_rank",
    "interventionpage__strongest_design_rank",
    "interventionpage__study_count",
]
EVIDENCE_ORDER = [F(key).desc(nulls_last=True) for key in EVIDENCE_KEYS] + ["title"]
ORDERINGS = {
    "evidence": EVIDENCE_ORDER,
    "bcr": [F("interventionpage__bcr_midpoint").desc(nulls_last=True), *EVIDENCE_ORDER],
    "title": ["title", "pk"],
}
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
    def has_filters(self):
        return any(self.filters.values()) or self.bcr_min is not None or self.has_cost


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
    hits: list  # InterventionPage or KnowledgeProductPage, with `score` (None without a query)
    facets: dict  # facet name -> list of FacetCount

    @property
    def num_pages(self):
        return max(1, -(-self.count // self.params.page_size))

    @property
    def intervention_count(self):
        """How many of the results are interventions (what the exports hold)."""
        if not self.params.includes_interventions:
            return 0
        return next((entry.count for entry in self.facets["content_type"] if entry.value == "intervention"), 0)


@dataclass
class Selection:
    """The keys of the pages a search selects, worked out once per request: `base`, the pages the visitor can see
    that match the text, and for each active filter the pages it lets through. The results, their count and every
    facet count are intersections of these sets."""

    base: set
    filters: dict  # facet name (or "bcr_min", "has_cost") -> keys of the pages the filter lets through
    scores: Callable | None  # relevance of some of the keys (None without a query)

    def results(self, except_facet=None):
        keys = self.base
        for name, allowed in self.filters.items():
            if name != except_facet:
                keys = keys & allowed
        return keys


def search_interventions(params):
    with translation.override(params.lang):
        selection = select(params)
        results = selection.results()
        start = (params.page - 1) * params.page_size
        hits = ordered(results, params, selection.scores, start, start + params.page_size)
        return SearchResult(params=params, count=len(results), hits=hits, facets=facet_counts(selection, params))


def all_interventions(params):
    """Every intervention among the results of a search, in its order, without pagination or facets: for exports."""
    if not params.includes_interventions:
        return []
    params = replace(params, filters={**params.filters, "content_type": ("intervention",)})
    selection = select(params)
    return ordered(selection.results(), params, selection.scores, 0, None)


def select(params):
    """What a search selects (see Selection)."""
    base, scores = visible_keys(params.lang), None
    if params.q.strip():
        match = text_match(params.q, params.lang)
        base, scores = base & match.keys, match.scores
    filters = {
        facet.name: keys_of(
            FacetValue.objects.filter(facet=facet.name, value__in=params.selected(facet.name)).values_list("page_id")
        )
        for facet in FACETS
        if params.selected(facet.name)
    }
    interventions = InterventionPage.objects.values_list("pk")
    if params.bcr_min is not None:
        filters["bcr_min"] = keys_of(interventions.filter(bcr_low__gte=params.bcr_min))
    if params.has_cost:
        filters["has_cost"] = keys_of(interventions.filter(has_cost_data=True))
    return Selection(base=base, filters=filters, scores=scores)


def ordered(keys, params, scores, start, stop):
    """One page of the pages with these keys in the requested order, each the specific page with its `score` (None
    without a query)."""
    results = Page.objects.filter(pk__in=key_set(keys))
    if params.effective_sort == "relevance":
        # Scores come from the search backend, not from a column: rank the matching keys, then read one page.
        rows = results.values_list("pk", *EVIDENCE_KEYS, "title")
        relevance = scores([row[0] for row in rows])
        ranked = sorted(rows, key=lambda row: (-relevance[row[0]], *(-(value or 0) for value in row[1:4]), row[4]))
        page_keys = [row[0] for row in ranked[start:stop]]
    else:
        page_keys = list(results.order_by(*ORDERINGS[params.effective_sort]).values_list("pk", flat=True)[start:stop])
        relevance = scores(page_keys) if scores is not None else {}
    pages = specific_pages(page_keys)
    hits = [pages[key] for key in page_keys]
    for hit in hits:
        hit.score = relevance.get(hit.pk)
    return hits


def specific_pages(keys):
    """{key: page} of the interventions and knowledge products with these keys, with what results show of them: a
    query or two per kind of page, however many keys."""
    interventions = InterventionPage.objects.prefetch_related("pillars").in_bulk(keys)
    return interventions | KnowledgeProductPage.objects.select_related("pillar").in_bulk(keys)


def visible_interventions(language_code):
    return visible_pages(InterventionPage, language_code)


def visible_pages(model, language_code):
    """Live pages of a kind the search finds, as a visitor in this language sees them: each one's translation into
    the language where it exists, otherwise its original."""
    return model.objects.filter(pk__in=VisiblePage.objects.filter(language=language_code).values("page_id"))


def facet_counts(selection, params):
    """Counts for every facet value. Facets without a selection are counted together, over the results; each facet
    with a selection is counted without its own filter."""
    counts = {facet.name: {} for facet in FACETS}
    inactive = {facet.name for facet in FACETS if not params.selected(facet.name)}
    groups = [(inactive, selection.results())]
    groups += [({name}, selection.results(except_facet=name)) for name in counts.keys() - inactive]
    for facet_names, keys in groups:
        if not (facet_names and keys):
            continue
        rows = FacetValue.objects.filter(page_id__in=key_set(keys))
        # Over the results, every facet is counted and the selected ones set aside: naming the facets would lead
        # the database to read every row of each instead of the rows of each result.
        if facet_names != inactive:
            rows = rows.filter(facet__in=facet_names)
        for facet_name, value, count in rows.values_list("facet", "value").annotate(count=Count("page_id")):
            if facet_name in facet_names:
                counts[facet_name][value] = count
    facets = {}
    for facet in FACETS:
        selected = params.selected(facet.name)
        values = counts[facet.name] | {value: 0 for value in selected if value not in counts[facet.name]}
        labels = facet.labels_of(list(values))
        entries = [
            FacetCount(value=value, label=labels.get(value, value), count=count, selected=value in selected)
            for value, count in values.items()
        ]
        facets[facet.name] = sorted(entries, key=lambda entry: (-entry.count, entry.label.casefold()))
    return facets
