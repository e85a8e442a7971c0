"""The evidence gap map: its counts, filters and links, computed live from the published records."""

from collections import Counter, defaultdict

import pytest
from bs4 import BeautifulSoup

from interventions.models import InterventionPage
from interventions.vocabularies import EvidenceRating
from search.gap_map import REGIONS, Cell, gap_map
from search.service import SearchParams
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


def outcome(domain, direction="desirable", study="main-study"):
    return OutcomeFactory(study=study, domain=domain, measure=f"{domain} in the evaluation", direction=direction)


def map_records():
    """Synthetic records spread over the pillars, regions, types and domains: one with two types, one with two
    studies, one translated (counted once), one with a descriptive figure (no evidence in its domain)."""
    two_studies = [StudyFactory(key="main-study"), StudyFactory(key="follow-up", design="quasi-experimental")]
    return [
        RecordFactory(
            slug="hot-spots-policing",
            title="Police patrols at crime hot spots",
            pillars=["strengthening-institutions"],
            intervention_types=["hot-spots-policing"],
            countries=["CO"],
            evidence_rating="effective",
            studies=two_studies,
            outcomes=[outcome("violent-crime"), outcome("property-crime", "no-effect", study="follow-up")],
            translations={"es": {"title": "Patrullaje en puntos calientes"}},
        ),
        RecordFactory(
            slug="coca-eradication",
            title="Forced eradication of coca fields",
            pillars=["disrupting-illicit-markets"],
            intervention_types=["crop-eradication"],
            countries=["CO", "PE"],
            evidence_rating="no-effect",
            outcomes=[outcome("drug-supply", "no-effect")],
        ),
        RecordFactory(
            slug="alternative-crops",
            title="Support for farmers who give up coca",
            pillars=["disrupting-illicit-markets", "protecting-vulnerable-populations"],
            intervention_types=["alternative-development", "crop-eradication"],
            countries=["BO"],
            evidence_rating="promising",
            outcomes=[outcome("drug-supply"), outcome("economic-activity", "not-estimated")],
        ),
        RecordFactory(
            slug="cash-deposit-limits",
            title="Limits on cash deposits in US dollars",
            pillars=["disrupting-illicit-markets"],
            intervention_types=["anti-money-laundering"],
            countries=["MX"],
            evidence_rating="mixed",
            outcomes=[outcome("illicit-financial-flows", "mixed")],
        ),
        RecordFactory(
            slug="youth-cbt",
            title="Group therapy for boys at school",
            intervention_types=["cognitive-behavioural-therapy", "school-based-prevention"],
            countries=["US"],
            evidence_rating="effective",
            outcomes=[outcome("violent-crime"), outcome("education")],
        ),
        RecordFactory(
            slug="victim-offender-conferencing",
            title="Victim-offender conferencing",
            pillars=["strengthening-institutions"],
            intervention_types=["restorative-justice"],
            countries=["GB", "AU"],
            evidence_rating="effective",
            outcomes=[outcome("recidivism")],
        ),
    ]


@pytest.fixture
def records(import_records):
    """The records of map_records(), imported: the map is computed from the published pages."""
    records = map_records()
    import_records(*records)
    return records


def expected_cells(records):
    """Cells computed from the records alone: (type, domain) -> interventions, studies, ratings."""
    cells = defaultdict(lambda: {"interventions": 0, "studies": 0, "ratings": Counter()})
    for record in records:
        # Descriptive figures (not-estimated) are no evidence of an effect in their domain.
        domains = {o["domain"] for o in record.get("outcomes", []) if o["direction"] != "not-estimated"}
        for type_slug in record.get("intervention_types", []):
            for domain in domains:
                cell = cells[(type_slug, domain)]
                cell["interventions"] += 1
                cell["studies"] += len(record.get("studies", []))
                cell["ratings"][record["evidence_rating"]] += 1
    return dict(cells)


def actual_cells(the_map):
    return {
        key: {"interventions": cell.interventions, "studies": cell.studies, "ratings": +cell.ratings}
        for key, cell in the_map.cells.items()
    }


def test_counts_equal_the_records(records):
    assert actual_cells(gap_map(SearchParams())) == expected_cells(records)
    assert gap_map(SearchParams()).cell("crop-eradication", "drug-supply").interventions == 2


