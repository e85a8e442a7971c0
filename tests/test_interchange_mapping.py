"""The interchange mapping (interventions/interchange/mapping.py) is the one place that says where each value of a
record is kept: the import, the export and the validation errors all read it."""

import pytest
from wagtail.models import Page

from interventions.interchange.exporter import export_document
from interventions.interchange.importer import import_document
from interventions.interchange.mapping import CHILDREN, NOT_IN_RECORDS, PAGE_FIELDS, VOCABULARY_FIELDS
from interventions.interchange.validation import InvalidFile, validate
from interventions.models import InterventionPage
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory, document

# Page fields with rules of their own in mapping.set_page_fields and page_record.
SPECIAL_PAGE_FIELDS = {"last_reviewed", "end_year", "ongoing"}


def test_every_field_an_editor_can_set_has_its_place_in_a_record():
    page_fields = {field.name for field in Page._meta.get_fields()}
    editable = {
        field.name
        for field in InterventionPage._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and field.editable
        and field.name not in page_fields
        and not field.primary_key
    }
    mapped = {field.attribute for field in PAGE_FIELDS} | SPECIAL_PAGE_FIELDS | set(VOCABULARY_FIELDS) | NOT_IN_RECORDS
    assert editable - mapped == set()
    for model, fields in CHILDREN.values():
        own = {field.name for field in model._meta.concrete_fields if field.editable} - {"id", "sort_order", "page"}
        assert own - {"domain"} == {field.attribute for field in fields}, model.__name__


GROUPED_VALUES = {
    "cost_per_participant": {"amount": 1200.5, "currency": "USD", "year": 2019},
    "benefit_cost_ratio": {"low": 5, "high": 30, "source_study": "s1"},
}


@pytest.mark.django_db
def test_grouped_values_go_in_and_come_out_at_their_paths(import_records):
    record = RecordFactory(slug="grouped-values", studies=[StudyFactory(key="s1")], **GROUPED_VALUES)
    record["outcomes"] = [OutcomeFactory(study="s1", effect_size={"metric": "risk-ratio", "value": 0.6})]
    (page,) = import_records(record)

    assert (page.cost_amount, page.cost_currency, page.cost_year) == (1200.5, "USD", 2019)
    assert (page.bcr_low, page.bcr_high, page.bcr_source_study) == (5, 30, "s1")
    (exported,) = export_document(InterventionPage.objects.filter(pk=page.pk))["interventions"]
    assert {key: exported[key] for key in GROUPED_VALUES} == GROUPED_VALUES
    assert exported["outcomes"][0]["effect_size"] == {"metric": "risk-ratio", "value": 0.6}
    assert exported["outcomes"][0]["study"] == "s1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("grouped", "path"),
    [
        ({"benefit_cost_ratio": {"low": 9, "high": 3}}, "benefit_cost_ratio.high"),
    ],
)
def test_a_model_error_is_reported_at_the_path_the_record_gives_it(grouped, path):
    errors = validate(document(RecordFactory(slug="misplaced", **grouped)))
    assert any(error.startswith(f"interventions[0].{path}: ") for error in errors), errors


@pytest.mark.django_db
def test_an_outcome_error_is_reported_at_its_path_in_the_record():
    effect = {"metric": "risk-ratio", "value": 0.6, "ci_low": 0.9, "ci_high": 0.7}
    record = RecordFactory(slug="bad-outcome", studies=[StudyFactory(key="s1")])
    record["outcomes"] = [OutcomeFactory(study="s1", effect_size=effect)]
    errors = validate(document(record))
    assert any(error.startswith("interventions[0].outcomes[0].effect_size.ci_low: ") for error in errors), errors
    with pytest.raises(InvalidFile) as invalid:
        import_document(document(record))
    assert invalid.value.errors == errors
