"""The demo records are real, varied and cover what the platform promises."""

import json
from collections import Counter

import pytest
from django.conf import settings

from interventions.interchange.exporter import export_document, normalize_record
from interventions.interchange.validation import schema_validator, validate
from search.gap_map import REGIONS

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


# The Caribbean, whose records are also in French (Haiti's language, and read in the French Caribbean).
CARIBBEAN = {
    "AG", "AI", "AW", "BB", "BL", "BM", "BQ", "BS", "CU", "CW", "DM", "DO", "GD", "GP", "HT", "JM", "KN", "KY", "LC",
    "MF", "MQ", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
}  # fmt: skip
EMMIE_TEXTS = ["mechanism_html", "moderators_html", "implementation_html", "transferability_html"]
# Words that read as foreign or clinical to the region's readers: Spanish says "detenciones", Brazilian Portuguese
# speaks of an "ensaio randomizado" outside medicine.
AVOIDED_WORDS = {"es": ["arrestos", "concienciación"], "pt": ["ensaio clínico"]}


@pytest.fixture(scope="module")
def records(fixture_document):
    return {record["slug"]: record for record in fixture_document["interventions"]}


def test_fixture_file_is_valid(fixture_document):
    assert list(schema_validator().iter_errors(fixture_document)) == []
    assert validate(fixture_document) == []


def test_at_least_eighty_interventions_over_every_pillar_and_rating(records):
    assert len(records) >= 80
    pillars = Counter(pillar for record in records.values() for pillar in record["pillars"])
    assert set(pillars) == {
        "protecting-vulnerable-populations",
        "strengthening-institutions",
        "disrupting-illicit-markets",
    }
    # Every pillar is well covered, illicit markets and financial flows included.
    assert min(pillars.values()) >= 20
    ratings = {record["evidence_rating"] for record in records.values()}
    assert ratings == {"effective", "promising", "mixed", "no-effect", "harmful", "insufficient"}


def test_at_least_sixty_are_from_latin_america_and_the_caribbean(records):
    regional = [slug for slug, record in records.items() if LATIN_AMERICA_AND_CARIBBEAN & set(record["countries"])]
    assert len(regional) >= 60


def test_every_record_has_a_cited_study_and_a_rated_one_its_outcomes(records):
    for slug, record in records.items():
        assert record["studies"] and all(len(study["citation"]) > 30 for study in record["studies"]), slug
        # Only a record whose evidence is insufficient may have no outcome a study measured.
        assert record.get("outcomes") or record["evidence_rating"] == "insufficient", slug
        assert all(outcome.get("study") for outcome in record.get("outcomes", [])), slug


def test_every_study_has_a_structured_citation(records):
    for slug, record in records.items():
        for study in record["studies"]:
            assert study["authors"] and study["title"] and study["publication_type"] and study["year"], (slug, study)
            if study["publication_type"] in ("journal-article", "working-paper", "report", "book-chapter"):
                assert study["venue"], (slug, study["key"])


def test_every_record_says_how_it_works_and_when_it_was_reviewed(records):
    for slug, record in records.items():
        for key in ["description_html", *EMMIE_TEXTS]:
            assert len(record.get(key, "")) > 80, (slug, key)
        assert record["last_reviewed"], slug


def test_every_record_is_in_spanish_and_portuguese_and_the_caribbean_ones_in_french(records):
    for slug, record in records.items():
        languages = {"es", "pt"} | ({"fr"} if CARIBBEAN & set(record["countries"]) else set())
        assert languages <= set(record["translations"]), slug
        for language in languages:
            translation = record["translations"][language]
            for key in ["title", "summary", "description_html", *EMMIE_TEXTS]:
                assert translation.get(key), (slug, language, key)
            assert len(translation.get("outcome_measures", [])) == len(record.get("outcomes", [])), (slug, language)


def test_translations_use_the_regions_words(records):
    for slug, record in records.items():
        for language, words in AVOIDED_WORDS.items():
            text = json.dumps(record["translations"].get(language, {}), ensure_ascii=False).lower()
            assert not [word for word in words if word in text], (slug, language)


def test_costs_are_given_where_a_source_gives_them(records):
    with_costs = [
        slug for slug, record in records.items() if {"cost_per_participant", "benefit_cost_ratio"} & record.keys()
    ]
    # Issue 13 asks for 25; only these could be confirmed in published sources (README, "Real data").
    assert len(with_costs) >= 8
    for slug in with_costs:
        source = records[slug].get("benefit_cost_ratio", {}).get("source_study")
        assert source is None or source in {study["key"] for study in records[slug]["studies"]}, slug


def test_descriptive_figures_are_not_effects(records):
    for slug in ["disque-denuncia", "trinidad-tobago-hot-spots", "track4tip", "container-control-programme"]:
        assert all(outcome["direction"] == "not-estimated" for outcome in records[slug]["outcomes"]), slug


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


def test_real_knowledge_products_under_every_pillar(records):
    products = json.loads((settings.BASE_DIR / "fixtures" / "knowledge_products.json").read_text(encoding="utf-8"))
    products = products["knowledge_products"]
    assert len(products) >= 6
    pillars = Counter(product["pillar"] for product in products)
    assert set(pillars) == {
        "protecting-vulnerable-populations",
        "strengthening-institutions",
        "disrupting-illicit-markets",
    }
    for product in products:
        assert product["url"].startswith("https://") or product["url"].startswith("http://hdl.handle.net/")
        assert {"es", "pt"} <= set(product["translations"]), product["slug"]
        assert set(product["related_interventions"]) <= set(records), product["slug"]


# The example searches the home and search pages offer, and what each must find first among the demo records.
EXAMPLES_FIND = {
    "reduce youth homicide": {"fica-vivo", "jovenes-construyendo-el-futuro", "focused-deterrence", "becoming-a-man"},
    "anonymous crime hotline": {"disque-denuncia"},
    "money laundering": {"anti-money-laundering-regimes", "fatf-grey-listing", "mexico-us-dollar-cash-deposit-limits"},
    "police legitimacy": {"procedural-justice-training", "metaketa-community-policing"},
}


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.usefixtures("shipped_records")
def test_the_example_searches_find_what_they_promise_in_every_language(language):
    from django.utils import translation

    from search.service import SearchParams, search_records
    from search.templatetags.search_tags import example_queries

    assert example_queries() == list(EXAMPLES_FIND)
    with translation.override(language):
        for example, expected in zip(example_queries(), EXAMPLES_FIND.values(), strict=True):
            result = search_records(SearchParams(q=example, lang=language, page_size=3))
            assert expected & {hit.slug for hit in result.hits}, (example, [hit.slug for hit in result.hits])


def test_every_country_of_the_records_is_in_a_gap_map_region(records):

    in_regions = {code for _label, codes in REGIONS.values() for code in codes}
    assert {code for record in records.values() for code in record["countries"]} <= in_regions


@pytest.mark.usefixtures("shipped_records")
def test_an_export_gives_back_every_shipped_record(fixture_document):
    def by_slug(doc):
        return {
            (record.get("locale", "en"), record["slug"]): normalize_record(record) for record in doc["interventions"]
        }

    assert by_slug(export_document()) == by_slug(fixture_document)
