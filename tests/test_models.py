"""The domain's own rules: validation the admin and the importer share, derived values, vocabularies."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from interventions.models import InterventionPage, Outcome, OutcomeDomain, Pillar, study_reference_errors
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


def consistency_errors(**fields):
    page = InterventionPage(title="x", summary="x", evidence_rating="promising", **fields)
    with pytest.raises(ValidationError) as raised:
        page.check_consistency()
    return raised.value.message_dict


def test_the_three_pillars_exist_from_the_first_migration():
    labels = {pillar.slug: pillar.labels["en"] for pillar in Pillar.objects.all()}
    assert labels == {
        "protecting-vulnerable-populations": "Protecting vulnerable populations",
        "strengthening-institutions": "Strengthening security and justice institutions",
        "disrupting-illicit-markets": "Disrupting illicit markets and financial flows",
    }
    assert all(set(pillar.labels) == {"en", "es", "pt", "fr"} for pillar in Pillar.objects.all())


def test_vocabulary_labels_follow_the_active_language():
    pillar = Pillar.objects.get(slug="strengthening-institutions")
    with translation.override("es"):
        assert pillar.label == "Fortalecimiento de las instituciones de seguridad y justicia"
    with translation.override("pt"):
        assert str(pillar) == "Fortalecimento das instituições de segurança e justiça"
    term = OutcomeDomain(slug="new-domain", labels={"en": "New domain"})
    with translation.override("fr"):
        assert term.label == "New domain"


def test_age_range_must_not_be_inverted():
    assert "age_max" in consistency_errors(age_min=18, age_max=12)


def test_benefit_cost_ratio_low_must_not_exceed_high():
    errors = consistency_errors(bcr_low=30, bcr_high=5)
    assert errors["bcr_high"] == ["The high benefit-cost ratio (5) is below the low one (30)."]


def test_a_high_ratio_needs_a_low_one():
    assert "bcr_low" in consistency_errors(bcr_high=5)


def test_end_year_must_not_precede_start_year():
    assert "end_year" in consistency_errors(start_year=2010, end_year=2005)


def test_a_running_intervention_has_no_end_year():
    assert "end_year" in consistency_errors(ongoing=True, end_year=2020)


def test_cost_needs_amount_currency_and_year():
    assert set(consistency_errors(cost_amount=100)) == {"cost_currency", "cost_year"}


def test_consistent_values_pass():
    InterventionPage(age_min=12, age_max=18, bcr_low=5, bcr_high=30, start_year=2009, end_year=2015).check_consistency()


@pytest.mark.parametrize(
    ("fields", "field_in_error"),
    [
        ({"effect_metric": "percent-change", "effect_value": -10, "ci_low": -5, "ci_high": 2}, "ci_low"),
        ({"effect_metric": "percent-change", "effect_value": -10, "ci_low": -20, "ci_high": -15}, "ci_high"),
        ({"effect_value": -10}, "effect_metric"),
        ({"ci_low": -1, "ci_high": 1}, "effect_value"),
    ],
)
def test_outcome_confidence_interval_must_surround_the_effect(fields, field_in_error):
    outcome = Outcome(measure="arrests", direction="desirable", **fields)
    with pytest.raises(ValidationError) as raised:
        outcome.clean()
    assert field_in_error in raised.value.message_dict


def test_outcomes_and_ratio_must_cite_studies_of_the_same_intervention():
    errors = list(study_reference_errors(["a", "b", "a"], ["a", "", "c"], "d"))
    assert [(field, position) for field, position, _ in errors] == [
        ("studies", 2),
        ("outcomes", 2),
        ("bcr_source_study", None),
    ]


def test_derived_values_of_a_record(import_records):
    studies = [StudyFactory(key="trial", design="rct"), StudyFactory(key="follow-up", design="quasi-experimental")]
    effective, harmful = import_records(
        RecordFactory(
            slug="effective-with-costs",
            evidence_rating="effective",
            studies=studies,
            outcomes=[OutcomeFactory(study="trial")],
            cost_per_participant={"amount": 1100, "currency": "USD", "year": 2013},
            benefit_cost_ratio={"low": 5, "high": 30, "source_study": "trial"},
        ),
        RecordFactory(slug="harmful", evidence_rating="harmful"),
    )
    assert effective.study_count == 2
    assert effective.strongest_design == "rct"
    assert effective.bcr_midpoint == 17.5
    assert effective.has_cost_data is True
    assert harmful.has_cost_data is False
    assert effective.evidence_rank > harmful.evidence_rank


def test_country_lists_accept_exactly_the_codes_they_offer():
    field = InterventionPage._meta.get_field("countries")
    offered = [code for code, _name in field.get_item_choices()]
    assert offered and all(code in field.allowed_values() for code in offered)
    assert not any(value in field.allowed_values() for value in ["XX", "br", "", "Brazil"])
    assert len(set(offered)) == len(field.allowed_values())
