"""Whether an interventions-v1 document can be imported, and every reason it cannot: values no database can store,
then the schema, then the models' own rules, each placed at its path in the file."""

import json
from functools import cache, partial
from pathlib import Path

import jsonschema
import jsonschema_rs
from django.core.exceptions import ValidationError
from wagtail.models import Page

from ..json_files import json_path, unstorable_value_errors
from ..models import InterventionPage, study_reference_errors
from .mapping import CHILDREN, FORMAT, PAGE_FIELDS, build_child, error_paths, set_page_fields

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / f"{FORMAT}.schema.json"
PAGE_TREE_FIELDS = [f.name for f in Page._meta.get_fields() if f.concrete and f.name != "title"]
# An intervention that runs on has no end year: the record says so with `end_year: null`.
PAGE_ERROR_PATHS = {**error_paths(PAGE_FIELDS), "ongoing": "end_year"}


class InvalidFile(Exception):
    """The file cannot be imported; `errors` lists every problem as 'json.path: message'."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def schema_validator():
    """jsonschema, the reference implementation: it says why a document is invalid."""
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())


@cache
def compiled_schema_validator():
    """A compiled validator of the same schema, a hundred times faster, for the documents that are valid (nearly
    every one, and the largest). Formats are left unchecked, as jsonschema leaves "uri" unchecked without its
    optional packages; the models check URLs."""
    return jsonschema_rs.validator_for(schema(), validate_formats=False)


def parse(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidFile([f"$: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]) from None


def validate(document):
    """Every reason the document cannot be imported: values no database can store first, then the schema, then the
    rules of the domain."""
    errors = unstorable_value_errors(document)
    if errors:
        return errors
    if compiled_schema_validator().is_valid(document):
        schema_errors = []
    else:
        schema_errors = sorted(schema_validator().iter_errors(document), key=lambda error: list(map(str, error.path)))
    if schema_errors:
        return [f"{json_path(error.absolute_path)}: {error.message}" for error in schema_errors]
    errors = []
    seen = {}
    for position, record in enumerate(document["interventions"]):
        path = f"interventions[{position}]"
        identity = (record.get("locale", "en"), record["slug"])
        if identity in seen:
            errors.append(f"{path}.slug: '{record['slug']}' is also the slug of interventions[{seen[identity]}]")
        seen[identity] = position
        if identity[0] in record.get("translations", {}):
            errors.append(f"{path}.translations.{identity[0]}: a record cannot translate itself into its own locale")
        errors.extend(translation_errors(record, path))
        errors.extend(record_errors(record, path))
    return errors


def translation_errors(record, path):
    """A translation's outcome measures stand for the record's outcomes one by one, in their order."""
    outcomes = len(record.get("outcomes", []))
    for language_code, translation in record.get("translations", {}).items():
        if "outcome_measures" in translation and (measures := len(translation["outcome_measures"])) != outcomes:
            yield (
                f"{path}.translations.{language_code}.outcome_measures: {measures} measure(s) for {outcomes} "
                "outcome(s); give one translated measure per outcome, in the order of the outcomes"
            )


def record_errors(record, path):
    """Checks one schema-valid record against the models' own validation, without touching the database."""
    page = InterventionPage()
    set_page_fields(page, record)
    errors = model_errors(partial(page.clean_fields, exclude=PAGE_TREE_FIELDS), path, PAGE_ERROR_PATHS)
    errors += model_errors(page.check_consistency, path, PAGE_ERROR_PATHS)
    for key, (_model, fields) in CHILDREN.items():
        for position, item in enumerate(record.get(key, [])):
            check = partial(build_child(key, item).full_clean, exclude=["page", "domain"])
            errors += model_errors(check, f"{path}.{key}[{position}]", error_paths(fields))
    references = study_reference_errors(
        [study["key"] for study in record.get("studies", [])],
        [outcome.get("study") for outcome in record.get("outcomes", [])],
        record.get("benefit_cost_ratio", {}).get("source_study"),
    )
    for key, position, message in references:
        location = {
            "studies": f"studies[{position}].key",
            "outcomes": f"outcomes[{position}].study",
            "bcr_source_study": "benefit_cost_ratio.source_study",
        }[key]
        errors.append(f"{path}.{location}: {message}")
    return errors


def model_errors(check, path, error_paths):
    """Runs a model validation and places each of its messages at the record path of its field."""
    try:
        check()
    except ValidationError as error:
        return [
            f"{path}.{error_paths.get(name, name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []
