"""An intervention's studies as RIS and BibTeX, written from their structured citations and read back as reference
managers read them (rispy, bibtexparser)."""

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser

from tests.factories import RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db

JOURNAL_ARTICLE = StudyFactory(
    key="braga-2018",
    citation="Braga, A. A., Weisburd, D. L., & Turchan, B. (2018). Focused deterrence strategies and crime control.",
    year=2018,
    design="systematic-review",
    authors=["Braga, Anthony A.", "Weisburd, David L.", "Turchan, Brandon"],
    title="Focused Deterrence Strategies and Crime Control: An Updated Systematic Review and Meta-Analysis",
    publication_type="journal-article",
    venue="Criminology & Public Policy",
    volume="17",
    issue="1",
    pages="205–250",
    doi="10.1111/1745-9133.12353",
    url="https://onlinelibrary.wiley.com/doi/10.1111/1745-9133.12353",
)
WORKING_PAPER = StudyFactory(
    key="heller-2013",
    year=2013,
    authors=["Heller, Sara B.", "Pollack, Harold A.", "Ander, Roseanna", "Ludwig, Jens"],
    title="Preventing Youth Violence and Dropout: A Randomized Field Experiment",
    publication_type="working-paper",
    venue="NBER Working Paper",
    issue="19014",
    doi="10.3386/w19014",
)
ORGANISATION_REPORT = StudyFactory(
    key="unodc-2019",
    year=2019,
    design="qualitative",
    authors=["United Nations Office on Drugs and Crime"],
    title="Global Study on Homicide 2019",
    publication_type="report",
    venue="United Nations Office on Drugs and Crime",
    url="https://www.unodc.org/unodc/en/data-and-analysis/global-study-on-homicide.html",
)
BOOK_CHAPTER = StudyFactory(
    key="welsh-2012",
    year=2012,
    design="qualitative",
    authors=["Welsh, Brandon C.", "Farrington, David P."],
    title="Crime Prevention and Public Policy",
    publication_type="book-chapter",
    venue="The Oxford Handbook of Crime Prevention",
    pages="3-19",
)
THESIS = StudyFactory(
    key="thesis-2021",
    year=2021,
    authors=["Pérez, Ana María"],
    title="Street lighting and night-time robbery in Medellín: 100% of segments",
    publication_type="thesis",
    venue="Universidad de Antioquia",
    pages="88",
)
UNSTRUCTURED = StudyFactory(key="unstructured-2020", citation="Author (2020). A study of the intervention.", year=2020)


@pytest.fixture
def page(import_records):
    studies = [JOURNAL_ARTICLE, WORKING_PAPER, ORGANISATION_REPORT, BOOK_CHAPTER, THESIS, UNSTRUCTURED]
    (page,) = import_records(RecordFactory(slug="cited", title="Cited programme", studies=studies, outcomes=[]))
    return page


