"""The search service: full text on every backend, disjunctive facets, filters, sorting, languages."""

import math
from collections import Counter

import pytest
from django.db import connection

from interventions.vocabularies import EVIDENCE_RATING_RANK, STUDY_DESIGN_RANK
from search.facets import FACETS
from search.service import SearchParams, search_records
from search.snapshot import current_snapshot, current_text_index
from search.text import text_match
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


def programme(slug, design="rct", outcomes=(("violent-crime", "desirable"),), **fields):
    """A record with one study of `design` and an outcome of that study for each (domain, direction)."""
    return RecordFactory(
        slug=slug,
        studies=[StudyFactory(key="main-study", design=design)],
        outcomes=[
            OutcomeFactory(study="main-study", domain=domain, measure=f"{domain} measure", direction=direction)
            for domain, direction in outcomes
        ],
        **fields,
    )


def corpus_records():
    """Synthetic records spread over the pillars, countries, ratings, designs and outcome domains the tests filter
    on, with costs and translations where the tests need them."""
    return [
        programme(
            "youth-mentoring",
            title="Youth mentoring with weekly sessions",
            summary="Mentors meet young people every week: a violence prevention programme.",
            countries=["US"],
            evidence_rating="effective",
            intervention_types=["mentoring"],
            settings=["school"],
            target_groups=["at-risk-youth"],
            outcomes=[("violent-crime", "desirable"), ("homicide", "desirable")],
            cost_per_participant={"amount": 1250, "currency": "USD", "year": 2022},
            benefit_cost_ratio={"low": 5, "high": 30},
        ),
        programme(
            "summer-jobs",
            title="Summer jobs for young people",
            summary="Paid summer work and a mentor for teenagers from high-crime neighbourhoods.",
            countries=["US"],
            intervention_types=["summer-employment"],
            target_groups=["at-risk-youth"],
            benefit_cost_ratio={"low": 3.5, "high": 8},
            translations={"es": {"title": "Programa de empleos de verano para jóvenes, ciudad de prueba"}},
        ),
        programme(
            "linha-denuncia",
            design="quasi-experimental",
            title="Linha Denúncia anonymous tip line",
            summary="A telephone hotline that takes anonymous tips about crimes.",
            pillars=["strengthening-institutions"],
            countries=["BR"],
            intervention_types=["crime-hotline"],
            outcomes=[("crime-reporting", "not-estimated"), ("homicide", "desirable")],
        ),
        programme(
            "jovenes-del-barrio",
            locale="es",
            title="Jóvenes del Barrio",
            summary="Jóvenes de barrios urbanos reciben formación para el empleo.",
            countries=["CO"],
            intervention_types=["employment-training"],
            outcomes=[("employment", "desirable")],
        ),
        programme(
            "medellin-cable-car",
            design="quasi-experimental",
            title="Cable car to the hillside neighbourhoods of Medellín",
            summary="Public transport and new public spaces in poor hillside neighbourhoods.",
            pillars=["protecting-vulnerable-populations", "strengthening-institutions"],
            countries=["CO"],
            evidence_rating="mixed",
            intervention_types=["urban-upgrading"],
            outcomes=[("homicide", "desirable"), ("violent-crime", "mixed")],
        ),
        programme(
            "kingpin-arrests",
            design="quasi-experimental",
            title="Arresting the leaders of trafficking organisations",
            pillars=["disrupting-illicit-markets"],
            countries=["MX"],
            evidence_rating="harmful",
            intervention_types=["kingpin-strategy"],
            outcomes=[("homicide", "undesirable")],
        ),
        programme(
            "drug-market-crackdowns",
            design="pre-post",
            title="Crackdowns on open-air drug markets",
            pillars=["disrupting-illicit-markets"],
            countries=["MX", "CO"],
            evidence_rating="no-effect",
            intervention_types=["crackdowns"],
            outcomes=[("drug-supply", "no-effect")],
        ),
        programme(
            "suspicious-transaction-reporting",
            design="qualitative",
            title="Suspicious transaction reporting by banks",
            summary="Rules that oblige banks to report transactions they find suspicious.",
            pillars=["disrupting-illicit-markets"],
            countries=["BR"],
            evidence_rating="insufficient",
            intervention_types=["anti-money-laundering"],
            settings=["financial-sector"],
            outcomes=[("illicit-financial-flows", "mixed")],
        ),
        programme(
            "restorative-conferencing",
            design="meta-analysis",
            title="Restorative conferences between victims and offenders",
            summary="Meetings of victims and offenders led by a facilitator, for violence prevention after a crime.",
            pillars=["strengthening-institutions"],
            countries=["CO", "BR"],
            evidence_rating="effective",
            intervention_types=["restorative-justice"],
            outcomes=[("recidivism", "desirable")],
            benefit_cost_ratio={"low": 1.2, "high": 2},
        ),
        programme(
            "hot-spots-patrols",
            title="Patrols at crime hot spots",
            summary="Police patrols sent to the few streets where most crime happens: violence prevention by presence.",
            pillars=["strengthening-institutions", "disrupting-illicit-markets"],
            countries=["BR"],
            intervention_types=["hot-spots-policing"],
            settings=["street", "police"],
            outcomes=[("violent-crime", "desirable"), ("homicide", "no-effect")],
        ),
        programme(
            "street-outreach",
            design="quasi-experimental",
            title="Street outreach workers",
            summary="Outreach workers mediate disputes before they end in shootings: violence prevention.",
            countries=["JM"],
            evidence_rating="mixed",
            intervention_types=["street-outreach"],
            outcomes=[("firearms-violence", "mixed")],
        ),
        programme(
            "family-cash-transfers",
            design="systematic-review",
            title="Cash transfers to families",
            countries=["BR"],
            intervention_types=["cash-transfer"],
            target_groups=["families"],
            cost_per_participant={"amount": 300, "currency": "USD", "year": 2021},
        ),
    ]


