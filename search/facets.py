"""The one definition of each facet: its name (URL parameter and API key), heading, the values a page the search
finds (an intervention or a knowledge product) has for it and how those values are labelled. The service, the search
page and the API all read this list."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from interventions.models import InterventionType, OutcomeDomain, Pillar, Setting, TargetGroup
from interventions.vocabularies import (
    EVIDENCE_RATING_RANK,
    STUDY_DESIGN_RANK,
    EvidenceRating,
    StudyDesign,
)

from .record_types import REGISTERED, record_type


def vocabulary_labels(model):
    def labels(values):
        return {term.slug: term.label for term in model.objects.filter(slug__in=values)}

    return labels


def choice_labels(choices):
    def labels(values):
        return {value: str(label) for value, label in choices.choices if value in values}

    return labels


def record_type_labels(values):
    return {value: str(REGISTERED[value].label) for value in values if value in REGISTERED}


def related_values(relation, value_of=lambda term: term.slug):
    """Distinct values of what a page has through `relation` (terms or children; by default the terms' slugs); none
    for a kind of page without that relation."""

    def values(page):
        related = getattr(page, relation, None)
        return unique(value_of(item) for item in related.all()) if related is not None else []

    return values


def effect_domains(page):
    """The outcome domains where an intervention has an estimated effect: a descriptive figure without a comparison
    (not-estimated) is shown on its page but is no evidence of an effect, so it neither counts nor filters here."""
    outcomes = getattr(page, "outcomes", None)
    if outcomes is None:
        return []
    return unique(outcome.domain.slug for outcome in outcomes.all() if outcome.is_estimated)


def countries_of(page):
    return unique(getattr(page, "countries", []))


def evidence_rating_of(page):
    rating = getattr(page, "evidence_rating", "")
    return [rating] if rating else []


def country_labels(values):
    return {code: countries.name(code) or code for code in values}


def unique(values):
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Facet:
    name: str
    heading: str
    values_of: Callable  # page -> list of values
    labels_of: Callable  # iterable of values -> {value: label in the active language}
    # {value: rank, higher first} for a facet whose values have an order of their own (strength of evidence), which
    # lists them in that order rather than by count.
    strength: dict | None = None


FACETS = [
    Facet("content_type", _("Content"), record_type, record_type_labels),
    Facet("pillar", _("Pillar"), lambda page: [term.slug for term in page.pillar_terms()], vocabulary_labels(Pillar)),
    Facet(
        "intervention_type",
        _("Intervention type"),
        related_values("intervention_types"),
        vocabulary_labels(InterventionType),
    ),
    Facet("country", _("Country"), countries_of, country_labels),
    Facet(
        "evidence_rating",
        _("Evidence rating"),
        evidence_rating_of,
        choice_labels(EvidenceRating),
        strength=EVIDENCE_RATING_RANK,
    ),
    Facet("setting", _("Setting"), related_values("settings"), vocabulary_labels(Setting)),
    Facet("target_group", _("Target group"), related_values("target_groups"), vocabulary_labels(TargetGroup)),
    Facet(
        "outcome_domain",
        _("Outcome domain"),
        effect_domains,
        vocabulary_labels(OutcomeDomain),
    ),
    Facet(
        "study_design",
        _("Study design"),
        related_values("studies", lambda study: study.design),
        choice_labels(StudyDesign),
        strength=STUDY_DESIGN_RANK,
    ),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
