"""The current search results as CSV and as interchange-format JSON, with the same parameters as the page: streamed,
read a batch at a time, at most SEARCH_EXPORT_MAX_RECORDS interventions a file."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interventions.interchange.exporter import export_document, normalize_record
from interventions.interchange.validation import schema_validator
from search.service import SearchParams, search_records
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db
QUERY = "q=police&country=BR&country=CO&sort=title"


def police_records():
    """Two records the QUERY finds and two it leaves out, one for its words and one for its countries."""
    return [
        RecordFactory(slug="police-hotline", title="Police hotline", countries=["BR"]),
        RecordFactory(slug="community-police", title="Community police patrols", countries=["CO", "MX"]),
        RecordFactory(slug="police-cameras", title="Police cameras", countries=["MX"]),
        RecordFactory(slug="school-mentoring", title="School mentoring", countries=["BR"]),
    ]


def youth_mentoring():
    return RecordFactory(
        slug="youth-mentoring",
        title="Youth mentoring with weekly sessions",
        countries=["US"],
        evidence_rating="effective",
        cost_per_participant={"amount": 1250, "currency": "USD", "year": 2022},
        benefit_cost_ratio={"low": 5, "high": 30},
        translations={"es": {"title": "Mentoría para jóvenes con sesiones semanales"}},
    )


def programmes(number):
    return [RecordFactory(slug=f"programme-{n:02d}", title=f"Programme {n:02d}") for n in range(1, number + 1)]


def expected_slugs(**params):
    return [hit.slug for hit in search_records(SearchParams(page_size=100, **params)).hits]


def downloaded(response):
    """The text of a streamed export."""
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(response):
    text = downloaded(response)
    # Excel's way to know UTF-8: a byte-order mark, which Python's "utf-8-sig" reads (and spreadsheets hide).
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def json_slugs(response):
    return [record["slug"] for record in json.loads(downloaded(response))["interventions"]]


def test_csv_holds_exactly_the_search_results(client, import_records):
    import_records(*police_records())
    response = client.get(f"/search/export.csv?{QUERY}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="interventions.csv"'
    rows = csv_rows(response)
    expected = expected_slugs(q="police", filters={"country": ("BR", "CO")}, sort="title")
    assert expected == ["community-police", "police-hotline"] and [row["slug"] for row in rows] == expected
    assert all("Brazil" in row["countries"] or "Colombia" in row["countries"] for row in rows)


def test_csv_values_of_a_known_record(client, import_records):
    import_records(youth_mentoring())
    rows = csv_rows(client.get("/search/export.csv?q=mentoring"))
    mentoring = next(row for row in rows if row["slug"] == "youth-mentoring")
    assert (mentoring["evidence_rating"], mentoring["bcr_low"], mentoring["bcr_high"]) == ("Effective", "5.0", "30.0")
    assert (mentoring["cost_per_participant"], mentoring["cost_currency"], mentoring["cost_year"]) == (
        "1250.0",
        "USD",
        "2022",
    )
    assert mentoring["url"] == "http://testserver/interventions/youth-mentoring/"


def test_csv_cells_never_start_a_spreadsheet_formula(client, import_records):
    import_records(RecordFactory(slug="formula", title='=HYPERLINK("http://x")', summary="@SUM(A1) qwzzle"))
    rows = csv_rows(client.get("/search/export.csv?q=qwzzle"))
    assert (rows[0]["title"], rows[0]["summary"]) == ('\'=HYPERLINK("http://x")', "'@SUM(A1) qwzzle")


def test_json_is_an_interchange_file_of_exactly_the_results(client, import_records):
    import_records(*police_records())
    response = client.get(f"/search/export.json?{QUERY}")
    assert response["Content-Type"] == "application/json"
    document = json.loads(downloaded(response))
    assert list(schema_validator().iter_errors(document)) == []
    assert (
        [record["slug"] for record in document["interventions"]]
        == expected_slugs(q="police", filters={"country": ("BR", "CO")}, sort="title")
        == ["community-police", "police-hotline"]
    )


def test_json_from_a_spanish_search_exports_originals_with_their_translations(client, import_records):
    import_records(
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for young people",
            translations={"es": {"title": "Programa de empleos de verano para jóvenes"}},
        )
    )
    document = json.loads(downloaded(client.get("/es/search/export.json?q=empleos+de+verano")))
    record = document["interventions"][0]
    assert record["locale"] == "en" and record["title"] == "Summer jobs for young people"
    assert record["translations"]["es"]["title"] == "Programa de empleos de verano para jóvenes"


def test_bad_parameters_get_a_400(client):
    assert client.get("/search/export.csv?page_size=0").json()["error"]["parameter"] == "page_size"
    assert client.get("/search/export.json?sort=drop").status_code == 400


def test_search_page_links_to_both_exports_with_its_parameters(client, import_records):
    import_records(*police_records())
    html = client.get(f"/search/?{QUERY}").content.decode()
    assert f'href="/search/export.csv?{QUERY.replace("&", "&amp;")}"' in html
    assert f'href="/search/export.json?{QUERY.replace("&", "&amp;")}"' in html


def test_csv_labels_are_in_the_language_of_the_page(client, import_records):
    import_records(youth_mentoring())
    rows = csv_rows(client.get("/es/search/export.csv?q=mentoring"))
    mentoring = next(row for row in rows if row["slug"] == "youth-mentoring")
    assert mentoring["url"].startswith("http://testserver/es/")
    assert (mentoring["evidence_rating"], mentoring["countries"]) == ("Eficaz", "Estados Unidos")


def test_json_export_of_everything_holds_the_records_of_the_interchange_export(client, import_records):
    import_records(*police_records(), youth_mentoring())
    exported = json.loads(downloaded(client.get("/search/export.json")))
    assert list(schema_validator().iter_errors(exported)) == []
    whole = {record["slug"]: record for record in export_document()["interventions"]}
    assert len(exported["interventions"]) == len(whole) == 5
    assert all(normalize_record(record) == whole[record["slug"]] for record in exported["interventions"])


def test_csv_streams_its_header_then_a_batch_of_rows_at_a_time(client, import_records, monkeypatch):
    import_records(*programmes(21))
    monkeypatch.setattr("search.exports.EXPORT_BATCH_SIZE", 10)
    response = client.get("/search/export.csv")
    assert response.streaming
    pieces = [piece.decode() for piece in response.streaming_content]
    assert pieces[0].startswith("\ufeffslug,title,url,") and pieces[0].count("\n") == 1
    rows = list(csv.reader(io.StringIO("".join(pieces[1:]))))
    assert len(rows) > 20 and len(pieces) == 1 + -(-len(rows) // 10)


def test_json_streams_a_record_at_a_time(client, import_records):
    import_records(*programmes(3))
    response = client.get("/search/export.json")
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) == 2 + len(json.loads(b"".join(pieces))["interventions"]) == 5


@pytest.mark.parametrize("path", ["/search/export.csv", "/search/export.json"])
def test_export_queries_do_not_grow_with_the_records(client, import_records, path):
    """Pages, their terms, children and translations are read a batch at a time: one record or all of them, the
    same queries."""
    import_records(*police_records(), youth_mentoring())
    downloaded(client.get(path))  # the search snapshot is built once, outside what is counted

    def queries(query_string):
        with CaptureQueriesContext(connection) as captured:
            downloaded(client.get(path + query_string))
        return len(captured)

    assert queries("") == queries("?limit=1")


def test_an_export_holds_at_most_the_cap_and_links_to_the_next_part(client, import_records, settings):
    import_records(*programmes(21))
    everything = [row["slug"] for row in csv_rows(client.get("/search/export.csv?sort=title"))]
    settings.SEARCH_EXPORT_MAX_RECORDS = 10
    response = client.get("/search/export.csv?sort=title")
    assert response["X-Total-Count"] == str(len(everything)) and len(everything) > 20
    assert response["Content-Disposition"] == 'attachment; filename="interventions-1-10.csv"'
    slugs = [row["slug"] for row in csv_rows(response)]
    while "Link" in response:
        following = re.fullmatch(r'<http://testserver(/search/export\.csv\?[^>]+)>; rel="next"', response["Link"])
        response = client.get(following[1])
        slugs += [row["slug"] for row in csv_rows(response)]
    assert slugs == everything
    assert response["Content-Disposition"].endswith(f'-{len(everything)}.csv"')


def test_json_parts_are_interchange_files_of_their_records(client, import_records, settings):
    import_records(*programmes(16))
    settings.SEARCH_EXPORT_MAX_RECORDS = 10
    first = client.get("/search/export.json?sort=title")
    second = client.get("/search/export.json?sort=title&offset=10&limit=5")
    assert first["Link"] == '<http://testserver/search/export.json?sort=title&offset=10>; rel="next"'
    assert second["Link"] == '<http://testserver/search/export.json?sort=title&offset=15&limit=5>; rel="next"'
    both = json.loads(downloaded(first))["interventions"] + json.loads(downloaded(second))["interventions"]
    assert list(schema_validator().iter_errors({"format": "interventions-v1", "interventions": both})) == []
    assert (
        [record["slug"] for record in both]
        == expected_slugs(sort="title", filters={"content_type": ("intervention",)})[:15]
        == [f"programme-{n:02d}" for n in range(1, 16)]
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=11", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
        ("offset=999", "offset"),
    ],
)
def test_a_bad_window_gets_a_400_that_names_it(client, settings, query, parameter):
    settings.SEARCH_EXPORT_MAX_RECORDS = 10
    response = client.get(f"/search/export.json?{query}")
    assert response.status_code == 400 and response.json()["error"]["parameter"] == parameter


def test_an_export_of_no_results_is_an_empty_file(client):
    assert json.loads(downloaded(client.get("/search/export.json?q=qwxzzyq&spell=0")))["interventions"] == []
    assert csv_rows(client.get("/search/export.csv?q=qwxzzyq&spell=0")) == []


def test_search_page_offers_every_part_when_the_results_are_more_than_a_file_holds(client, import_records, settings):
    import_records(*programmes(45))
    settings.SEARCH_EXPORT_MAX_RECORDS = 20
    html = client.get("/search/?content_type=intervention&page=2").content.decode()
    count = client.get("/search/export.csv?content_type=intervention")["X-Total-Count"]
    assert int(count) > 40
    assert 'href="/search/export.csv?content_type=intervention&amp;offset=20"' in html
    last_part_start = (int(count) - 1) // 20 * 20 + 1
    assert f"{last_part_start}–{count}:" in html


def test_csv_reads_back_in_excel_s_encoding_with_its_accents(client, import_records):
    import_records(RecordFactory(slug="acentos", title="Quillbrook Denúncia, São Paulo"))
    content = b"".join(client.get("/search/export.csv?q=quillbrook").streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Quillbrook Denúncia, São Paulo"]
