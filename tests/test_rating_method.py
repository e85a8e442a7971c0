"""The rating-method page: the evidence ratings, study designs, Maryland levels, cost bands and the headline rule,
in every interface language, linked from every page and from each headline."""

import pytest
from bs4 import BeautifulSoup

from interventions.vocabularies import EVIDENCE_RATING_MEANINGS, EvidenceRating, StudyDesign
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "prefix, heading, effective, band",
    [
        ("", "How we rate the evidence and the costs", "Effective", "Very high cost"),
        ("/es", "Cómo calificamos la evidencia y los costos", "Eficaz", "Costo muy alto"),
        ("/pt", "Como classificamos as evidências e os custos", "Eficaz", "Custo muito alto"),
        ("/fr", "Comment nous évaluons les preuves et les coûts", "Efficace", "Coût très élevé"),
    ],
)
def test_the_method_page_in_every_language(client, prefix, heading, effective, band):
    response = client.get(f"{prefix}/method/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("html")["lang"] == (prefix[1:] or "en") and soup.find("h1").get_text() == heading
    badges = [badge.get_text() for badge in soup.select("#ratings ~ dl span.rating")]
    assert len(badges) == len(EvidenceRating) and badges[0] == effective
    assert soup.select_one("span.rating.rating-effective").get_text() == effective
    assert len(soup.select("#maryland + p + dl dt")) == 5
    assert band in [term.get_text() for term in soup.select("#cost + p + dl dt")]
    assert soup.find("footer").find("a", href=f"{prefix}/method/")


def test_the_method_page_explains_every_rating_and_design(client):
    text = BeautifulSoup(client.get("/method/").content, "html.parser").get_text(" ", strip=True)
    for meaning in EVIDENCE_RATING_MEANINGS.values():
        assert str(meaning) in text
    for design in StudyDesign:
        assert str(design.label) in text
    assert "Under USD 100 per participant" in text and "Over USD 5,000 per participant" in text
    assert "never the headline, never drawn in the forest plot" in text


def test_each_headline_links_to_the_method(client, import_records):
    import_records(RecordFactory(slug="youth-cbt", title="Group therapy for boys at school"))
    soup = BeautifulSoup(client.get("/pt/interventions/youth-cbt/").content, "html.parser")
    assert soup.select_one(".headline .how-we-rate a")["href"] == "/pt/method/"