def test_pillar_and_region_filters(records):
    pillar = "disrupting-illicit-markets"
    countries = set(REGIONS["south-america"][1])
    filtered = [
        record for record in records if pillar in record["pillars"] and countries & set(record.get("countries", []))
    ]
    assert {record["slug"] for record in filtered} == {"coca-eradication", "alternative-crops"}
    params = SearchParams(filters={"pillar": (pillar,), "country": tuple(countries)})
    assert actual_cells(gap_map(params)) == expected_cells(filtered)


@pytest.mark.usefixtures("records")
def test_unpublished_records_leave_the_map():
    page = InterventionPage.objects.get(slug="coca-eradication", locale__language_code="en")
    before = gap_map(SearchParams()).cell("crop-eradication", "drug-supply").interventions
    page.unpublish()
    assert gap_map(SearchParams()).cell("crop-eradication", "drug-supply").interventions == before - 1


@pytest.mark.usefixtures("records")
def test_page_cells_link_to_the_search_with_both_filters(client):
    response = client.get("/gap-map/?pillar=disrupting-illicit-markets&region=south-america")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    link = soup.select_one("table.gap-map td a")
    href = link["href"]
    assert href.startswith("/search/?pillar=disrupting-illicit-markets&country=")
    assert "&intervention_type=" in href and "&outcome_domain=" in href
    search = BeautifulSoup(client.get(href).content, "html.parser")
    count = search.find("p", class_="result-count").get_text(" ", strip=True)
    assert count.startswith(f"{link['data-interventions']} result")


def test_unknown_region_is_a_400(client):
    response = client.get("/gap-map/?region=atlantis")
    assert response.status_code == 400
    assert "region" in BeautifulSoup(response.content, "html.parser").find(role="alert").get_text()


def test_a_cells_bar_is_its_ratings_side_by_side():
    cell = Cell(interventions=3, ratings=Counter(harmful=1, effective=2))
    assert [(share.rating, share.percent, share.offset) for share in cell.rating_shares] == [
        ("effective", 67, 0),
        ("harmful", 33, 67),
    ]


def test_the_region_filter_covers_every_country_of_the_records(client, records):
    in_regions = {code for _label, codes in REGIONS.values() for code in codes}
    assert {code for record in records for code in record["countries"]} <= in_regions
    # A record from outside the Americas is on the map of the rest of the world.
    rest = BeautifulSoup(client.get("/gap-map/?region=rest-of-the-world").content, "html.parser")
    assert rest.find("option", value="rest-of-the-world", selected=True).get_text() == "Rest of the world"
    params = SearchParams(filters={"country": REGIONS["rest-of-the-world"][1]})
    assert actual_cells(gap_map(params)) == expected_cells([records[-1]])


@pytest.mark.usefixtures("records")
def test_the_legend_names_each_rating_colour_and_a_gap(client):
    legend = BeautifulSoup(client.get("/gap-map/").content, "html.parser").select_one(".gap-map-legend")
    keys = {item.get_text(strip=True): item.select_one(".swatch")["class"] for item in legend.select("li")}
    assert keys == {rating.label: ["swatch", f"rating-{rating.value}"] for rating in EvidenceRating} | {
        "Gap: no evaluated intervention": ["swatch", "gap"]
    }
    assert "the large number counts the interventions" in legend.get_text()


@pytest.mark.usefixtures("records")
def test_cells_give_the_interventions_first_and_show_gaps(client):
    soup = BeautifulSoup(client.get("/es/gap-map/").content, "html.parser")
    # The map scrolls in its own box; its header row and first column are header cells that stay at the box's edges.
    scroller = soup.select_one("div.gap-map-scroll")
    assert scroller["role"] == "region" and scroller["tabindex"] == "0"
    table = scroller.find("table", class_="gap-map")
    assert {th["scope"] for th in table.select("thead th")} == {"col"}
    assert {th["scope"] for th in table.select("tbody th")} == {"row"}
    cells = table.select("tbody td")
    counted = [cell for cell in cells if cell.find("a")]
    gaps = [cell for cell in cells if "gap" in cell.get("class", [])]
    assert counted and gaps and len(counted) + len(gaps) == len(cells)
    for cell in counted:
        link = cell.find("a")
        assert link.select_one(".gap-count").get_text() == link["data-interventions"]
        assert link.select_one(".gap-studies").get_text().endswith(("estudio", "estudios"))
    assert any(" ".join(cell.a.get_text().split()).startswith("1 intervención, ") for cell in counted)
    # A gap is an empty cell, hatched; the legend says so (a map of a thousand cells stays within the page budget).
    assert {gap.get_text(strip=True) for gap in gaps} == {""}
