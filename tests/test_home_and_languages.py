"""Home page, the language switcher, and interventions shown in their original language where untranslated."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


def soup_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.usefixtures("shipped_records")
def test_home_has_search_pillars_with_counts_and_recent_updates(client, fixture_document):
    soup = soup_of(client, "/")
    assert soup.find("form", attrs={"role": "search", "action": "/search/"})
    pillars = {item.find("a").get_text(): item.get_text(" ", strip=True) for item in soup.select("ul.pillars li")}
    protecting = sum("protecting-vulnerable-populations" in r["pillars"] for r in fixture_document["interventions"])
    assert pillars["Protecting vulnerable populations"].endswith(f"{protecting} interventions")
    assert len(pillars) == 3
    recent = soup.find("h2", string="Recently updated").find_next("ul").find_all("li")
    assert len(recent) == 6


def test_language_switcher_links_to_the_same_page_in_each_language(client):
    soup = soup_of(client, "/search/?q=police")
    links = {a["hreflang"]: a["href"] for a in soup.select("nav.languages a")}
    assert links == {"es": "/es/search/?q=police", "pt": "/pt/search/?q=police", "fr": "/fr/search/?q=police"}
    assert soup.select_one("nav.languages strong[aria-current]").get_text() == "English"


@pytest.mark.usefixtures("shipped_records")
def test_translated_profile_is_served_in_its_language(client):
    soup = soup_of(client, "/es/interventions/one-summer-plus/")
    assert soup.find("h1").get_text().startswith("Programa de empleos de verano")
    assert not soup.find(class_="note")


@pytest.mark.usefixtures("shipped_records")
def test_untranslated_profile_is_shown_in_the_original_with_a_note(client):
    soup = soup_of(client, "/fr/interventions/disque-denuncia/")
    assert soup.find("h1").get_text().startswith("Disque Denúncia")
    assert soup.find("article")["lang"] == "en"
    assert soup.find(class_="note")


def test_unknown_interventions_are_still_not_found(client):
    assert client.get("/es/interventions/no-such-intervention/").status_code == 404


@pytest.mark.usefixtures("shipped_records")
def test_sharing_metadata_on_a_profile(client):
    soup = soup_of(client, "/interventions/becoming-a-man/")
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", property="og:title")["content"].startswith("Becoming a Man")
    assert soup.find("meta", attrs={"name": "description"})["content"].startswith("Becoming a Man (BAM) is")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Article" and data["url"] == "http://testserver/interventions/becoming-a-man/"
    assert any("thinking, fast and slow?" in citation.lower() for citation in data["citation"])


def test_structured_data_cannot_close_its_script_element(client, import_records):
    from tests.factories import RecordFactory

    (page,) = import_records(RecordFactory(slug="sneaky", summary="</script><script>alert(1)</script>"))
    html = client.get(page.url).content.decode()
    assert "</script><script>alert(1)" not in html


@pytest.mark.usefixtures("shipped_records")
def test_sitemap_lists_interventions_in_every_language(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "/interventions/becoming-a-man/</loc>" in xml and "/es/interventions/one-summer-plus/</loc>" in xml


@pytest.mark.parametrize(
    ("prefix", "site_name", "rating"),
    [
        ("/es", "Qué funciona en seguridad ciudadana", "Eficaz"),
        ("/pt", "O que funciona em segurança cidadã", "Eficaz"),
        ("/fr", "Ce qui fonctionne en sécurité citoyenne", "Efficace"),
    ],
)
@pytest.mark.usefixtures("shipped_records")
def test_pages_are_served_in_their_language(client, prefix, site_name, rating):
    home = soup_of(client, f"{prefix}/")
    assert home.find("html")["lang"] == prefix[1:]
    assert home.find("h1").get_text() == site_name
    search = soup_of(client, f"{prefix}/search/?q=becoming")
    assert rating in [badge.get_text() for badge in search.select("span.rating")]


@pytest.mark.usefixtures("shipped_records")
def test_the_untranslated_note_is_in_the_visitors_language(client):
    note = soup_of(client, "/fr/interventions/disque-denuncia/").find(class_="note").get_text()
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
