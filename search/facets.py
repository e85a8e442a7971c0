"""The one definition of each facet: its name (URL parameter and API key), heading, the values an intervention
has for it and how those values are labelled. The service, the search page and the API all read this list."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from interventions.models import InterventionType, OutcomeDomain, Pillar, Setting, TargetGroup
from interventions.vocabularies import EvidenceRating, StudyDesign


def vocabulary_labels(model):
    def labels(values):
        return {term.slug: term.label for term in model.objects.filter(slug__in=values)}

    return labels


def choice_labels(choices):
    def labels(values):
        return {value: str(label) for value, label in choices.choices if value in values}

    return labels


def country_labels(values):
    return {code: countries.name(code) or code for code in values}


def unique(values):
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Facet:
    name: str
    heading: str
    values_of: Callable  # InterventionPage -> list of values
    labels_of: Callable  # iterable of values -> {value: label in the active language}


FACETS = [
    Facet("pillar", _("Pillar"), lambda page: [term.slug for term in page.pillars.all()], vocabulary_labels(Pillar)),
    Facet(
        "intervention_type",
        _("Intervention type"),
        lambda page: [term.slug for term in page.intervention_types.all()],
        vocabulary_labels(InterventionType),
    ),
    Facet("country", _("Country"), lambda page: unique(page.countries), country_labels),
    Facet(
        "evidence_rating",
        _("Evidence rating"),
        lambda page: [page.evidence_rating],
        choice_labels(EvidenceRating),
    ),
    Facet(
        "setting", _("Setting"), lambda page: [term.slug for term in page.settings.all()], vocabulary_labels(Setting)
    ),
    Facet(
        "target_group",
        _("Target group"),
        lambda page: [term.slug for term in page.target_groups.all()],
        vocabulary_labels(TargetGroup),
    ),
    Facet(
        "outcome_domain",
        _("Outcome domain"),
        lambda page: unique(outcome.domain.slug for outcome in page.outcomes.all()),
        vocabulary_labels(OutcomeDomain),
    ),
    Facet(
        "study_design",
        _("Study design"),
        lambda page: unique(study.design for study in page.studies.all()),
        choice_labels(StudyDesign),
    ),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
