"""Comparing two to four interventions side by side, at a shareable URL."""

import pytest
from bs4 import BeautifulSoup

from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


def compare(client, *slugs, prefix=""):
    query = "&".join(f"i={slug}" for slug in slugs)
    response = client.get(f"{prefix}/compare/?{query}")
    return response, BeautifulSoup(response.content, "html.parser")


def row(soup, heading):
    header = soup.find("th", string=lambda text: text and text.strip() == heading)
    return [cell.get_text(" ", strip=True) for cell in header.find_parent("tr").find_all("td")]


def violent_crime(value):
    return OutcomeFactory(
        study="trial", domain="violent-crime", effect_size={"metric": "percent-change", "value": value}
    )


@pytest.fixture
def compared(import_records):
    trial = [StudyFactory(key="trial", design="rct")]
    return import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Group therapy for boys at school",
            evidence_rating="effective",
            countries=["US"],
            cost_per_participant={"amount": 2383, "currency": "USD", "year": 2022},
            benefit_cost_ratio={"low": 5, "high": 30, "source_study": "trial"},
            studies=trial,
            outcomes=[violent_crime(-44), violent_crime(-50)],
        ),
        RecordFactory(
            slug="prison-visits-for-youth",
            title="Prison visits for young people",
            evidence_rating="harmful",
            countries=["US"],
            cost_per_participant={"amount": 105, "currency": "USD", "year": 2015},
            studies=trial,
            outcomes=[violent_crime(25)],
        ),
        RecordFactory(
            slug="victim-offender-conferencing",
            title="Victim-offender conferencing",
            evidence_rating="effective",
            countries=["GB", "AU"],
            benefit_cost_ratio={"low": 3.7, "high": 8.1, "source_study": "trial"},
            studies=trial,
            outcomes=[OutcomeFactory(study="trial", domain="recidivism", measure="repeat convictions")],
        ),
    )


@pytest.mark.usefixtures("compared")
def test_side_by_side(client):
    response, soup = compare(client, "youth-cbt", "prison-visits-for-youth", "victim-offender-conferencing")
    assert response.status_code == 200
    titles = [th.get_text(strip=True) for th in soup.select("thead th a")]
    assert titles == [
        "Group therapy for boys at school",
        "Prison visits for young people",
        "Victim-offender conferencing",
    ]
    assert row(soup, "Evidence rating") == ["Effective", "Harmful", "Effective"]
    assert row(soup, "Benefit-cost ratio") == ["5–30", "—", "3.7–8.1"]
    assert row(soup, "Cost per participant")[0] == "USD 2,383 (2022) · High cost"
    assert row(soup, "Countries")[0] == "United States of America"
    violent = row(soup, "Outcomes: Violent crime")
    assert "−50% Percent change" in violent[0]


def test_the_comparison_follows_the_visitors_language(client, import_records):
    import_records(
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers",
            translations={"es": {"title": "Empleos de verano para adolescentes"}},
        ),
        RecordFactory(
            slug="crime-hotline",
            title="Anonymous crime hotline",
            translations={"pt": {"title": "Disque-denúncia anônimo"}},
        ),
    )
    _, soup = compare(client, "summer-jobs", "crime-hotline", prefix="/es")
    titles = [th.get_text(strip=True) for th in soup.select("thead th a")]
    assert titles == ["Empleos de verano para adolescentes", "Anonymous crime hotline"]  # no Spanish: the original


@pytest.mark.parametrize(
    "slugs", [("becoming-a-man",), ("a", "b", "c", "d", "e"), ("becoming-a-man", "becoming-a-man")]
)
def test_two_to_four_different_interventions(client, slugs):
    response, soup = compare(client, *slugs)
    assert response.status_code == 400
    assert "from 2 to 4" in soup.find(role="alert").get_text()


def test_unknown_slugs_are_named(client, import_records):
    import_records(RecordFactory(slug="youth-cbt"))
    response, soup = compare(client, "youth-cbt", "no-such-thing")
    assert response.status_code == 400
    alert = soup.find(role="alert").get_text()
    assert "no-such-thing" in alert and "youth-cbt" not in alert


def test_search_results_can_be_picked_for_comparison(client, import_records):
    import_records(
        RecordFactory(slug="foot-patrols", title="Police foot patrols", summary="Police officers walk the beat."),
        RecordFactory(slug="police-training", title="Training for police officers", summary="Police learn to listen."),
    )
    soup = BeautifulSoup(client.get("/search/?q=police").content, "html.parser")
    assert soup.find("button", attrs={"formaction": "/compare/"})
    picks = soup.find_all("input", attrs={"name": "i", "type": "checkbox"})
    assert sorted(pick["value"] for pick in picks) == ["foot-patrols", "police-training"]