@pytest.fixture
def corpus(import_records):
    records = corpus_records()
    import_records(*records)
    return records


def record_values(record, facet_name):
    """What a record's interchange data says it has for a facet: computed without the application's code."""
    return set(
        {
            "content_type": ["intervention"],
            "pillar": record["pillars"],
            "intervention_type": record.get("intervention_types", []),
            "country": record.get("countries", []),
            "evidence_rating": [record["evidence_rating"]],
            "setting": record.get("settings", []),
            "target_group": record.get("target_groups", []),
            # Descriptive figures without a comparison are no evidence of an effect in their domain.
            "outcome_domain": [o["domain"] for o in record.get("outcomes", []) if o["direction"] != "not-estimated"],
            "study_design": [study["design"] for study in record.get("studies", [])],
        }[facet_name]
    )


def expected_facet_counts(records, facet_name, selected):
    matching = [
        record
        for record in records
        if all(record_values(record, name) & set(values) for name, values in selected.items() if name != facet_name)
    ]
    return Counter(value for record in matching for value in record_values(record, facet_name))


def facet_counts(result, facet_name):
    return {entry.value: entry.count for entry in result.facets[facet_name] if entry.count}


def slugs(result):
    return [hit.slug for hit in result.hits]


def search(**params):
    params.setdefault("page_size", 100)
    return search_records(SearchParams(**params))


def test_browsing_without_a_query_lists_every_intervention_with_facets(corpus):
    records = corpus
    result = search()
    assert result.count == len(records)
    for facet in FACETS:
        assert facet_counts(result, facet.name) == expected_facet_counts(records, facet.name, {}), facet.name


@pytest.mark.parametrize(
    "selected",
    [
        {"pillar": ("protecting-vulnerable-populations",)},
        {"pillar": ("disrupting-illicit-markets", "strengthening-institutions"), "country": ("BR", "CO")},
        {"evidence_rating": ("promising", "effective"), "study_design": ("rct",), "outcome_domain": ("homicide",)},
        {"country": ("MX",), "intervention_type": ("kingpin-strategy", "crackdowns")},
    ],
)
def test_facet_counts_are_disjunctive_and_match_the_records(corpus, selected):
    records = corpus
    result = search(filters=selected)
    expected_hits = [
        record["slug"]
        for record in records
        if all(record_values(record, name) & set(values) for name, values in selected.items())
    ]
    assert expected_hits and sorted(slugs(result)) == sorted(expected_hits)
    assert result.count == len(expected_hits)
    for facet in FACETS:
        assert facet_counts(result, facet.name) == expected_facet_counts(records, facet.name, selected), facet.name


