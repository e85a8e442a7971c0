"""An import asks a compiled schema validator whether a document is valid and asks jsonschema, the reference
implementation, why only when it is not: the verdict and the messages must be jsonschema's whatever the document,
including where the two implementations read the schema differently (regular expressions, non-finite numbers)."""

import copy
import math
from unittest import mock

import pytest

from interventions.interchange import validation
from interventions.interchange.validation import validate

# The rules of the domain, checked after the schema, read the database.
pytestmark = pytest.mark.django_db


def refusing_validator():
    return mock.Mock(is_valid=lambda document: False)


def set_field(key, value):
    return lambda record: record.update({key: value})


def drop_field(key):
    return lambda record: record.pop(key)


MUTATIONS = {
    "unchanged": lambda record: None,
    "wrong type": set_field("title", 42),
    "empty title": set_field("title", ""),
    "title of 255 characters outside the BMP": set_field("title", "\U0001f600" * 255),
    "title of 256 characters outside the BMP": set_field("title", "\U0001f600" * 256),
    "unknown evidence rating": set_field("evidence_rating", "miracle"),
    "missing summary": drop_field("summary"),
    "unknown key": set_field("colour", "blue"),
    "no pillar": set_field("pillars", []),
    "repeated pillar": set_field("pillars", ["strengthening-institutions"] * 2),
    "age below the minimum": set_field("age_min", -1),
    "whole number written as a decimal": set_field("age_min", 5.0),
    "age as a boolean": set_field("age_min", True),
    "age not a number": set_field("age_min", math.nan),
    "ratio of infinity": set_field("benefit_cost_ratio", {"low": math.inf}),
    "country in lower case": set_field("countries", ["br"]),
    "country followed by a newline": set_field("countries", ["BR\n"]),
    "slug with Arabic digits": set_field("slug", "programme-\u0661\u0662"),
    "slug with capitals": set_field("slug", "Programme"),
    "end year null": set_field("end_year", None),
    "translation into an unknown locale": set_field("translations", {"xx": {"title": "T"}}),
    "study without a citation": lambda record: record["studies"][0].pop("citation"),
    "DOI with a no-break space": lambda record: record["studies"][0].update(doi="10.1234/a\u00a0b"),
    "DOI followed by a newline": lambda record: record["studies"][0].update(doi="10.1234/ab\n"),
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_validation_gives_what_jsonschema_alone_gives(fixture_document, mutation):
    document = copy.deepcopy(fixture_document)
    mutation(document["interventions"][0])
    with mock.patch.object(validation, "compiled_schema_validator", refusing_validator):
        reference = validate(document)
    assert validate(document) == reference
