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

from .factories import PageViewRestrictionFactory, RecordChangeFactory, RecordFactory

pytestmark = pytest.mark.django_db
SINCE = "2030-01-01"  # after every entry the import of the records wrote: the tests' own entries come from then on
NOTE = "After a 2029 evaluation & <b>a replication</b>"


def intervention(slug, language="en"):
    return InterventionPage.objects.get(slug=slug, locale__language_code=language)


@pytest.fixture
def records(import_records):
    """Four interventions, each logged as new by its import: one of each of two pillars in Colombia, and one of each
    outside it (in the United States, in Mexico); one translated into Spanish."""
    return import_records(
        RecordFactory(
            slug="cable-car-transit",
            title="Cable cars to hillside neighbourhoods",
            countries=["CO"],
            pillars=["protecting-vulnerable-populations"],
        ),
        RecordFactory(
            slug="youth-cbt",
            title="Group cognitive behavioural therapy for young men",
            countries=["US"],
            pillars=["protecting-vulnerable-populations"],
            evidence_rating="effective",
            translations={"es": {"title": "Terapia cognitivo-conductual grupal para jóvenes"}},
        ),
        RecordFactory(
            slug="kingpin-arrests",
            title="Arrests of the leaders of trafficking organisations",
            countries=["MX"],
            pillars=["disrupting-illicit-markets"],
            evidence_rating="harmful",
        ),
        RecordFactory(
            slug="crop-substitution",
            title="Payments to replace illicit crops",
            countries=["CO"],
            pillars=["disrupting-illicit-markets"],
        ),
    )


@pytest.fixture
def changes(records):
    """A rating change of an intervention in Colombia and updates of two others, after the import's entries."""
    return [
        RecordChangeFactory(
            page=intervention("cable-car-transit"),
            kind="rating-changed",
            old_rating="promising",
            new_rating="effective",
            note=NOTE,
        ),
        RecordChangeFactory(page=intervention("youth-cbt"), note="Costs in 2024 prices."),
        RecordChangeFactory(page=intervention("kingpin-arrests"), kind="reviewed", note=""),
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
    assert first.title == f"{intervention('kingpin-arrests').title}: Evidence reviewed"
    assert second.title == f"{intervention('youth-cbt').title}: Updated"
    assert second.summary == "Costs in 2024 prices."
    assert third.title == f"{intervention('cable-car-transit').title}: Rating changed from Promising to Effective"
    # The note is text: escaped once for HTML, so that a reader shows it as written.
    assert third.summary == "After a 2029 evaluation &amp; &lt;b&gt;a replication&lt;/b&gt;"
    assert third.link == f"http://testserver{intervention('cable-car-transit').url}"
    assert third.updated_parsed[:6] == changes[0].changed_at.utctimetuple()[:6]
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    # The import's records are in it as new.
    assert any(entry.title.endswith(": Added to the knowledge base") for entry in parsed.entries)


def slugs(parsed):
    """The interventions of a feed's entries, by the slug their links end with."""
    return [entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in parsed.entries]


def test_the_feed_is_narrowed_by_pillar_and_country(client, changes):
    # Each intervention's entries: "new" from its import, and the change the test logged, if any, newest first.
    colombia = slugs(feed(client, "?country=co"))
    assert colombia[0] == "cable-car-transit"
    assert sorted(colombia) == ["cable-car-transit", "cable-car-transit", "crop-substitution"]
    markets = slugs(feed(client, "?pillar=disrupting-illicit-markets"))
    assert markets[0] == "kingpin-arrests"
    assert sorted(markets) == ["crop-substitution", "kingpin-arrests", "kingpin-arrests"]
    # Pillar and country together: the one of the pillar in the country, not the other Colombian one.
    both = slugs(feed(client, "?pillar=protecting-vulnerable-populations&country=CO"))
    assert both == ["cable-car-transit", "cable-car-transit"]
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
    cable_cars = intervention("cable-car-transit")
    PageViewRestrictionFactory(page=cable_cars)
    youth_cbt = intervention("youth-cbt")
    youth_cbt.unpublish()
    titles = [entry.title for entry in feed(client).entries]
    assert not any(title.startswith((cable_cars.title, youth_cbt.title)) for title in titles)
    assert any(title.startswith(intervention("kingpin-arrests").title) for title in titles)


def test_the_feed_in_the_visitors_language(client, changes):
    parsed = feed(client, prefix="/es")
    assert parsed.feed.link == "http://testserver/es/"
    assert parsed.feed.title == "Qué funciona en seguridad ciudadana: intervenciones nuevas y modificadas"
    # Spanish visitors see the Spanish translation, whose own log it is: the entries are those of the translations.
    spanish = RecordChangeFactory(page=intervention("youth-cbt", "es"), note="Costos a precios de 2024.")
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
    assert items[0].a["href"] == intervention("kingpin-arrests").url
    assert items[2].get_text(" ", strip=True).endswith(f"Rating changed from Promising to Effective — {NOTE}")
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
    assert [change["slug"] for change in first["changes"]] == ["cable-car-transit", "youth-cbt"]
    rating = first["changes"][0]
    assert rating == {
        "slug": "cable-car-transit",
        "title": intervention("cable-car-transit").title,
        "url": f"http://testserver{intervention('cable-car-transit').url}",
        "language": "en",
        "changed_at": changes[0].changed_at.isoformat(),
        "kind": "rating-changed",
        "note": NOTE,
        "old_rating": "promising",
        "new_rating": "effective",
    }
    assert first["next"] == f"http://testserver/api/v1/changes/?since={SINCE}&page_size=2&page=2"
    second = client.get(first["next"]).json()
    assert [change["slug"] for change in second["changes"]] == ["kingpin-arrests"] and second["next"] is None


def test_since_takes_a_moment_and_the_filters_apply(client, changes):
    moment = changes[1].changed_at.isoformat().replace("+00:00", "Z")
    assert [change["slug"] for change in api(client, f"since={moment}").json()["changes"]] == [
        "youth-cbt",
        "kingpin-arrests",
    ]
    colombia = api(client, f"since={SINCE}&country=CO").json()
    assert [change["slug"] for change in colombia["changes"]] == ["cable-car-transit"]
    # Without since, the whole log, from the first entry: the four records' imports and the test's three changes.
    whole = api(client).json()
    assert whole["count"] == 7 == RecordChange.objects.filter(page__visible_in__language="en").count()
    assert [change["kind"] for change in whole["changes"]][:4] == ["new"] * 4


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
