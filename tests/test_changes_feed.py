"""What changed, for those who follow the knowledge base: the Atom feed at /feeds/changes.atom, the changes API at
/api/v1/changes/ and its OpenAPI description, and "what's new" on the home page."""

import datetime

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interventions.models import InterventionPage, RecordChange

from .factories import PageViewRestrictionFactory, RecordChangeFactory

# These tests read the shipped records (their pillars and countries), until they are given records of their own.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_records")]
SINCE = "2030-01-01"  # after every entry the session's import wrote: the tests' own entries come from then on


def intervention(slug, language="en"):
    return InterventionPage.objects.get(slug=slug, locale__language_code=language)


@pytest.fixture
def changes():
    """A rating change of an intervention in Colombia and updates of two others, after the import's entries."""
    return [
        RecordChangeFactory(
            page=intervention("medellin-metrocable"),
            kind="rating-changed",
            old_rating="promising",
            new_rating="effective",
            note="After Cerdá et al. 2012 & <b>a replication</b>",
        ),
        RecordChangeFactory(page=intervention("becoming-a-man"), note="Costs in 2024 prices."),
        RecordChangeFactory(page=intervention("mexico-kingpin-strategy"), kind="reviewed", note=""),
    ]


def feed(client, query="", prefix=""):
    response = client.get(f"{prefix}/feeds/changes.atom{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_feed_is_valid_atom_saying_what_changed_newest_first(client, changes):
    parsed = feed(client)
    assert parsed.version == "atom10"
    assert parsed.feed.title == "What works in citizen security: new and changed interventions"
    assert parsed.feed.author == "What works in citizen security"
    assert parsed.feed.link == "http://testserver/"
    first, second, third = parsed.entries[:3]
    assert first.title == f"{intervention('mexico-kingpin-strategy').title}: Evidence reviewed"
    assert second.title == f"{intervention('becoming-a-man').title}: Updated"
    assert second.summary == "Costs in 2024 prices."
    assert third.title == f"{intervention('medellin-metrocable').title}: Rating changed from Promising to Effective"
    # The note is text: escaped once for HTML, so that a reader shows it as written.
    assert third.summary == "After Cerdá et al. 2012 &amp; &lt;b&gt;a replication&lt;/b&gt;"
    assert third.link == f"http://testserver{intervention('medellin-metrocable').url}"
    assert third.updated_parsed[:6] == changes[0].changed_at.utctimetuple()[:6]
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    # The import's records are in it as new.
    assert any(entry.title.endswith(": Added to the knowledge base") for entry in parsed.entries)


def slugs(parsed):
    """The interventions of a feed's entries, by the slug their links end with."""
    return [entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in parsed.entries]


def test_the_feed_is_narrowed_by_pillar_and_country(client, changes):
    colombia = slugs(feed(client, "?country=co"))
    assert "medellin-metrocable" in colombia and "becoming-a-man" not in colombia
    pages = InterventionPage.objects.filter(locale__language_code="en")
    countries, pillars = dict(pages.values_list("slug", "countries")), {}
    for page in pages.prefetch_related("pillars"):
        pillars[page.slug] = {pillar.slug for pillar in page.pillars.all()}
    assert all("CO" in countries[slug] for slug in colombia)
    markets = slugs(feed(client, "?pillar=disrupting-illicit-markets"))
    assert "mexico-kingpin-strategy" in markets and "becoming-a-man" not in markets
    assert all("disrupting-illicit-markets" in pillars[slug] for slug in markets)
    both = slugs(feed(client, "?pillar=protecting-vulnerable-populations&country=CO"))
    assert both[0] == "medellin-metrocable" and "mexico-kingpin-strategy" not in both
    assert feed(client, "?pillar=disrupting-illicit-markets&country=IS").entries == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("?pillar=no-such-pillar", "pillar"), ("?country=XX", "country"), ("?country=Colombia", "country")],
)
def test_a_bad_filter_is_a_400_that_says_so(client, query, parameter):
    response = client.get(f"/feeds/changes.atom{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{parameter}: ")


def test_the_feed_leaves_out_private_and_unpublished_pages(client, changes):
    metrocable = intervention("medellin-metrocable")
    PageViewRestrictionFactory(page=metrocable)
    bam = intervention("becoming-a-man")
    bam.unpublish()
    titles = [entry.title for entry in feed(client).entries]
    assert not any(title.startswith((metrocable.title, bam.title)) for title in titles)


def test_the_feed_in_the_visitors_language(client, changes):
    parsed = feed(client, prefix="/es")
    assert parsed.feed.link == "http://testserver/es/"
    assert parsed.feed.title == "Qué funciona en seguridad ciudadana: intervenciones nuevas y modificadas"
    # Spanish visitors see the Spanish translation, whose own log it is: the entries are those of the translations.
    spanish = RecordChangeFactory(page=intervention("becoming-a-man", "es"), note="Costos a precios de 2024.")
    entry = feed(client, prefix="/es").entries[0]
    assert entry.title == f"{spanish.page.title}: Actualizada"
    assert entry.link == f"http://testserver{spanish.page.url}"