@pytest.mark.usefixtures("corpus")
def test_values_of_one_facet_combine_with_or_and_facets_with_and():
    one = search(filters={"pillar": ("disrupting-illicit-markets",)}).count
    other = search(filters={"pillar": ("protecting-vulnerable-populations",)}).count
    either = search(filters={"pillar": ("disrupting-illicit-markets", "protecting-vulnerable-populations")}).count
    assert max(one, other) < either <= one + other
    both = search(filters={"pillar": ("disrupting-illicit-markets",), "country": ("CO",)})
    assert 0 < both.count < one
    assert all("CO" in hit.countries for hit in both.hits)


def test_a_selected_value_stays_listed_when_nothing_matches_it():
    result = search(q="Medellín", filters={"country": ("JM",)})
    assert result.count == 0
    jamaica = next(entry for entry in result.facets["country"] if entry.value == "JM")
    assert (jamaica.selected, jamaica.count, jamaica.label) == (True, 0, "Jamaica")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("denuncia", "linha-denuncia"),
        ("DENÚNCIA", "linha-denuncia"),
        ("JOVENES", "jovenes-del-barrio"),
        ("jóvenes del barrio", "jovenes-del-barrio"),
        ("medellin", "medellin-cable-car"),
    ],
)
@pytest.mark.usefixtures("corpus")
def test_full_text_ignores_accents_and_case(query, expected):
    assert expected in slugs(search(q=query))


def test_full_text_reaches_aliases_studies_outcomes_places_implementers_and_labels(import_records):
    record = RecordFactory(
        slug="everywhere",
        also_known_as=["Qwertyalias"],
        places=["Qwertyplace"],
        implementers=["Qwertyorg"],
        tags=["qwertytag"],
        studies=[StudyFactory(key="main-study", citation="Qwertycite, A. (2021). Report.")],
        outcomes=[{"domain": "homicide", "measure": "qwertymeasure rate", "direction": "desirable"}],
    )
    import_records(record)
    for word in ["qwertyalias", "qwertyplace", "qwertyorg", "qwertytag", "qwertycite", "qwertymeasure"]:
        assert slugs(search(q=word)) == ["everywhere"], word
    # Vocabulary labels in every language: "Homicidios" is the Spanish label of the homicide domain.
    assert "everywhere" in slugs(search(q="homicidios"))


@pytest.mark.usefixtures("corpus")
def test_portuguese_words_find_records_by_their_labels():
    # "Combate à lavagem de dinheiro" is the Portuguese label of its intervention type; its text is English.
    assert "suspicious-transaction-reporting" in slugs(search(q="lavagem de dinheiro", lang="pt"))


def test_title_ranks_above_summary_above_the_rest(import_records):
    in_description = RecordFactory(slug="in-description", description_html="<p>Zanzibarite appears here.</p>")
    in_title = RecordFactory(slug="in-title", title="Zanzibarite programme")
    in_summary = RecordFactory(slug="in-summary", summary="A zanzibarite summary.")
    import_records(in_description, in_summary, in_title)
    ranked = slugs(search(q="zanzibarite"))
    assert ranked[0] == "in-title"
    if connection.vendor == "postgresql":  # SQLite's index tells the title from the rest, not summary from body
        assert ranked == ["in-title", "in-summary", "in-description"]


