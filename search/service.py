"""The one search service: validated parameters in; results, total and facet counts out.

It finds interventions and knowledge products alike; the content_type facet tells them apart. Full text goes through
Wagtail's search backend (search.text); filters and facet counts are computed in SQL on FacetValue, with disjunctive
semantics: values of one facet combine with OR, facets with AND, and each facet is counted with every other active
filter applied but not its own, so that a user can widen a selection.
"""

from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_

from django.db.models import Count, F, Q
from django.utils import translation
from wagtail.models import Locale, Page

from interventions.models import InterventionPage
from pillars.models import KnowledgeProductPage

from .facets import FACETS, RECORD_TYPES
from .keys import key_set
from .models import FacetValue
from .text import text_match

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


def search_interventions(params):
    with translation.override(params.lang):
        base, scores = searched(params)
        results = filtered(base, params)
        start = (params.page - 1) * params.page_size
        hits = ordered(results, params, scores, start, start + params.page_size)
        return SearchResult(params=params, count=results.count(), hits=hits, facets=facet_counts(base, params))


def all_interventions(params):
    """Every intervention among the results of a search, in its order, without pagination or facets: for exports."""
    if not params.includes_interventions:
        return []
    params = replace(params, filters={**params.filters, "content_type": ("intervention",)})
    base, scores = searched(params)
    return ordered(filtered(base, params), params, scores, 0, None)


def searched(params):
    """The pages the visitor can see that match the query text, and how to score them (None without text)."""
    visible = [Q(pk__in=visible_pages(model, params.lang).values("pk")) for model in RECORD_TYPES.values()]
    base = Page.objects.filter(reduce(or_, visible))
    scores = None
    if params.q.strip():
        match = text_match(params.q, params.lang)
        base, scores = base.filter(pk__in=match.keys), match.scores
    # Worked out once: the results, the count and every facet count then start from these keys instead of each
    # working out again which translation the visitor sees and what the text matches.
    return Page.objects.filter(pk__in=key_set(base.values_list("pk", flat=True))), scores


def ordered(results, params, scores, start, stop):
    """One page of results in the requested order, each the specific page with its `score` (None without a query)."""
    if params.effective_sort == "relevance":
        # Scores come from the search backend, not from a column: rank the matching keys, then read one page.
        rows = results.values_list("pk", *EVIDENCE_KEYS, "title")
        relevance = scores([row[0] for row in rows])
        ranked = sorted(rows, key=lambda row: (-relevance[row[0]], *(-(value or 0) for value in row[1:4]), row[4]))
        keys = [row[0] for row in ranked[start:stop]]
    else:
        keys = list(results.order_by(*ORDERINGS[params.effective_sort]).values_list("pk", flat=True)[start:stop])
        relevance = scores(keys) if scores is not None else {}
    pages = specific_pages(keys)
    hits = [pages[key] for key in keys]
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
    live = model.objects.live()
    locale = Locale.objects.filter(language_code=language_code).first()
    if locale is None:
        return live.none()
    translated = live.filter(locale=locale).values("translation_key")
    return live.filter(Q(locale=locale) | (Q(is_translation=False) & ~Q(translation_key__in=translated)))


def filtered(queryset, params, except_facet=None):
    for facet in FACETS:
        values = params.selected(facet.name)
        if values and facet.name != except_facet:
            having_value = FacetValue.objects.filter(facet=facet.name, value__in=values).values("page_id")
            queryset = queryset.filter(pk__in=having_value)
    if params.bcr_min is not None:
        queryset = queryset.filter(interventionpage__bcr_low__gte=params.bcr_min)
    if params.has_cost:
        queryset = queryset.filter(interventionpage__has_cost_data=True)
    return queryset


def facet_counts(base, params):
    """Counts for every facet value. Facets without a selection share one query; each facet with a selection is
    counted without its own filter."""
    active = [facet for facet in FACETS if params.selected(facet.name)]
    inactive = [facet for facet in FACETS if not params.selected(facet.name)]
    counts = {facet.name: {} for facet in FACETS}
    groups = [(inactive, filtered(base, params))] + [([facet], filtered(base, params, facet.name)) for facet in active]
    for facets, queryset in groups:
        if not facets:
            continue
        rows = (
            FacetValue.objects.filter(facet__in=[facet.name for facet in facets], page__in=queryset.values("pk"))
            .values_list("facet", "value")
            .annotate(count=Count("page_id"))
        )
        for facet_name, value, count in rows:
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
