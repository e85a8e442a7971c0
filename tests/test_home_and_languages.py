"""Home page, the language switcher, and interventions shown in their original language where untranslated."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.utils import translation
from django.views import defaults

from tests.factories import RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db
PROTECTING = "protecting-vulnerable-populations"


def site_records():
    """Seven records, one more than the home page lists as recently updated; four in the pillar whose count is
    checked, one of those translated into Spanish (counted once)."""
    return [
        RecordFactory(
            slug="youth-cbt",
            title="Project Compass: group therapy for boys",
            summary="Project Compass is a synthetic record: weekly group sessions in which boys practise slowing down.",
            evidence_rating="effective",
            studies=[
                StudyFactory(
                    key="main-study",
                    citation="Author, A. (2017). Thinking before acting: a trial of group therapy. Journal of Tests.",
                )
            ],
            translations={
                "es": {"title": "Proyecto Compass: terapia de grupo para chicos"},
                "pt": {"title": "Projeto Compass: terapia de grupo para meninos"},
            },
        ),
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers",
            translations={"es": {"title": "Empleos de verano para adolescentes"}},
        ),
        RecordFactory(
            slug="crime-hotline",
            title="Anonymous crime hotline",
            pillars=["strengthening-institutions"],
            translations={"es": {"title": "Línea de denuncia anónima"}},
        ),
        RecordFactory(slug="violence-interrupters", title="Violence interrupters"),
        RecordFactory(
            slug="home-visits", title="Home visits by nurses", pillars=[PROTECTING, "strengthening-institutions"]
        ),
        RecordFactory(
            slug="police-training", title="Training for police officers", pillars=["strengthening-institutions"]
        ),
        RecordFactory(
            slug="coca-eradication", title="Forced eradication of coca", pillars=["disrupting-illicit-markets"]
        ),
    ]


@pytest.fixture
def records(import_records):
    records = site_records()
    import_records(*records)
    return records


def soup_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.content, "html.parser")


def test_home_has_search_pillars_with_counts_and_recent_updates(client, records):
    soup = soup_of(client, "/")
    assert soup.find("form", attrs={"role": "search", "action": "/search/"})
    pillars = {item.find("a").get_text(): item.get_text(" ", strip=True) for item in soup.select("ul.pillars li")}
    protecting = sum(PROTECTING in record["pillars"] for record in records)
    assert protecting == 4 and pillars["Protecting vulnerable populations"].endswith(f"{protecting} interventions")
    assert len(pillars) == 3
    recent = soup.find("h2", string="Recently updated").find_next("ul").find_all("li")
    assert len(recent) == 6


def test_language_switcher_links_to_the_same_page_in_each_language(client):
    soup = soup_of(client, "/search/?q=police")
    links = {a["hreflang"]: a["href"] for a in soup.select("nav.languages a")}
    assert links == {"es": "/es/search/?q=police", "pt": "/pt/search/?q=police", "fr": "/fr/search/?q=police"}
    assert soup.select_one("nav.languages strong[aria-current]").get_text() == "English"


@pytest.mark.usefixtures("records")
def test_translated_profile_is_served_in_its_language(client):
    soup = soup_of(client, "/es/interventions/summer-jobs/")
    assert soup.find("h1").get_text() == "Empleos de verano para adolescentes"
    assert not soup.find(class_="note")


@pytest.mark.usefixtures("records")
def test_untranslated_profile_is_shown_in_the_original_with_a_note(client):
    soup = soup_of(client, "/fr/interventions/crime-hotline/")  # in Spanish, not in French
    assert soup.find("h1").get_text() == "Anonymous crime hotline"
    assert soup.find("article")["lang"] == "en"
    assert soup.find(class_="note")


def test_unknown_interventions_are_still_not_found(client):
    assert client.get("/es/interventions/no-such-intervention/").status_code == 404


@pytest.mark.usefixtures("records")
def test_sharing_metadata_on_a_profile(client):
    soup = soup_of(client, "/interventions/youth-cbt/")
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", property="og:title")["content"].startswith("Project Compass")
    assert soup.find("meta", attrs={"name": "description"})["content"].startswith("Project Compass is a synthetic")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Article" and data["url"] == "http://testserver/interventions/youth-cbt/"
    assert any("thinking before acting" in citation.lower() for citation in data["citation"])


def test_structured_data_cannot_close_its_script_element(client, import_records):
    (page,) = import_records(RecordFactory(slug="sneaky", summary="</script><script>alert(1)</script>"))
    html = client.get(page.url).content.decode()
    assert "</script><script>alert(1)" not in html


@pytest.mark.usefixtures("records")
def test_sitemap_lists_interventions_in_every_language(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "/interventions/youth-cbt/</loc>" in xml and "/es/interventions/summer-jobs/</loc>" in xml


@pytest.mark.parametrize(
    ("prefix", "site_name", "rating"),
    [
        ("/es", "Qué funciona en seguridad ciudadana", "Eficaz"),
        ("/pt", "O que funciona em segurança cidadã", "Eficaz"),
        ("/fr", "Ce qui fonctionne en sécurité citoyenne", "Efficace"),
    ],
)
@pytest.mark.usefixtures("records")
def test_pages_are_served_in_their_language(client, prefix, site_name, rating):
    home = soup_of(client, f"{prefix}/")
    assert home.find("html")["lang"] == prefix[1:]
    assert home.find("h1").get_text() == site_name
    # Translated into Spanish and Portuguese, shown in the original in French.
    search = soup_of(client, f"{prefix}/search/?q=compass")
    assert rating in [badge.get_text() for badge in search.select("span.rating")]


@pytest.mark.usefixtures("records")
def test_the_untranslated_note_is_in_the_visitors_language(client):
    note = soup_of(client, "/fr/interventions/crime-hotline/").find(class_="note").get_text()
    assert "langue d'origine" in note


def test_the_home_page_title_says_the_site_name_once(client):
    for prefix, name in [("", "What works in citizen security"), ("/es", "Qué funciona en seguridad ciudadana")]:
        assert soup_of(client, f"{prefix}/").title.get_text() == name


def test_every_page_names_the_site_icon_and_favicon_ico_leads_to_it(client):
    icon = soup_of(client, "/").find("link", rel="icon")
    assert icon["href"].endswith("home/favicon.svg") and icon["type"] == "image/svg+xml"
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == icon["href"]
    assert finders.find("home/favicon.svg")


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/interventions/no-such-intervention/", "Page not found"), ("/es/no-such-page/", "Página no encontrada")],
)
def test_a_missing_page_is_a_404_in_the_visitors_language_and_the_sites_design(client, path, heading):
    response = client.get(path)
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == heading and soup.find("form", role="search")
    assert soup.find("link", rel="stylesheet")["href"].endswith("site.css")


def test_a_server_error_is_a_page_in_the_visitors_language_that_needs_nothing_else(rf):
    with translation.override("pt"):
        response = defaults.server_error(rf.get("/pt/"))
    soup = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 500 and soup.h1.get_text() == "Erro do servidor"