def test_stemming_where_the_backend_has_it(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 index has no stemmer; PostgreSQL and Elasticsearch stem")
    assert "street-outreach" in slugs(search(q="shooting"))  # the record speaks of "shootings"


@pytest.mark.usefixtures("corpus")
def test_search_runs_in_the_visitors_language_and_falls_back_to_the_original():
    spanish = search(q="empleos de verano", lang="es")
    assert slugs(spanish)[0] == "summer-jobs"
    assert spanish.hits[0].title.startswith("Programa de empleos de verano")
    # The tip line has no French translation: French visitors find it by its original text.
    hotline = search(q="hotline", lang="fr")
    assert "linha-denuncia" in slugs(hotline)
    assert next(hit for hit in hotline.hits if hit.slug == "linha-denuncia").locale.language_code == "en"
    assert search(lang="es").count == search(lang="fr").count == search(lang="en").count


def test_minimum_benefit_cost_ratio_and_cost_data_filters(corpus):
    records = corpus

    def ratio_at_least(minimum):
        return sorted(r["slug"] for r in records if r.get("benefit_cost_ratio", {}).get("low", -1) >= minimum)

    assert slugs(search(bcr_min=5)) == ratio_at_least(5) == ["youth-mentoring"]
    assert sorted(slugs(search(bcr_min=3.5))) == ratio_at_least(3.5) == ["summer-jobs", "youth-mentoring"]
    with_cost = sorted(r["slug"] for r in records if {"cost_per_participant", "benefit_cost_ratio"} & r.keys())
    assert len(with_cost) == 4 and sorted(slugs(search(has_cost=True, page_size=100))) == with_cost


@pytest.mark.usefixtures("corpus")
def test_sorts():
    by_evidence = search(sort="evidence").hits
    ranks = [(hit.evidence_rank, hit.strongest_design_rank, hit.study_count) for hit in by_evidence]
    assert ranks == sorted(ranks, reverse=True)
    assert by_evidence[0].evidence_rating == "effective"
    assert slugs(search(sort="bcr"))[:3] == ["youth-mentoring", "summer-jobs", "restorative-conferencing"]
    titles = [hit.title for hit in search(sort="title").hits]
    assert titles == sorted(titles)


@pytest.mark.usefixtures("corpus")
def test_relevance_is_the_default_with_a_query_and_scores_are_given():
    result = search(q="violence")
    scores = [hit.score for hit in result.hits]
    assert len(scores) > 3
    assert result.params.effective_sort == "relevance"
    assert all(score is not None for score in scores) and scores == sorted(scores, reverse=True)
    assert all(hit.score is None for hit in search().hits)


@pytest.mark.usefixtures("corpus")
def test_a_page_scores_the_same_whichever_other_pages_are_scored_with_it():
    match = text_match("violence prevention", "en", current_text_index(current_snapshot().token))
    keys = sorted(match.keys)
    every_score = match.scores(keys)
    assert len(every_score) == len(keys) > 3
    assert match.scores(keys[:3]) == {key: every_score[key] for key in keys[:3]}


def test_pagination(corpus):
    first, second = search(page_size=10, sort="title"), search(page_size=10, page=2, sort="title")
    records = len(corpus)
    assert first.count == second.count == records and first.num_pages == math.ceil(records / 10)
    assert len(first.hits) == 10 and len(second.hits) == records - 10 and not set(slugs(first)) & set(slugs(second))
    assert search(page_size=10, page=first.num_pages + 1).hits == []


def test_no_results():
    result = search(q="xylophonequartz")
    assert result.count == 0 and result.hits == []
    assert all(entries == [] for entries in result.facets.values())


def test_a_descriptive_figure_does_not_place_an_intervention_in_its_outcome_domain(import_records):
    import_records(
        RecordFactory(
            slug="counted-calls",
            outcomes=[
                OutcomeFactory(study="main-study", domain="crime-reporting", direction="not-estimated"),
                OutcomeFactory(study="main-study", domain="homicide", direction="desirable"),
            ],
        )
    )
    assert "counted-calls" in slugs(search(filters={"outcome_domain": ("homicide",)}))
    assert "counted-calls" not in slugs(search(filters={"outcome_domain": ("crime-reporting",)}))


@pytest.mark.usefixtures("corpus")
def test_ratings_and_designs_are_listed_by_strength_other_facets_by_count():
    facets = search().facets
    ratings = [entry.value for entry in facets["evidence_rating"]]
    assert ratings == [rating for rating in EVIDENCE_RATING_RANK if rating in ratings]
    assert ratings[0] == "effective" and ratings[-1] == "insufficient"
    designs = [entry.value for entry in facets["study_design"]]
    assert designs == sorted(designs, key=lambda design: -STUDY_DESIGN_RANK[design])
    assert len(designs) == 6
    countries = [entry.count for entry in facets["country"]]
    assert len(set(countries)) > 1 and countries == sorted(countries, reverse=True)
