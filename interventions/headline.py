"""The three figures at the top of an intervention's profile and result card: its impact as one comparable figure,
the strength of its evidence, and its cost. Plain functions over a page's studies and outcomes, so that tests, the
templates and the rating-method page share one rule."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabularies import STUDY_DESIGN_RANK, EffectMetric, StudyDesign

# Metrics a ministry can compare across interventions: a change in percent or in percentage points.
COMPARABLE_METRICS = (EffectMetric.PERCENT_CHANGE, EffectMetric.PERCENTAGE_POINTS)


class NoImpactReason(models.TextChoices):
    NO_EFFECT_SIZE = "no-effect-size", _("no effect size reported")
    ONLY_DESCRIPTIVE = "only-descriptive", _("only descriptive figures, without a comparison group")


class CostBand(models.TextChoices):
    LOW = "low", _("Low cost")
    MODERATE = "moderate", _("Moderate cost")
    HIGH = "high", _("High cost")
    VERY_HIGH = "very-high", _("Very high cost")


# Bands of the cost per participant, in US dollars of the price year. Costs in other currencies get no band: the site
# never converts between currencies.
BAND_CURRENCY = "USD"
COST_BAND_RANGES = {
    CostBand.LOW: _("under USD 100 per participant"),
    CostBand.MODERATE: _("from USD 100 to 1,000 per participant"),
    CostBand.HIGH: _("over USD 1,000 and up to 5,000 per participant"),
    CostBand.VERY_HIGH: _("over USD 5,000 per participant"),
}


def cost_band(amount, currency):
    """The band of a cost per participant, or None where there is no amount or it is not in US dollars."""
    if amount is None or currency != BAND_CURRENCY:
        return None
    if amount < 100:
        return CostBand.LOW
    if amount <= 1000:
        return CostBand.MODERATE
    if amount <= 5000:
        return CostBand.HIGH
    return CostBand.VERY_HIGH


def headline_outcome(outcomes, studies_by_key):
    """The outcome whose effect heads the profile: among the effects, the one from the study with the strongest
    design (then the higher Maryland level), preferring a comparable metric, then a significant result; the first
    in the record's order among equals. None when no outcome estimates an effect."""

    def strength(outcome):
        study = studies_by_key.get(outcome.study_key)
        return (
            STUDY_DESIGN_RANK.get(study.design, 0) if study else 0,
            (study.maryland_sms or 0) if study else 0,
            outcome.effect_metric in COMPARABLE_METRICS,
            outcome.significant is True,
        )

    # max() keeps the first of equals, so the record's order breaks ties.
    return max((outcome for outcome in outcomes if outcome.is_effect), key=strength, default=None)


def no_impact_reason(outcomes):
    if outcomes and not any(outcome.is_estimated for outcome in outcomes):
        return NoImpactReason.ONLY_DESCRIPTIVE
    return NoImpactReason.NO_EFFECT_SIZE


@dataclass(frozen=True)
class Impact:
    outcome: object  # Outcome, or None when no outcome estimates an effect
    study: object  # the Study that reports it, if the outcome names one
    no_figure_reason: str  # NoImpactReason label, when there is no outcome


@dataclass(frozen=True)
class Strength:
    rating: str
    rating_label: str
    rating_meaning: str
    design: str  # StudyDesign value of the strongest study, "" without studies
    design_label: str
    maryland_sms: int | None  # the highest Maryland level among the studies of that design


@dataclass(frozen=True)
class Cost:
    amount: float | None
    currency: str
    year: int | None
    band: CostBand | None
    bcr_low: float | None
    bcr_high: float | None

    @property
    def band_label(self):
        return self.band.label if self.band else ""

    @property
    def has_data(self):
        return self.amount is not None or self.bcr_low is not None


@dataclass(frozen=True)
class Headline:
    impact: Impact
    strength: Strength
    cost: Cost


def headline(page):
    """The headline of an intervention page, from its studies and outcomes as stored (or prefetched)."""
    studies = list(page.studies.all())
    outcomes = list(page.outcomes.all())
    by_key = {study.key: study for study in studies}
    outcome = headline_outcome(outcomes, by_key)
    impact = Impact(
        outcome=outcome,
        study=by_key.get(outcome.study_key) if outcome else None,
        no_figure_reason="" if outcome else no_impact_reason(outcomes).label,
    )
    strongest = [study for study in studies if study.design == page.strongest_design]
    levels = [study.maryland_sms for study in strongest if study.maryland_sms]
    strength = Strength(
        rating=page.evidence_rating,
        rating_label=page.get_evidence_rating_display(),
        rating_meaning=page.evidence_rating_meaning,
        design=page.strongest_design,
        design_label=StudyDesign(page.strongest_design).label if page.strongest_design else "",
        maryland_sms=max(levels, default=None),
    )
    cost = Cost(
        amount=page.cost_amount,
        currency=page.cost_currency,
        year=page.cost_year,
        band=cost_band(page.cost_amount, page.cost_currency),
        bcr_low=page.bcr_low,
        bcr_high=page.bcr_high,
    )
    return Headline(impact=impact, strength=strength, cost=cost)
