"""The server-rendered search page at /search/: a GET form, shareable URLs, escaped highlights."""

import re

import pytest
from bs4 import BeautifulSoup

from pillars.models import KnowledgeProductPage
from search.highlight import highlight
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db


def youth_mentoring(**fields):
    """An effective programme with a benefit-cost ratio, as the result cards show it."""
    return RecordFactory(
        **{
            "slug": "youth-mentoring",
            "title": "Youth mentoring with weekly sessions",
            "countries": ["US"],
            "evidence_rating": "effective",
            "benefit_cost_ratio": {"low": 5, "high": 30},
            **fields,
        }
    )


def summer_jobs():
    return RecordFactory(
        slug="summer-jobs",
        title="Summer jobs for young people",
        countries=["US"],
        translations={"es": {"title": "Programa de empleos de verano para jóvenes, ciudad de prueba"}},
    )


def page(client, query="", path="/search/"):
    response = client.get(f"{path}?{query}")
    return response, BeautifulSoup(response.content, "html.parser")


def test_browse_everything_with_facets_and_no_javascript(client, import_records):
    records = import_records(
        youth_mentoring(),
        summer_jobs(),
        RecordFactory(slug="hot-spots-policing", pillars=["strengthening-institutions"], countries=["BR"]),
    )
    response, soup = page(client)
    assert response.status_code == 200
    assert soup.find("form", method="get")
    # Searching, filtering and comparing are links and a form; the one script only names the chosen interventions
    # in the compare tray.
    assert [script["src"] for script in soup.find_all("script")] == ["/static/home/js/compare.js"]
    assert soup.select_one(".compare-tray button")["formaction"] == "/compare/"
    products = KnowledgeProductPage.objects.filter(locale__language_code="en").live().count()
    assert f"{len(records) + products} results" in soup.get_text()
    legends = {legend.get_text(strip=True) for legend in soup.find_all("legend")}
    assert {"Pillar", "Country", "Evidence rating", "Study design", "Outcome domain"} <= legends


def test_facet_links_are_shareable_urls_that_toggle_a_value(client, import_records):
    import_records(
        RecordFactory(slug="police-hotline", title="Police hotline", countries=["BR"]),
        RecordFactory(slug="police-patrols", title="Police patrols", countries=["CO"]),
    )
    _, soup = page(client, "q=police")
    link = soup.find("a", string="Brazil")
    assert link["href"] == "?q=police&country=BR"
    _, narrowed = page(client, link["href"].lstrip("?"))
    assert narrowed.find("input", {"name": "country", "value": "BR"}).has_attr("checked")
    assert narrowed.find("a", string="Brazil")["href"] == "?q=police"


def test_result_cards_show_rating_pillars_countries_and_ratio(client, import_records):
    import_records(youth_mentoring())
    _, soup = page(client, "q=mentoring")
    card = next(article for article in soup.find_all("article") if "Youth mentoring" in article.get_text())
    text = card.get_text(" ", strip=True)
    for expected in ["Effective", "Protecting vulnerable populations", "United States of America", "5–30"]:
        assert expected in text


def test_matched_words_are_marked_in_snippets(client, import_records):
    import_records(
        RecordFactory(
            slug="jovenes-del-barrio",
            locale="es",
            title="Jóvenes del Barrio",
            summary="Jóvenes de barrios urbanos reciben tutorías.",
        )
    )
    _, soup = page(client, "q=jovenes")
    assert soup.find("mark").get_text() == "Jóvenes"


def test_no_html_from_a_record_or_the_query_reaches_the_page_unescaped(client, import_records):
    import_records(RecordFactory(slug="hostile", summary="Zorbly <img src=x onerror=alert(1)> <b>bold</b> text."))
    response, soup = page(client, "q=zorbly")
    html = response.content.decode()
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert "<mark>Zorbly</mark> &lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt; text." in html
    response, soup = page(client, "q=zorbly+<script>alert(2)</script>")
    assert "<script>alert(2)" not in response.content.decode()
    assert soup.find("input", id="search-q")["value"] == "zorbly <script>alert(2)</script>"


