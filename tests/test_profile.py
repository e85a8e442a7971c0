"""The intervention profile: at a glance, outcomes with a forest plot, studies with citation export, similar ones."""

import pytest
from bs4 import BeautifulSoup

from interventions.citations import bibtex_escape
from tests.factories import OutcomeFactory, RecordFactory

pytestmark = pytest.mark.django_db
BAM = "/interventions/becoming-a-man/"


def test_profile_shows_ratio_outcomes_and_studies(client):
    soup = BeautifulSoup(client.get(BAM).content, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "Benefit-cost ratio 5.0–30.0" in text
    assert "Effective" in text and "Randomised controlled trial (3 studies)" in text
    assert "Target population At-risk youth; Young men" in text
    measures = [row.find_all("td")[1].get_text(strip=True) for row in soup.select("table tbody tr")]
    assert any("up to 50%" in measure for measure in measures)
    assert soup.find("a", href="https://doi.org/10.1093/qje/qjw033")


def test_forest_plot_is_server_rendered_svg_with_escaped_labels(client, import_records):
    outcome = OutcomeFactory(
        study="main-study",
        measure="Arrests <script>alert(1)</script>",
        effect_size={"metric": "risk-ratio", "value": 0.8, "ci_low": 0.6, "ci_high": 1.1},
    )
    (page,) = import_records(RecordFactory(slug="plotted", outcomes=[outcome]))
    html = client.get(page.url).content.decode()
    svg = BeautifulSoup(html, "html.parser").find("svg", class_="forest-plot")
    assert svg["aria-label"] == "Risk ratio"
    assert "Arrests &lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert svg.find("rect") and svg.find("text", string="0.8 [0.6, 1.1]")


def test_citations_as_ris_and_bibtex(client):
    ris = client.get(BAM + "citations/ris/")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert "DO  - 10.1093/qje/qjw033" in ris.content.decode() and ris.content.decode().count("ER  - ") == 3
    bib = client.get(BAM + "citations/bibtex/").content.decode()
    assert "@article{heller-2017," in bib and "doi = {10.1093/qje/qjw033}" in bib


def test_bibtex_escaping():
    assert bibtex_escape("A {b} & 50% $x #1 a_b ^ ~ \\") == r"A \{b\} \& 50\% \$x \#1 a\_b \^{} \~{} \textbackslash{}"


def test_similar_interventions_share_types_and_outcome_domains(client):
    soup = BeautifulSoup(client.get("/interventions/focused-deterrence/").content, "html.parser")
    heading = soup.find("h2", string="Similar interventions")
    similar = [a.get_text() for a in heading.find_next("ul").find_all("a")]
    assert 0 < len(similar) <= 5 and not any("Focused deterrence" in title for title in similar)
    assert soup.find("a", string="Compare with a similar intervention")["href"].startswith(
        "/compare/?i=focused-deterrence&i="
    )
