"""Comparing two to four interventions side by side, at a shareable URL."""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def compare(client, *slugs, prefix=""):
    query = "&".join(f"i={slug}" for slug in slugs)
    response = client.get(f"{prefix}/compare/?{query}")
    return response, BeautifulSoup(response.content, "html.parser")


def row(soup, heading):
    header = soup.find("th", string=lambda text: text and text.strip() == heading)
    return [cell.get_text(" ", strip=True) for cell in header.find_parent("tr").find_all("td")]


@pytest.mark.usefixtures("shipped_records")
def test_side_by_side(client):
    response, soup = compare(client, "becoming-a-man", "scared-straight", "restorative-justice-conferencing")
    assert response.status_code == 200
    titles = [th.get_text(strip=True) for th in soup.select("thead th a")]
    assert titles[0].startswith("Becoming a Man") and len(titles) == 3
    assert row(soup, "Evidence rating") == ["Effective", "Harmful", "Effective"]
    assert row(soup, "Benefit-cost ratio") == ["5–30", "—", "3.7–8.1"]
    assert row(soup, "Cost per participant")[0] == "USD 2,383 (2022) · High cost"
    assert row(soup, "Countries")[0] == "United States of America"
    violent = row(soup, "Outcomes: Violent crime")
    assert "−50% Percent change" in violent[0]


@pytest.mark.usefixtures("shipped_records")
def test_the_comparison_follows_the_visitors_language(client):
    _, soup = compare(client, "one-summer-plus", "disque-denuncia", prefix="/es")
    titles = [th.get_text(strip=True) for th in soup.select("thead th a")]
    assert titles[0].startswith("Programa de empleos de verano")
    assert titles[1].startswith("Disque Denúncia")  # no Spanish translation: the original


@pytest.mark.parametrize(
    "slugs", [("becoming-a-man",), ("a", "b", "c", "d", "e"), ("becoming-a-man", "becoming-a-man")]
)
def test_two_to_four_different_interventions(client, slugs):
    response, soup = compare(client, *slugs)
    assert response.status_code == 400
    assert "from 2 to 4" in soup.find(role="alert").get_text()


def test_unknown_slugs_are_named(client):
    response, soup = compare(client, "becoming-a-man", "no-such-thing")
    assert response.status_code == 400
    assert "no-such-thing" in soup.find(role="alert").get_text()


@pytest.mark.usefixtures("shipped_records")
def test_search_results_can_be_picked_for_comparison(client):
    soup = BeautifulSoup(client.get("/search/?q=police").content, "html.parser")
    assert soup.find("button", attrs={"formaction": "/compare/"})
    assert soup.find("input", attrs={"name": "i", "type": "checkbox"})