def test_highlight_escapes_everything_but_its_marks():
    assert highlight("Jóvenes <b>en</b> riesgo & más", "JOVENES riesgo") == (
        "<mark>Jóvenes</mark> &lt;b&gt;en&lt;/b&gt; <mark>riesgo</mark> &amp; más"
    )
    assert highlight("<script>x</script>", "<script>") == "&lt;<mark>script</mark>&gt;x&lt;/<mark>script</mark>&gt;"


def test_no_results_says_so_and_offers_to_remove_filters(client):
    _, soup = page(client, "q=medellin&country=JM&evidence_rating=harmful")
    text = soup.get_text(" ", strip=True)
    assert "Nothing matches this search." in text
    assert soup.find("a", string="Remove all filters")["href"] == "?q=medellin"


def test_pagination_links(client, import_records):
    import_records(*(RecordFactory(slug=f"programme-{n}") for n in range(11)))
    _, soup = page(client, "page_size=10&sort=title")
    assert re.search(r"Page 1 of 2\b", soup.get_text())
    assert soup.find("a", rel="next")["href"] == "?page_size=10&sort=title&page=2"


def test_bad_parameter_is_a_400_page_that_names_it(client):
    response, soup = page(client, "bcr_min=abc")
    assert response.status_code == 400
    assert "bcr_min" in soup.find(role="alert").get_text()


def test_spanish_page_searches_in_spanish(client, import_records):
    import_records(summer_jobs(), RecordFactory(slug="youth-mentoring", title="Youth mentoring"))
    response, soup = page(client, "q=empleos+de+verano", path="/es/search/")
    assert response.status_code == 200
    assert soup.find("html")["lang"] == "es"
    assert "Programa de empleos de verano para jóvenes, ciudad de prueba" in soup.get_text()
    assert "Youth mentoring" not in soup.get_text()


@pytest.mark.parametrize("path", ["/search/?q=police", "/gap-map/", "/compare/?i=youth-mentoring&i=summer-jobs"])
def test_head_answers_as_get_without_the_body(client, import_records, path):
    import_records(youth_mentoring(summary="Mentors work with the police."), summer_jobs())
    get, head = client.get(path), client.head(path)
    assert (get.status_code, head.status_code, head.content) == (200, 200, b"")
    assert head["Content-Type"] == get["Content-Type"]


def test_the_filters_say_how_many_are_on(client):
    _, soup = page(client, "q=police&country=BR&country=CO&has_cost=1")
    assert soup.select_one("details.filters > summary").get_text() == "Filters (3)"
    _, soup = page(client, "q=police")
    assert soup.select_one("details.filters > summary").get_text() == "Filters (0)"


def test_filters_on_are_chips_that_remove_themselves_and_clear_all(client):
    _, soup = page(client, "q=police&country=BR&has_cost=1")
    chips = {a.get_text(" ", strip=True): a["href"] for a in soup.select("ul.active-filters a")}
    assert chips["Country: Brazil × (remove)"] == "?q=police&has_cost=1"
    assert chips["Has cost data × (remove)"] == "?q=police&country=BR"
    assert chips["Clear all"] == "?q=police"
    _, soup = page(client, "q=police")
    assert not soup.select("ul.active-filters")


def test_a_facet_shows_eight_values_and_folds_the_rest(client, import_records):
    codes = ["BR", "CO", "MX", "CL", "PE", "AR", "JM", "TT", "HN", "GT"]
    import_records(*(RecordFactory(slug=f"programme-in-{code.lower()}", countries=[code]) for code in codes))
    _, soup = page(client)
    countries = soup.find("legend", string="Country").parent
    assert len(countries.select(":scope > ul > li")) == 8
    more = countries.select_one("details.more")
    assert more.summary.get_text().startswith("Show ") and more.select("li") and not more.has_attr("open")
    assert len(more.select("li")) == len(codes) - 8
    last = more.select("li input")[-1]["value"]
    _, soup = page(client, f"country={last}")
    assert soup.find("legend", string="Country").parent.select_one("details.more").has_attr("open")
