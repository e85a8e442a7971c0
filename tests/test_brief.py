"""The printable brief of an intervention (/interventions/<slug>/brief/): the profile's headline, summary, EMMIE texts,
outcomes, studies and cite line, without navigation or forest plot, on one or two A4 pages."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.conftest import CHROMIUM
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db
EMMIE_TEXT = (
    "<p>" + "Sessions led by trained counsellors, once a week for a school year, in groups of ten boys. " * 4 + "</p>"
)


def full_record():
    """A record with all four EMMIE texts, six outcomes and four studies: as much as a brief has to hold."""
    studies = [
        StudyFactory(key=f"study-{n}", authors=[f"Author{n}, A.", "Other, B."], maryland_sms=5) for n in range(4)
    ]
    outcomes = [
        OutcomeFactory(
            study=f"study-{n % 4}",
            measure=f"Violent-crime arrests in the year after the programme, cohort {n}",
            effect_size={"metric": "percent-change", "value": -10.5 * (n + 1), "ci_low": -80, "ci_high": 0},
        )
        for n in range(6)
    ]
    emmie = {f"{name}_html": EMMIE_TEXT for name in ("mechanism", "moderators", "implementation", "transferability")}
    return RecordFactory(
        slug="full-record",
        studies=studies,
        outcomes=outcomes,
        last_reviewed="2026-05-01",
        cost_per_participant={"amount": 2383, "currency": "USD", "year": 2022},
        **emmie,
    )


def typical_record():
    """A record as most are: a description, two EMMIE texts, two trials and four outcomes, one without a figure."""
    studies = [
        StudyFactory(key="trial-2013", year=2013, design="rct", maryland_sms=5, sample_size=2700),
        StudyFactory(key="trial-2017", year=2017, design="rct", maryland_sms=5, sample_size=2000),
    ]

    def percent_change(study, domain, measure, value, **fields):
        effect = {"metric": "percent-change", "value": value, "ci_low": value - 15, "ci_high": value + 15}
        return OutcomeFactory(study=study, domain=domain, measure=measure, effect_size=effect, **fields)

    outcomes = [
        percent_change(
            "trial-2013", "violent-crime", "Violent-crime arrests in the programme year", -44, significant=True
        ),
        percent_change("trial-2017", "violent-crime", "Violent-crime arrests across both trials", -50),
        OutcomeFactory(study="trial-2017", domain="crime", measure="Total arrests during the programme"),
        percent_change("trial-2017", "education", "High-school graduation", 15, significant=True),
    ]
    return RecordFactory(
        slug="youth-cbt",
        title="Group therapy for boys at school",
        summary="Group therapy for boys at school is a synthetic test record: weekly sessions in which boys practise "
        "slowing down before they act.",
        description_html="<p>" + "Boys meet weekly in small groups led by a counsellor. " * 6 + "</p>",
        mechanism_html="<p>Participants learn to notice high-stakes situations and to think before acting.</p>",
        implementation_html="<p>A trained counsellor per school, weekly one-hour sessions for a school year.</p>",
        intervention_types=["cognitive-behavioural-therapy", "school-based-prevention"],
        countries=["US"],
        evidence_rating="effective",
        cost_per_participant={"amount": 2383, "currency": "USD", "year": 2022},
        benefit_cost_ratio={"low": 5, "high": 30, "source_study": "trial-2017"},
        studies=studies,
        outcomes=outcomes,
        translations={"es": {"title": "Terapia en grupo para chicos en la escuela"}},
    )


def test_the_brief_has_the_profiles_content_without_navigation(client, import_records):
    page, _ = import_records(
        typical_record(),
        # Shares its type: the profile lists it among the similar interventions, the brief does not.
        RecordFactory(slug="school-mentoring", intervention_types=["school-based-prevention"]),
    )
    assert "Similar interventions" in client.get(page.url).content.decode()
    response = client.get(page.url + "brief/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    brief = soup.find("article", class_="brief")
    assert brief.find("h1").get_text() == "Group therapy for boys at school"
    assert "−44% Violent crime" in brief.find(class_="headline").get_text(" ", strip=True)
    assert brief.find(class_="summary").get_text().startswith("Group therapy for boys at school is a synthetic")
    assert len(brief.select("table.outcomes tbody tr")) == 4 and brief.find(id="study-trial-2017")
    assert brief.select_one(".cite .citation").get_text(" ", strip=True).startswith("Group therapy for boys at school.")
    assert not brief.find(class_="forest-plot") and "Similar interventions" not in brief.get_text()


def test_the_profile_links_to_its_brief_in_every_language(client, import_records):
    import_records(typical_record())
    profile = BeautifulSoup(client.get("/es/interventions/youth-cbt/").content, "html.parser")
    assert profile.find("a", string="Resumen imprimible de una página")["href"] == "/es/interventions/youth-cbt/brief/"
    assert client.get("/es/interventions/youth-cbt/brief/").status_code == 200


def test_the_brief_shows_the_emmie_texts(client, import_records):
    (page,) = import_records(full_record())
    soup = BeautifulSoup(client.get(page.url + "brief/").content, "html.parser")
    assert [section.find("h2").get_text() for section in soup.select("section.emmie")] == [
        "How it works",
        "Where and for whom",
        "What it takes",
        "Relevance for Latin America and the Caribbean",
    ]


def printed_pages(pdf):
    """The number of pages of a PDF: its page objects (/Type /Page, not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def served_as_the_site_serves_it(client, path):
    """The brief at `path` and the style sheets it links, as {address: (body, content type)}."""
    html = client.get(path).content
    answers = {f"http://testserver{path}": (html, "text/html; charset=utf-8")}
    for link in BeautifulSoup(html, "html.parser").select("link[rel=stylesheet]"):
        name = link["href"].removeprefix(settings.STATIC_URL)
        answers[f"http://testserver{link['href']}"] = (Path(finders.find(name)).read_bytes(), "text/css")
    return answers


def answering_from(answers):
    def answer(route):
        if route.request.url not in answers:
            return route.abort()
        body, content_type = answers[route.request.url]
        return route.fulfill(body=body, content_type=content_type)

    return answer


@pytest.fixture
def briefs(client, import_records):
    """The briefs of a typical record and of a full one, made before the browser starts: database work inside
    Playwright's event loop would run on a connection of its own, outside the test's transaction."""
    pages = import_records(typical_record(), full_record())
    return [served_as_the_site_serves_it(client, page.url + "brief/") for page in pages]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_brief_prints_on_one_or_two_a4_pages(briefs, browser):
    tab = browser.new_page()
    for answers in briefs:
        tab.route("http://testserver/**", answering_from(answers))
        address = next(iter(answers))
        tab.goto(address)
        assert tab.locator("header").is_visible()  # on screen, the site's navigation
        tab.emulate_media(media="print")
        assert not tab.locator("header").is_visible() and tab.locator(".headline").is_visible()
        assert 1 <= printed_pages(tab.pdf(format="A4")) <= 2, address
        tab.emulate_media(media="screen")
        tab.unroute("http://testserver/**")
    tab.close()
