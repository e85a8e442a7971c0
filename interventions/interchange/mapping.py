"""Where each value of an interventions-v1 record is kept in the models: one declarative mapping, which the import
(record -> model), the export (model -> record) and the validation errors (model field -> record path) all read."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..models import (
    EMMIE_FIELDS,
    ExternalRating,
    InterventionLink,
    InterventionPage,
    InterventionType,
    Outcome,
    Pillar,
    Setting,
    Study,
    TargetGroup,
)

FORMAT = "interventions-v1"


@dataclass(frozen=True)
class Field:
    """A value of a record, at `path` ("summary", "cost_per_participant.amount"), kept in the model field
    `attribute`; `default` is what a record that leaves it out means."""

    path: str
    attribute: str
    default: object = None
    translated: bool = False  # a translation of the record may give its own text
    rich_text: bool = False  # HTML, sanitized on import

    def read(self, record):
        """The value a record gives, or the default."""
        *groups, key = self.path.split(".")
        for group in groups:
            record = record.get(group, {})
        return record.get(key, self.default)

    def write(self, record, value):
        *groups, key = self.path.split(".")
        for group in groups:
            record = record.setdefault(group, {})
        record[key] = value


def same_names(**defaults):
    """Fields kept under the record's own names."""
    return [Field(name, name, default) for name, default in defaults.items()]


# The fields of an intervention's page, beside those with rules of their own (set_page_fields, page_record): the
# title, slug and locale, `last_reviewed` (a date), `end_year` (null: it runs on) and the vocabulary terms.
PAGE_FIELDS = [
    Field("summary", "summary", "", translated=True),
    Field("description_html", "description", "", translated=True, rich_text=True),
    *(Field(f"{name}_html", name, "", translated=True, rich_text=True) for name in EMMIE_FIELDS),
    *same_names(
        also_known_as=[],
        age_min=None,
        age_max=None,
        genders=[],
        countries=[],
        places=[],
        start_year=None,
        implementers=[],
        evidence_rating="",
        tags=[],
    ),
    Field("cost_per_participant.amount", "cost_amount"),
    Field("cost_per_participant.currency", "cost_currency", ""),
    Field("cost_per_participant.year", "cost_year"),
    Field("benefit_cost_ratio.low", "bcr_low"),
    Field("benefit_cost_ratio.high", "bcr_high"),
    Field("benefit_cost_ratio.source_study", "bcr_source_study", ""),
]
TRANSLATED_FIELDS = [field for field in PAGE_FIELDS if field.translated]
RICH_TEXT_FIELDS = [field for field in PAGE_FIELDS if field.rich_text]
# Fields an editor sets that the format has no place for (the shared schema changes only with its owner): the public
# note of a change travels with a revision into the change log, not with the record.
NOT_IN_RECORDS = {"public_change_note"}
# Record key -> vocabulary model, for the many-to-many terms of an intervention.
VOCABULARY_FIELDS = {
    "pillars": Pillar,
    "intervention_types": InterventionType,
    "settings": Setting,
    "target_groups": TargetGroup,
}
STUDY_FIELDS = same_names(
    key="",
    citation="",
    year=None,
    design="",
    maryland_sms=None,
    sample_size=None,
    countries=[],
    doi="",
    url="",
    authors=[],
    title="",
    publication_type="",
    venue="",
    volume="",
    issue="",
    pages="",
)
# Beside the domain, a vocabulary term the import and export handle themselves.
OUTCOME_FIELDS = [
    Field("measure", "measure"),
    Field("direction", "direction"),
    Field("effect_size.metric", "effect_metric", ""),
    Field("effect_size.value", "effect_value"),
    Field("effect_size.ci_low", "ci_low"),
    Field("effect_size.ci_high", "ci_high"),
    Field("significant", "significant"),
    Field("follow_up_months", "follow_up_months"),
    Field("study", "study_key", ""),
]
EXTERNAL_RATING_FIELDS = same_names(source="", rating="", url="", assessed_year=None)
LINK_FIELDS = same_names(title="", url="")

# Each kind of child of a page: the record key of its list, its model and its fields.
CHILDREN = {
    "studies": (Study, STUDY_FIELDS),
    "outcomes": (Outcome, OUTCOME_FIELDS),
    "external_ratings": (ExternalRating, EXTERNAL_RATING_FIELDS),
    "links": (InterventionLink, LINK_FIELDS),
}


def set_fields(instance, fields, record):
    for field in fields:
        setattr(instance, field.attribute, field.read(record))


def record_fields(instance, fields):
    """The record's values of these fields of an instance (empty ones are pruned by the export)."""
    record = {}
    for field in fields:
        field.write(record, getattr(instance, field.attribute))
    return record


def error_paths(fields):
    """{model field: record path} where the names differ: where a model's validation error belongs in a record."""
    return {field.attribute: field.path for field in fields if field.attribute != field.path}


def build_child(key, item, **extra):
    """A page's child (a study, an outcome, ...) from its item in the record."""
    model, fields = CHILDREN[key]
    child = model(**extra)
    set_fields(child, fields, item)
    return child


def set_page_fields(page, record, translation=None):
    """Copies a record's own fields onto a page; a translation overrides the texts it translates."""
    translation = translation or {}
    set_fields(page, PAGE_FIELDS, record)
    for field in TRANSLATED_FIELDS:
        if translation.get(field.path):
            setattr(page, field.attribute, translation[field.path])
    page.title = translation.get("title") or record["title"]
    page.draft_title = page.title
    page.slug = record["slug"]
    page.last_reviewed = date_value(record.get("last_reviewed"))
    page.ongoing = "end_year" in record and record["end_year"] is None
    page.end_year = record.get("end_year")


def page_record(page):
    """The record's values of a page's own fields (not its terms, children or translations)."""
    record = {"slug": page.slug, "locale": page.locale.language_code, "title": page.title}
    record |= record_fields(page, PAGE_FIELDS)
    if page.last_reviewed is not None:
        record["last_reviewed"] = page.last_reviewed.isoformat()
    if page.ongoing:
        record["end_year"] = None
    elif page.end_year is not None:
        record["end_year"] = page.end_year
    return record


def date_value(text):
    """The date a record gives, or its text as it is when it is no date, for the model's validation to report."""
    if text is None:
        return None
    try:
        return InterventionPage._meta.get_field("last_reviewed").to_python(text)
    except ValidationError:
        return text
