"""The intervention profile: its headline, EMMIE texts, outcomes with a forest plot, studies with citation export, how
to cite it, similar ones; numbers as each language writes them."""

import datetime

import pytest
from bs4 import BeautifulSoup

from interventions.citations import bibtex_escape
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db
PROFILE = "/interventions/youth-cbt/"


def percent_change(study, measure, value, **fields):
    return OutcomeFactory(
        study=study, measure=measure, effect_size={"metric": "percent-change", "value": value}, **fields
    )


def profile_record():
    """A synthetic record with what a profile shows: three randomised trials (one a journal article with a DOI), a
    significant headline effect, costs, a benefit-cost ratio, a target population and a Spanish translation."""
    trial = {"design": "rct", "maryland_sms": 5}
    studies = [
        StudyFactory(key="trial-2013", year=2013, authors=["Author, Ann", "Writer, Bea"], **trial),
        StudyFactory(
            key="trial-2017",
            year=2017,
            citation="Author, A., & Writer, B. (2017). Slowing down: a trial of group therapy. Journal of Tests.",
            authors=["Author, Ann", "Writer, Bea"],
            title="Slowing down: a trial of group therapy",
            publication_type="journal-article",
            venue="Journal of Tests",
            doi="10.5555/compass.2017",
            **trial,
        ),
        StudyFactory(key="trial-2019", year=2019, **trial),
    ]
    outcomes = [
        percent_change("trial-2013", "Violent-crime arrests during the programme year", -44, significant=True),
        percent_change("trial-2017", "Violent-crime arrests across both trials: up to 50% fewer", -50),
        OutcomeFactory(study="trial-2019", domain="education", measure="High-school graduation"),
    ]
    return RecordFactory(
        slug="youth-cbt",
        title="Project Compass: group therapy for boys",
        summary="Project Compass is a synthetic record: weekly group sessions in which boys practise slowing down.",
        evidence_rating="effective",
        intervention_types=["cognitive-behavioural-therapy"],
        target_groups=["at-risk-youth", "young-men"],
        age_min=12,
        age_max=17,
        countries=["US"],
        cost_per_participant={"amount": 2383, "currency": "USD", "year": 2022},
        benefit_cost_ratio={"low": 5, "high": 30, "source_study": "trial-2017"},
        studies=studies,
        outcomes=outcomes,
        translations={"es": {"title": "Proyecto Compass: terapia de grupo para chicos"}},
    )


@pytest.fixture
def profile(import_records):
    (page,) = import_records(profile_record())
    return page


