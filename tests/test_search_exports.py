"""The current search results as CSV and as interchange-format JSON, with the same parameters as the page."""

import csv
import io

import pytest

from interventions.interchange import schema_validator
from search.service import SearchParams, search_interventions
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db
QUERY = "q=police&country=BR&country=CO&sort=title"


def expected_slugs(**params):
    return [hit.slug for hit in search_interventions(SearchParams(page_size=100, **params)).hits]


def test_csv_holds_exactly_the_search_results(client):
    response = client.get(f"/search/export.csv?{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = expected_slugs(q="police", filters={"country": ("BR", "CO")}, sort="title")
    assert expected and [row["slug"] for row in rows] == expected
    assert all("Brazil" in row["countries"] or "Colombia" in row["countries"] for row in rows)


def test_csv_values_of_a_known_record(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?q=becoming").content.decode())))
    bam = next(row for row in rows if row["slug"] == "becoming-a-man")
    assert (bam["evidence_rating"], bam["bcr_low"], bam["bcr_high"]) == ("Effective", "5.0", "30.0")
    assert (bam["cost_per_participant"], bam["cost_currency"], bam["cost_year"]) == ("2383.0", "USD", "2022")
    assert bam["url"] == "http://testserver/interventions/becoming-a-man/"


def test_csv_cells_never_start_a_spreadsheet_formula(client, import_records):
    import_records(RecordFactory(slug="formula", title='=HYPERLINK("http://x")', summary="@SUM(A1) qwzzle"))
    rows = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?q=qwzzle").content.decode())))
    assert (rows[0]["title"], rows[0]["summary"]) == ('\'=HYPERLINK("http://x")', "'@SUM(A1) qwzzle")


def test_json_is_an_interchange_file_of_exactly_the_results(client):
    response = client.get(f"/search/export.json?{QUERY}")
    document = response.json()
    assert list(schema_validator().iter_errors(document)) == []
    assert [record["slug"] for record in document["interventions"]] == expected_slugs(
        q="police", filters={"country": ("BR", "CO")}, sort="title"
    )


def test_json_from_a_spanish_search_exports_originals_with_their_translations(client):
    document = client.get("/es/search/export.json?q=empleos+de+verano").json()
    record = document["interventions"][0]
    assert record["locale"] == "en" and record["title"].startswith("One Summer Plus")
    assert record["translations"]["es"]["title"].startswith("Programa de empleos de verano")


def test_bad_parameters_get_a_400(client):
    assert client.get("/search/export.csv?page_size=0").json()["error"]["parameter"] == "page_size"
    assert client.get("/search/export.json?sort=drop").status_code == 400


def test_search_page_links_to_both_exports_with_its_parameters(client):
    html = client.get(f"/search/?{QUERY}").content.decode()
    assert f'href="/search/export.csv?{QUERY.replace("&", "&amp;")}"' in html
    assert f'href="/search/export.json?{QUERY.replace("&", "&amp;")}"' in html