@pytest.fixture
def ris_entries(client, page):
    response = client.get(page.url + "citations/ris/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cited.ris"'
    return {entry["title"]: entry for entry in rispy.loads(response.content.decode())}


@pytest.fixture
def bibtex_entries(client, page):
    response = client.get(page.url + "citations/bibtex/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cited.bib"'
    database = bibtexparser.loads(response.content.decode(), parser=BibTexParser(common_strings=False))
    assert [entry["ID"] for entry in database.entries] == [
        "braga-2018",
        "heller-2013",
        "unodc-2019",
        "welsh-2012",
        "thesis-2021",
        "unstructured-2020",
    ]
    return database.entries_dict


def test_ris_journal_article(ris_entries):
    entry = ris_entries[JOURNAL_ARTICLE["title"]]
    assert entry == {
        "type_of_reference": "JOUR",
        "authors": ["Braga, Anthony A.", "Weisburd, David L.", "Turchan, Brandon"],
        "title": JOURNAL_ARTICLE["title"],
        "secondary_title": "Criminology & Public Policy",
        "journal_name": "Criminology & Public Policy",
        "volume": "17",
        "number": "1",
        "start_page": "205",
        "end_page": "250",
        "year": "2018",
        "doi": "10.1111/1745-9133.12353",
        "urls": ["https://onlinelibrary.wiley.com/doi/10.1111/1745-9133.12353"],
        "notes": ["Systematic review; evidence on: Cited programme"],
    }


def test_ris_working_paper_report_chapter_and_thesis(ris_entries):
    paper = ris_entries[WORKING_PAPER["title"]]
    assert (paper["type_of_reference"], paper["type_of_work"]) == ("RPRT", "Working Paper")
    assert paper["authors"] == WORKING_PAPER["authors"]
    assert (paper["secondary_title"], paper["number"]) == ("NBER Working Paper", "19014")
    assert paper["doi"] == "10.3386/w19014"

    report = ris_entries["Global Study on Homicide 2019"]
    assert report["type_of_reference"] == "RPRT" and "type_of_work" not in report
    assert report["authors"] == ["United Nations Office on Drugs and Crime"]
    assert report["publisher"] == "United Nations Office on Drugs and Crime" and "secondary_title" not in report
    assert report["urls"] == [ORGANISATION_REPORT["url"]] and report["year"] == "2019"

    chapter = ris_entries["Crime Prevention and Public Policy"]
    assert chapter["type_of_reference"] == "CHAP"
    assert chapter["secondary_title"] == "The Oxford Handbook of Crime Prevention"
    assert (chapter["start_page"], chapter["end_page"]) == ("3", "19")

    thesis = ris_entries[THESIS["title"]]
    assert (thesis["type_of_reference"], thesis["publisher"]) == ("THES", "Universidad de Antioquia")
    assert thesis["authors"] == ["Pérez, Ana María"] and thesis["start_page"] == "88" and "end_page" not in thesis


def test_ris_study_without_structured_citation_is_generic_with_its_citation_as_title(ris_entries):
    entry = ris_entries[UNSTRUCTURED["citation"]]
    assert entry["type_of_reference"] == "GEN" and "authors" not in entry
    assert entry["year"] == "2020" and entry["notes"] == ["Randomised controlled trial; evidence on: Cited programme"]


def test_bibtex_journal_article(bibtex_entries):
    assert bibtex_entries["braga-2018"] == {
        "ENTRYTYPE": "article",
        "ID": "braga-2018",
        "author": "Braga, Anthony A. and Weisburd, David L. and Turchan, Brandon",
        "title": JOURNAL_ARTICLE["title"],
        "journal": r"Criminology \& Public Policy",
        "volume": "17",
        "number": "1",
        "pages": "205--250",
        "year": "2018",
        "doi": "10.1111/1745-9133.12353",
        "url": "https://onlinelibrary.wiley.com/doi/10.1111/1745-9133.12353",
        "note": "Systematic review; evidence on: Cited programme",
    }


def test_bibtex_working_paper_report_chapter_and_thesis(bibtex_entries):
    paper = bibtex_entries["heller-2013"]
    assert (paper["ENTRYTYPE"], paper["type"], paper["number"]) == ("techreport", "Working Paper", "19014")
    assert paper["author"] == "Heller, Sara B. and Pollack, Harold A. and Ander, Roseanna and Ludwig, Jens"
    assert paper["institution"] == "NBER Working Paper" and paper["year"] == "2013"

    report = bibtex_entries["unodc-2019"]
    assert report["ENTRYTYPE"] == "techreport" and "type" not in report
    # Braced, the organisation is one author and its "and" separates no one.
    assert report["author"] == "{United Nations Office on Drugs and Crime}"
    assert report["institution"] == "United Nations Office on Drugs and Crime"

    chapter = bibtex_entries["welsh-2012"]
    assert (chapter["ENTRYTYPE"], chapter["pages"]) == ("incollection", "3--19")
    assert chapter["booktitle"] == "The Oxford Handbook of Crime Prevention"
    assert chapter["author"] == "Welsh, Brandon C. and Farrington, David P."

    thesis = bibtex_entries["thesis-2021"]
    assert (thesis["ENTRYTYPE"], thesis["type"]) == ("phdthesis", "Thesis")
    assert thesis["school"] == "Universidad de Antioquia"
    assert thesis["title"] == r"Street lighting and night-time robbery in Medellín: 100\% of segments"
    assert thesis["author"] == "Pérez, Ana María" and thesis["pages"] == "88"


def test_bibtex_study_without_structured_citation_is_misc_with_its_citation_as_title(bibtex_entries):
    entry = bibtex_entries["unstructured-2020"]
    assert entry == {
        "ENTRYTYPE": "misc",
        "ID": "unstructured-2020",
        "title": UNSTRUCTURED["citation"],
        "year": "2020",
        "note": "Randomised controlled trial; evidence on: Cited programme",
    }