@pytest.mark.usefixtures("profile")
def test_profile_shows_ratio_outcomes_and_studies(client):
    soup = BeautifulSoup(client.get(PROFILE).content, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "Benefit-cost ratio: 5–30" in text
    assert "Effective" in text and "Randomised controlled trial, Maryland level 5 of 5 (3 studies)" in text
    assert "Target population At-risk youth; Young men" in text
    measures = [row.find_all("td")[1].get_text(strip=True) for row in soup.select("table tbody tr")]
    assert any("up to 50%" in measure for measure in measures)
    assert soup.find("a", href="https://doi.org/10.5555/compass.2017")


def forest_plots(client, path):
    return BeautifulSoup(client.get(path).content, "html.parser").select("figure.forest .forest-plot")


def test_forest_plot_rows_are_html_with_full_escaped_labels_and_their_intervals(client, import_records):
    long_label = "Arrests <script>alert(1)</script>" + " for violent and property offences in the year after" * 3
    outcomes = [
        OutcomeFactory(
            study="main-study",
            measure=long_label,
            effect_size={"metric": "risk-ratio", "value": 0.8, "ci_low": 0.6, "ci_high": 1.1},
        ),
        OutcomeFactory(
            study="main-study",
            measure="Victimisation",
            direction="undesirable",
            effect_size={"metric": "risk-ratio", "value": 1.2},
        ),
    ]
    (page,) = import_records(RecordFactory(slug="plotted", outcomes=outcomes))
    html = client.get(page.url).content.decode()
    assert "Arrests &lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    (plot,) = forest_plots(client, page.url)
    assert plot["role"] == "group" and plot["aria-label"] == "Risk ratio"
    assert plot.select_one(".forest-axis-title").get_text() == "Risk ratio"
    with_interval, without = plot.select(".forest-row")
    assert with_interval.select_one(".forest-label").get_text() == long_label
    assert with_interval.select_one(".forest-figures").get_text(" ", strip=True) == "0.8 [0.6, 1.1] Desirable"
    # The interval is a line with a cap at each bound, the estimate a mark between them; a blue circle for a desirable
    # direction, a red square for an undesirable one.
    line = with_interval.select_one("line.forest-interval")
    caps = [cap["x"] for cap in with_interval.select("svg.forest-cap")]
    assert caps == [line["x1"], line["x2"]] and percent(line["x1"]) < percent(line["x2"])
    point = with_interval.select_one("svg.forest-point")
    assert percent(line["x1"]) < percent(point["x"]) < percent(line["x2"]) and point.find("circle")
    assert not without.select("line.forest-interval, svg.forest-cap") and without.select_one(".forest-point rect")
    assert without.select_one(".mark-square") and without.select_one(".forest-direction").get_text() == "Undesirable"


def percent(attribute):
    assert attribute.endswith("%")
    return float(attribute[:-1])


def ticks(plot):
    return {text.get_text(): percent(text["x"]) for text in plot.select(".forest-ticks text")}


def test_forest_plot_axis_has_round_ticks_in_the_visitors_number_format(client, import_records):
    outcomes = [
        OutcomeFactory(
            study="main-study", effect_size={"metric": "risk-ratio", "value": 0.8, "ci_low": 0.6, "ci_high": 1.1}
        ),
        OutcomeFactory(
            study="main-study",
            effect_size={"metric": "percent-change", "value": -2.5, "ci_low": -4.25, "ci_high": -0.5},
        ),
    ]
    (page,) = import_records(RecordFactory(outcomes=outcomes))
    english = [list(ticks(plot)) for plot in forest_plots(client, page.url)]
    assert english == [["0.6", "0.8", "1", "1.2"], ["−6%", "−4%", "−2%", "0%"]]
    spanish = [list(ticks(plot)) for plot in forest_plots(client, "/es" + page.url)]
    assert spanish == [["0,6", "0,8", "1", "1,2"], ["−6%", "−4%", "−2%", "0%"]]
    assert [plot.select_one(".forest-axis-title").get_text() for plot in forest_plots(client, "/es" + page.url)] == [
        "Riesgo relativo",
        "Cambio porcentual",
    ]


def test_forest_plot_no_effect_line_is_at_one_for_a_ratio_and_at_zero_for_a_difference(client, import_records):
    outcomes = [
        OutcomeFactory(
            study="main-study", effect_size={"metric": "odds-ratio", "value": 2, "ci_low": 1.5, "ci_high": 3}
        ),
        OutcomeFactory(
            study="main-study", effect_size={"metric": "hedges-g", "value": 0.2, "ci_low": -0.2, "ci_high": 0.6}
        ),
    ]
    # An estimate of exactly no effect, without interval, is drawn on an axis of one unit either side.
    outcomes.append(OutcomeFactory(study="main-study", effect_size={"metric": "percentage-points", "value": 0}))
    (page,) = import_records(RecordFactory(outcomes=outcomes))
    ratio, difference, none = forest_plots(client, page.url)
    for plot, no_effect in ((ratio, "1"), (difference, "0"), (none, "0")):
        lines = {percent(line["x1"]) for line in plot.select("line.forest-no-effect")}
        assert lines == {ticks(plot)[no_effect]}
    assert ticks(ratio)["1"] == 5.0 and ticks(difference)["0"] == 27.5
    assert list(ticks(none)) == ["−1", "−0.5", "0", "+0.5", "+1"] and ticks(none)["0"] == 50.0


@pytest.mark.usefixtures("profile")
def test_citations_as_ris_and_bibtex(client):
    ris = client.get(PROFILE + "citations/ris/")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert "DO  - 10.5555/compass.2017" in ris.content.decode() and ris.content.decode().count("ER  - ") == 3
    bib = client.get(PROFILE + "citations/bibtex/").content.decode()
    assert "@article{trial-2017," in bib and "doi = {10.5555/compass.2017}" in bib


def test_bibtex_escaping():
    assert bibtex_escape("A {b} & 50% $x #1 a_b ^ ~ \\") == r"A \{b\} \& 50\% \$x \#1 a\_b \^{} \~{} \textbackslash{}"


def test_similar_interventions_share_types_and_outcome_domains(client, import_records):
    def record(slug, title, types, domains):
        outcomes = [OutcomeFactory(study="main-study", domain=domain) for domain in domains]
        return RecordFactory(slug=slug, title=title, intervention_types=types, outcomes=outcomes)

    import_records(
        record("gang-call-ins", "Gang call-ins", ["focused-deterrence"], ["homicide", "violent-crime"]),
        record("drug-market-call-ins", "Drug-market call-ins", ["focused-deterrence"], ["drug-supply"]),
        record(
            "street-outreach-workers", "Street outreach workers", ["street-outreach"], ["homicide", "violent-crime"]
        ),
        record("crime-hotline", "Anonymous crime hotline", ["crime-hotline"], ["crime-reporting"]),
    )
    soup = BeautifulSoup(client.get("/interventions/gang-call-ins/").content, "html.parser")
    heading = soup.find("h2", string="Similar interventions")
    similar = [item.find("a").get_text() for item in heading.find_next("ul").find_all("li", recursive=False)]
    # Most shared types and domains first (two, then one); nothing in common, not similar; never itself.
    assert similar == ["Street outreach workers", "Drug-market call-ins"]
    assert soup.find("a", string="Compare with a similar intervention")["href"] == (
        "/compare/?i=gang-call-ins&i=street-outreach-workers"
    )


def text_of(element):
    return element.get_text(" ", strip=True)


def headline_items(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    headline = soup.find(class_="headline")  # the profile's own; the similar interventions have theirs below
    return {text_of(item.find("dt")): item.find("dd") for item in headline.select(".headline-item")}


@pytest.mark.usefixtures("profile")
def test_the_headline_in_english(client):
    items = headline_items(client, PROFILE)
    impact = items["Impact"]
    assert text_of(impact).startswith("−44% Violent crime Violent-crime arrests during the programme year")
    assert impact.find("a")["href"] == "#study-trial-2013"
    strength = items["Strength of evidence"]
    assert strength.find("span", class_="rating rating-effective").get_text() == "Effective"
    assert "Strong evidence (randomised" in text_of(strength)
    cost = text_of(items["Cost"])
    assert "USD 2,383 (2022) per participant High cost" in cost and "Benefit-cost ratio: 5–30" in cost


@pytest.mark.usefixtures("profile")
def test_the_headline_in_spanish(client):
    items = headline_items(client, "/es" + PROFILE)
    assert text_of(items["Impacto"]).startswith("−44% Delitos violentos")
    assert "Ensayo controlado aleatorizado, nivel de Maryland 5 de 5" in text_of(items["Solidez de la evidencia"])
    cost = text_of(items["Costo"])
    assert "USD 2.383 (2022) por participante Costo alto" in cost and "Relación beneficio-costo: 5–30" in cost


@pytest.mark.usefixtures("profile")
def test_the_rating_badge_has_the_same_colour_class_on_the_profile_and_the_card(client):
    profile = BeautifulSoup(client.get(PROFILE).content, "html.parser")
    search = BeautifulSoup(client.get("/search/?q=compass").content, "html.parser")
    card = next(article for article in search.select("article.card") if "Project Compass" in article.get_text())
    for page in (profile.find(class_="headline"), card):
        assert page.find("span", class_="rating")["class"] == ["rating", "rating-effective"]


@pytest.mark.usefixtures("profile")
def test_a_search_card_shows_the_headline_with_numbers_in_the_visitors_language(client):
    search = BeautifulSoup(client.get("/es/search/?q=compass").content, "html.parser")
    card = next(article for article in search.select("article.card") if "Proyecto Compass" in article.get_text())
    text = text_of(card.find(class_="headline"))
    assert "−44% Delitos violentos" in text and "USD 2.383 (2022)" in text and "5–30" in text
    assert card.find("a", string="Cómo calificamos")["href"] == "/es/method/"
    study = card.select_one(".headline a[href*='#study-']")
    assert study["href"] == "/es/interventions/youth-cbt/#study-trial-2013"


def test_effects_and_intervals_with_the_languages_decimal_mark(client, import_records):
    outcome = OutcomeFactory(
        study="main-study", effect_size={"metric": "percent-change", "value": -2.5, "ci_low": -4.25, "ci_high": -0.5}
    )
    (page,) = import_records(RecordFactory(slug="decimals", outcomes=[outcome]))
    english = BeautifulSoup(client.get(page.url).content, "html.parser")
    assert text_of(english.select_one("table.outcomes tbody td:nth-of-type(4)")) == (
        "−2.5% (Percent change) [−4.25%, −0.5%]"
    )
    spanish = BeautifulSoup(client.get("/es" + page.url).content, "html.parser")
    assert "−2,5% (Cambio porcentual) [−4,25%; −0,5%]" in text_of(spanish.select_one("table.outcomes tbody"))
    assert text_of(spanish.select_one(".forest-plot .forest-figures")) == "−2,5% [−4,25%; −0,5%] Favorable"


def test_outcomes_name_their_study_by_author_and_year(client, import_records):
    study = StudyFactory(key="main-study", authors=["Heller, Sara", "Shah, Anuj", "Guryan, Jonathan"], year=2017)
    (page,) = import_records(RecordFactory(studies=[study]))
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    link = soup.select_one("table.outcomes tbody td:nth-of-type(5) a")
    assert (link.get_text(), link["href"]) == ("Heller et al. 2017", "#study-main-study")
    assert soup.find(id="study-main-study") and "main-study" not in text_of(soup.select_one("table.outcomes"))


def test_emmie_sections_only_where_they_have_content(client, import_records):
    record = RecordFactory(mechanism_html="<p>Slowing down automatic reactions.</p>", transferability_html="")
    (page,) = import_records(record)
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    headings = [text_of(section.find("h2")) for section in soup.select("section.emmie")]
    assert headings == ["How it works"]
    assert "Slowing down automatic reactions." in text_of(soup.select_one("section.emmie"))
    record = RecordFactory(
        moderators_html="<p>Boys in high-crime areas.</p>",
        implementation_html="<p>Trained counsellors.</p>",
        transferability_html="<p>Tried in Medellín.</p>",
    )
    (page,) = import_records(record)
    soup = BeautifulSoup(client.get("/es" + page.url).content, "html.parser")
    assert [text_of(section.find("h2")) for section in soup.select("section.emmie")] == [
        "Dónde y para quién",
        "Qué se necesita",
        "Pertinencia para América Latina y el Caribe",
    ]


def test_last_reviewed_and_the_cite_line_in_the_visitors_language(client, import_records):
    (page,) = import_records(RecordFactory(slug="reviewed", title="Reviewed programme", last_reviewed="2026-03-05"))
    english = BeautifulSoup(client.get(page.url).content, "html.parser")
    assert text_of(english.find(class_="last-reviewed")) == "Last reviewed: March 5, 2026"
    cite = text_of(english.select_one(".cite .citation"))
    assert cite.startswith("Reviewed programme. What works in citizen security")
    assert "/interventions/reviewed/. Last reviewed March 5, 2026; accessed" in cite
    assert datetime.date.today().strftime("%Y") in cite
    spanish = BeautifulSoup(client.get("/es" + page.url).content, "html.parser")
    assert text_of(spanish.find(class_="last-reviewed")) == "Última revisión: 5 de marzo de 2026"
    cite = text_of(spanish.select_one(".cite .citation"))
    assert "Qué funciona en seguridad ciudadana" in cite and "Última revisión 5 de marzo de 2026; consultado el" in cite
