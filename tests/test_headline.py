"""The headline of an intervention: which effect it shows, the strength of its evidence and its cost band."""

import pytest
from bs4 import BeautifulSoup

from interventions.headline import CostBand, NoImpactReason, cost_band, headline
from search.gap_map import gap_map
from search.service import SearchParams
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


def effect(study, metric, value, **fields):
    return OutcomeFactory(study=study, effect_size={"metric": metric, "value": value}, **fields)


def chosen(import_records, studies, outcomes):
    (page,) = import_records(RecordFactory(studies=studies, outcomes=outcomes))
    impact = headline(page).impact
    return impact.outcome.measure if impact.outcome else impact.no_figure_reason


def test_the_strongest_design_wins_over_a_more_comparable_metric(import_records):
    studies = [StudyFactory(key="before-after", design="pre-post"), StudyFactory(key="trial", design="rct")]
    outcomes = [
        effect("before-after", "percent-change", -60, measure="before and after", significant=True),
        effect("trial", "cohens-d", -0.2, measure="trial"),
    ]
    assert chosen(import_records, studies, outcomes) == "trial"


def test_then_the_higher_maryland_level(import_records):
    studies = [
        StudyFactory(key="weaker", design="quasi-experimental", maryland_sms=3),
        StudyFactory(key="stronger", design="quasi-experimental", maryland_sms=4),
    ]
    outcomes = [effect("weaker", "percent-change", -30, measure="weaker"), effect("stronger", "cohens-d", 0.1)]
    outcomes[1]["measure"] = "stronger"
    assert chosen(import_records, studies, outcomes) == "stronger"


def test_then_a_comparable_metric_then_a_significant_result(import_records):
    studies = [StudyFactory(key="trial", design="rct")]
    outcomes = [
        effect("trial", "odds-ratio", 0.7, measure="odds", significant=True),
        effect("trial", "percentage-points", 2.0, measure="not significant", significant=False),
        effect("trial", "percent-change", -12, measure="significant", significant=True),
    ]
    assert chosen(import_records, studies, outcomes) == "significant"


def test_a_descriptive_figure_is_never_the_headline(import_records):
    studies = [StudyFactory(key="trial", design="rct"), StudyFactory(key="weaker", design="pre-post")]
    outcomes = [
        effect("trial", "percent-change", -80, measure="calls received", direction="not-estimated"),
        effect("weaker", "percent-change", -10, measure="an effect"),
    ]
    assert chosen(import_records, studies, outcomes) == "an effect"


@pytest.mark.parametrize(
    "outcomes, reason",
    [
        ([OutcomeFactory(study="main-study", direction="not-estimated")], NoImpactReason.ONLY_DESCRIPTIVE),
        ([OutcomeFactory(study="main-study")], NoImpactReason.NO_EFFECT_SIZE),
        ([], NoImpactReason.NO_EFFECT_SIZE),
    ],
)
def test_without_an_effect_the_headline_says_why(client, import_records, outcomes, reason):
    (page,) = import_records(RecordFactory(outcomes=outcomes))
    assert headline(page).impact.outcome is None and headline(page).impact.no_figure_reason == reason.label
    text = BeautifulSoup(client.get(page.url).content, "html.parser").find(class_="headline").get_text(" ", strip=True)
    assert f"No comparable effect figure {reason.label.capitalize()}." in text


def test_the_strength_names_the_rating_and_the_strongest_designs_maryland_level(import_records):
    studies = [
        StudyFactory(key="a", design="quasi-experimental", maryland_sms=4),
        StudyFactory(key="b", design="rct", maryland_sms=4),
        StudyFactory(key="c", design="rct", maryland_sms=5),
    ]
    (page,) = import_records(RecordFactory(evidence_rating="effective", studies=studies, outcomes=[]))
    strength = headline(page).strength
    assert (strength.rating_label, strength.design_label, strength.maryland_sms) == (
        "Effective",
        "Randomised controlled trial",
        5,
    )


@pytest.mark.parametrize(
    "amount, band",
    [
        (0, CostBand.LOW),
        (99.99, CostBand.LOW),
        (100, CostBand.MODERATE),
        (1000, CostBand.MODERATE),
        (1000.01, CostBand.HIGH),
        (5000, CostBand.HIGH),
        (5000.01, CostBand.VERY_HIGH),
    ],
)
def test_cost_band_edges(amount, band):
    assert cost_band(amount, "USD") == band


def test_other_currencies_get_no_band_and_no_conversion(client, import_records):
    assert cost_band(50, "MXN") is None and cost_band(None, "USD") is None
    record = RecordFactory(cost_per_participant={"amount": 12500, "currency": "MXN", "year": 2021})
    (page,) = import_records(record)
    cost = BeautifulSoup(client.get(page.url).content, "html.parser").select(".headline-item")[2]
    text = cost.get_text(" ", strip=True)
    assert "MXN 12,500 (2021) per participant" in text and "Cost band shown for US-dollar costs only." in text
    assert not cost.find(class_="band") and "USD" not in text


def test_no_cost_data(client, import_records):
    (page,) = import_records(RecordFactory())
    cost = BeautifulSoup(client.get(page.url).content, "html.parser").select(".headline-item")[2]
    assert cost.get_text(" ", strip=True) == "Cost No cost data"


def test_descriptive_figures_are_not_drawn_in_the_forest_plot(client, import_records):
    outcomes = [
        effect("main-study", "percent-change", -20, measure="an effect"),
        effect("main-study", "percent-change", 300, measure="calls received", direction="not-estimated"),
    ]
    (page,) = import_records(RecordFactory(outcomes=outcomes))
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    plot = soup.find(class_="forest-plot").get_text(" ")
    assert "an effect" in plot and "calls received" not in plot
    rows = {row.find_all("td")[1].get_text(): row.find_all("td") for row in soup.select("table.outcomes tbody tr")}
    assert rows["calls received"][2].get_text() == "Not estimated (no comparison)"
    assert rows["calls received"][3].get_text() == "—" and rows["an effect"][3].get_text().startswith("−20%")


def test_descriptive_figures_do_not_count_in_the_gap_map(import_records):
    def cell():
        return gap_map(SearchParams()).cell("street-outreach", "victim-satisfaction").interventions

    before = cell()
    descriptive = OutcomeFactory(study="main-study", domain="victim-satisfaction", direction="not-estimated")
    import_records(RecordFactory(intervention_types=["street-outreach"], outcomes=[descriptive]))
    assert cell() == before
    estimated = OutcomeFactory(study="main-study", domain="victim-satisfaction", direction="no-effect")
    import_records(RecordFactory(intervention_types=["street-outreach"], outcomes=[estimated]))
    assert cell() == before + 1
