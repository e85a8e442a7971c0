"""Fixed value sets of the interchange format, with the labels and explanations users see."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceRating(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PROMISING = "promising", _("Promising")
    MIXED = "mixed", _("Mixed")
    NO_EFFECT = "no-effect", _("No effect")
    HARMFUL = "harmful", _("Harmful")
    INSUFFICIENT = "insufficient", _("Insufficient evidence")


EVIDENCE_RATING_MEANINGS = {
    EvidenceRating.EFFECTIVE: _(
        "Strong evidence (randomised or strong quasi-experimental studies) that it achieves its intended outcomes."
    ),
    EvidenceRating.PROMISING: _(
        "Some rigorous evidence of desirable effects, but not yet enough to call it effective."
    ),
    EvidenceRating.MIXED: _("Rigorous studies disagree, or effects are desirable on some outcomes and not others."),
    EvidenceRating.NO_EFFECT: _("Rigorous studies found no meaningful effect on the intended outcomes."),
    EvidenceRating.HARMFUL: _("Rigorous studies found it makes the intended outcomes worse."),
    EvidenceRating.INSUFFICIENT: _("Too little rigorous evaluation to judge whether it works."),
}

# Higher is stronger evidence that the intervention works; used to sort by strength of evidence.
EVIDENCE_RATING_RANK = {
    EvidenceRating.EFFECTIVE: 6,
    EvidenceRating.PROMISING: 5,
    EvidenceRating.MIXED: 4,
    EvidenceRating.NO_EFFECT: 3,
    EvidenceRating.HARMFUL: 2,
    EvidenceRating.INSUFFICIENT: 1,
}


class StudyDesign(models.TextChoices):
    META_ANALYSIS = "meta-analysis", _("Meta-analysis")
    SYSTEMATIC_REVIEW = "systematic-review", _("Systematic review")
    RCT = "rct", _("Randomised controlled trial")
    QUASI_EXPERIMENTAL = "quasi-experimental", _("Quasi-experimental")
    PRE_POST = "pre-post", _("Pre-post comparison")
    QUALITATIVE = "qualitative", _("Qualitative")
    COST_BENEFIT_ANALYSIS = "cost-benefit-analysis", _("Cost-benefit analysis")


STUDY_DESIGN_MEANINGS = {
    StudyDesign.META_ANALYSIS: _("Pools the effects of several rigorous studies statistically."),
    StudyDesign.SYSTEMATIC_REVIEW: _("Finds and appraises all studies on a question with an explicit method."),
    StudyDesign.RCT: _(
        "Participants or places are assigned to the intervention at random: the strongest single study."
    ),
    StudyDesign.QUASI_EXPERIMENTAL: _("Compares with a group that did not receive it, without random assignment."),
    StudyDesign.PRE_POST: _("Compares before and after, without a comparison group."),
    StudyDesign.QUALITATIVE: _("Describes how and why it works from interviews, observation or documents."),
    StudyDesign.COST_BENEFIT_ANALYSIS: _("Weighs the monetary value of its effects against its costs."),
}

# Strength of a design as evidence of impact; a cost-benefit analysis rests on an impact study of its own.
STUDY_DESIGN_RANK = {
    StudyDesign.META_ANALYSIS: 7,
    StudyDesign.SYSTEMATIC_REVIEW: 6,
    StudyDesign.RCT: 5,
    StudyDesign.QUASI_EXPERIMENTAL: 4,
    StudyDesign.PRE_POST: 3,
    StudyDesign.COST_BENEFIT_ANALYSIS: 2,
    StudyDesign.QUALITATIVE: 1,
}


# The Maryland Scientific Methods Scale (Sherman et al. 1997): how far a study rules out other explanations.
MARYLAND_LEVELS = {
    1: _("A correlation between the intervention and the outcome at one point in time."),
    2: _("Outcomes before and after the intervention, or a comparison group that may not be comparable."),
    3: _("Before and after, in places or groups with the intervention and comparable ones without it."),
    4: _("As level 3, in several places or groups, controlling for other factors that could explain the change."),
    5: _("Places or groups assigned to the intervention or to comparison at random."),
}


class Direction(models.TextChoices):
    DESIRABLE = "desirable", _("Desirable")
    UNDESIRABLE = "undesirable", _("Undesirable")
    NO_EFFECT = "no-effect", _("No effect")
    MIXED = "mixed", _("Mixed")
    # A descriptive figure without a comparison group or counterfactual: shown, never counted or drawn as an effect.
    NOT_ESTIMATED = "not-estimated", _("Not estimated (no comparison)")


class EffectMetric(models.TextChoices):
    PERCENT_CHANGE = "percent-change", _("Percent change")
    COHENS_D = "cohens-d", _("Cohen's d")
    HEDGES_G = "hedges-g", _("Hedges' g")
    ODDS_RATIO = "odds-ratio", _("Odds ratio")
    RISK_RATIO = "risk-ratio", _("Risk ratio")
    INCIDENCE_RATE_RATIO = "incidence-rate-ratio", _("Incidence rate ratio")
    PERCENTAGE_POINTS = "percentage-points", _("Percentage points")


class PublicationType(models.TextChoices):
    JOURNAL_ARTICLE = "journal-article", _("Journal article")
    WORKING_PAPER = "working-paper", _("Working paper")
    REPORT = "report", _("Report")
    BOOK = "book", _("Book")
    BOOK_CHAPTER = "book-chapter", _("Book chapter")
    THESIS = "thesis", _("Thesis")
    DATASET = "dataset", _("Dataset")
    WEB_PAGE = "web-page", _("Web page")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    ALL = "all", _("All")
