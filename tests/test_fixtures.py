"""The demo records are real, varied and cover what the platform promises."""

from collections import Counter

import pytest

from interventions.interchange import schema_validator, validate

pytestmark = pytest.mark.django_db

LATIN_AMERICA_AND_CARIBBEAN = set(
    [
        "AG",
        "AI",
        "AR",
        "AW",
        "BB",
        "BL",
        "BM",
        "BO",
        "BQ",
        "BR",
        "BS",
        "BZ",
        "CL",
        "CO",
        "CR",
        "CU",
        "CW",
        "DM",
        "DO",
        "EC",
        "GD",
        "GF",
        "GP",
        "GT",
        "GY",
        "HN",
        "HT",
        "JM",
        "KN",
        "KY",
        "LC",
        "MF",
        "MQ",
        "MS",
        "MX",
        "NI",
        "PA",
        "PE",
        "PR",
        "PY",
        "SR",
        "SV",
        "SX",
        "TC",
        "TT",
        "UY",
        "VC",
        "VE",
        "VG",
        "VI",
    ]
)


@pytest.fixture(scope="module")
def records(fixture_document):
    return {record["slug"]: record for record in fixture_document["interventions"]}


def test_fixture_file_is_valid(fixture_document):
    assert list(schema_validator().iter_errors(fixture_document)) == []
    assert validate(fixture_document) == []


def test_at_least_forty_interventions_over_every_pillar_and_rating(records):
    assert len(records) >= 40
    pillars = Counter(pillar for record in records.values() for pillar in record["pillars"])
    assert set(pillars) == {
        "protecting-vulnerable-populations",
        "strengthening-institutions",
        "disrupting-illicit-markets",
    }
    ratings = {record["evidence_rating"] for record in records.values()}
    assert ratings == {"effective", "promising", "mixed", "no-effect", "harmful", "insufficient"}


def test_most_are_from_latin_america_and_the_caribbean(records):
    regional = [slug for slug, record in records.items() if LATIN_AMERICA_AND_CARIBBEAN & set(record["countries"])]
    assert len(regional) > len(records) / 2


def test_every_record_has_a_cited_study_and_an_outcome(records):
    for slug, record in records.items():
        assert record["studies"] and all(len(study["citation"]) > 30 for study in record["studies"]), slug
        assert record["outcomes"], slug


def test_spanish_or_portuguese_translations_for_at_least_fifteen(records):
    translated = [slug for slug, record in records.items() if {"es", "pt"} & set(record.get("translations", {}))]
    assert len(translated) >= 15


def test_becoming_a_man(records):
    bam = records["becoming-a-man"]
    assert bam["evidence_rating"] == "effective"
    assert bam["benefit_cost_ratio"]["low"] == 5 and bam["benefit_cost_ratio"]["high"] == 30
    effects = {(o["domain"], o.get("effect_size", {}).get("value")) for o in bam["outcomes"]}
    assert ("violent-crime", -50) in effects
    assert any(o["domain"] == "education" and o.get("effect_size", {}).get("value") == 19 for o in bam["outcomes"])
    assert "Chicago" in " ".join(bam["places"])


def test_disque_denuncia(records):
    record = records["disque-denuncia"]
    assert record["start_year"] == 1995 and record["countries"] == ["BR"]
    assert any("Rio de Janeiro" in place for place in record["places"])
    text = record["summary"] + record["description_html"]
    assert "anonymous" in text.lower() and "24-hour" in text and "MovRio" in text


def test_track4tip(records):
    record = records["track4tip"]
    assert (record["start_year"], record["end_year"]) == (2019, 2024)
    assert len(record["countries"]) == 8
    assert "UNODC" in " ".join(record["implementers"]) + record["title"]