def test_every_page_links_to_the_feed(client):
    soup = BeautifulSoup(client.get("/search/").content, "html.parser")
    link = soup.find("link", rel="alternate", type="application/atom+xml")
    assert link["href"] == "/feeds/changes.atom" and link["title"]
    spanish = BeautifulSoup(client.get("/es/search/").content, "html.parser")
    assert spanish.find("link", type="application/atom+xml")["href"] == "/es/feeds/changes.atom"


def test_whats_new_on_the_home_page(client, changes):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    section = soup.find("section", class_="whats-new")
    items = section.select("ul.changes > li")
    assert len(items) == 5
    assert items[0].a["href"] == intervention("mexico-kingpin-strategy").url
    assert (
        items[2]
        .get_text(" ", strip=True)
        .endswith("Rating changed from Promising to Effective — After Cerdá et al. 2012 & <b>a replication</b>")
    )
    assert section.find("a", type="application/atom+xml")["href"] == "/feeds/changes.atom"
    spanish = BeautifulSoup(client.get("/es/").content, "html.parser").find("section", class_="whats-new")
    assert spanish.h2.get_text() == "Novedades"


# The changes API.


def api(client, query=""):
    return client.get(f"/api/v1/changes/?{query}")


def openapi(client):
    return client.get("/api/v1/schema/").json()


def test_changes_since_a_date_oldest_first_in_pages_with_a_next_link(client, changes):
    first = api(client, f"since={SINCE}&page_size=2").json()
    assert (first["count"], first["page"], first["page_size"]) == (3, 1, 2)
    assert [change["slug"] for change in first["changes"]] == ["medellin-metrocable", "becoming-a-man"]
    rating = first["changes"][0]
    assert rating == {
        "slug": "medellin-metrocable",
        "title": intervention("medellin-metrocable").title,
        "url": f"http://testserver{intervention('medellin-metrocable').url}",
        "language": "en",
        "changed_at": changes[0].changed_at.isoformat(),
        "kind": "rating-changed",
        "note": "After Cerdá et al. 2012 & <b>a replication</b>",
        "old_rating": "promising",
        "new_rating": "effective",
    }
    assert first["next"] == f"http://testserver/api/v1/changes/?since={SINCE}&page_size=2&page=2"
    second = client.get(first["next"]).json()
    assert [change["slug"] for change in second["changes"]] == ["mexico-kingpin-strategy"] and second["next"] is None


def test_since_takes_a_moment_and_the_filters_apply(client, changes):
    moment = changes[1].changed_at.isoformat().replace("+00:00", "Z")
    assert [change["slug"] for change in api(client, f"since={moment}").json()["changes"]] == [
        "becoming-a-man",
        "mexico-kingpin-strategy",
    ]
    colombia = api(client, f"since={SINCE}&country=CO").json()
    assert [change["slug"] for change in colombia["changes"]] == ["medellin-metrocable"]
    # Without since, the whole log, from the first entry.
    assert api(client).json()["count"] == RecordChange.objects.filter(page__visible_in__language="en").count()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=yesterday", "since"),
        ("since=2026-13-01", "since"),
        ("since=2026-12-01T25:00", "since"),
        ("country=XX", "country"),
        ("pillar=nope", "pillar"),
        ("page=0", "page"),
        ("page=2", "page"),
        ("page_size=101", "page_size"),
        ("lang=xx", "lang"),
    ],
)
def test_bad_parameters_get_the_search_apis_400(client, query, parameter):
    response = api(client, f"since={SINCE}&{query}" if "since" not in query else query)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["parameter"] == parameter
    operation = openapi(client)["paths"]["/api/v1/changes/"]["get"]
    jsonschema.validate(response.json(), operation["responses"]["400"]["content"]["application/json"]["schema"])


def test_the_openapi_description_lists_the_changes_api_as_it_answers(client, changes):
    operation = openapi(client)["paths"]["/api/v1/changes/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "since",
        "pillar",
        "country",
        "page",
        "page_size",
        "lang",
    }
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(api(client, "page_size=100").json(), schema)
    jsonschema.validate(api(client, f"since={SINCE}").json(), schema)
    assert "oldest first" in operation["description"]


def test_a_write_to_the_changes_api_is_a_json_405(client):
    response = client.post("/api/v1/changes/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"


def test_the_number_of_queries_does_not_grow_with_the_page_size(client, changes):
    def queries(page_size):
        # Warmed up first: the first request of a process reads the sites' root paths once.
        api(client, f"page_size={page_size}")
        with CaptureQueriesContext(connection) as context:
            assert api(client, f"page_size={page_size}").status_code == 200
        return len(context.captured_queries)

    assert queries(2) == queries(60)


def test_an_entry_changed_at_is_an_aware_utc_moment(changes):
    assert changes[0].changed_at.utcoffset() == datetime.timedelta(0)
