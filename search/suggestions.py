"""Ways on from a search that found nothing: the vocabulary terms nearest to its words, and the pillars to browse.
Every suggestion is a facet value, offered only if the search shows a visitor in that language some page with it."""

from dataclasses import dataclass

from django.utils import translation
from rapidfuzz import fuzz, process

from .analysis import fold
from .facets import FACETS_BY_NAME
from .snapshot import current_snapshot

# The vocabularies whose labels a query's words are compared with.
VOCABULARY_FACETS = ("intervention_type", "outcome_domain", "target_group", "setting")
# WRatio from 0 to 100: below this, a label has too little to do with the words to be worth offering.
MIN_SIMILARITY = 60
MAX_TERMS = 5


@dataclass(frozen=True)
class Suggestion:
    facet: str  # the facet's name, its URL parameter
    value: str
    label: str  # in the visitor's language


@dataclass(frozen=True)
class WaysOn:
    terms: list  # Suggestions of vocabulary terms, nearest first
    pillars: list  # Suggestions of pillars


def offered_values(snapshot, facet_name, language):
    """The facet's values that some page shown to visitors in this language has, with their labels."""
    visible = snapshot.visible.get(language, frozenset())
    values = [value for value, keys in snapshot.facet_keys.get(facet_name, {}).items() if not keys.isdisjoint(visible)]
    with translation.override(language):
        labels = FACETS_BY_NAME[facet_name].labels_of(values)
    return [Suggestion(facet_name, value, labels.get(value, value)) for value in values]


def nearest_terms(query, language, snapshot, limit=MAX_TERMS):
    """The vocabulary terms whose labels in the visitor's language are nearest to the query (rapidfuzz's WRatio over
    folded labels, so that neither case nor accents matter)."""
    candidates = [term for name in VOCABULARY_FACETS for term in offered_values(snapshot, name, language)]
    folded_query = fold(query)
    if not folded_query.strip():
        return []
    matches = process.extract(
        folded_query,
        {number: fold(term.label) for number, term in enumerate(candidates)},
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=MIN_SIMILARITY,
    )
    return [candidates[number] for _label, _score, number in matches]


def ways_on(params):
    """What to offer a visitor whose search found nothing."""
    snapshot = current_snapshot()
    pillars = sorted(offered_values(snapshot, "pillar", params.lang), key=lambda pillar: pillar.label.casefold())
    return WaysOn(terms=nearest_terms(params.q, params.lang, snapshot), pillars=pillars)
