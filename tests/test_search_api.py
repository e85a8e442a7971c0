"""GET /api/v1/search/ and its OpenAPI description."""

from urllib.parse import urlencode

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from search import views
from search.facets import FACETS
from search.params import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    MAX_VALUE_LENGTH,
    InvalidParameter,
    parse_search_params,
)
from search.service import MAX_PAGE_SIZE, SORTS
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db


def api(client, query=""):
    return client.get(f"/api/v1/search/?{query}")


def test_response_shape(client, import_records):
    import_records(
        RecordFactory(
            slug="youth-mentoring",
            title="Youth mentoring with weekly sessions",
            countries=["US"],
            evidence_rating="effective",
            benefit_cost_ratio={"low": 5, "high": 30},
        ),
        RecordFactory(slug="school-mentoring", title="School mentoring", countries=["US", "MX"]),
        # Each outside the search in one way: the country facet counts neither.
        RecordFactory(
            slug="officer-mentoring",
            title="Officer mentoring",
            pillars=["strengthening-institutions"],
            countries=["US"],
        ),
        RecordFactory(slug="street-lighting", title="Street lighting", countries=["US"]),
    )
    response = api(client, "q=mentoring&pillar=protecting-vulnerable-populations&page_size=5")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "corrected_query", "page", "page_size", "results", "facets"}
    assert (body["count"], body["page"], body["page_size"]) == (2, 1, 5)
    mentoring = next(result for result in body["results"] if result["slug"] == "youth-mentoring")
    assert mentoring["benefit_cost_ratio"] == {"low": 5.0, "high": 30.0}
    assert mentoring["evidence_rating"] == "effective" and mentoring["countries"] == ["US"]
    assert mentoring["url"] == "http://testserver/interventions/youth-mentoring/"
    assert isinstance(mentoring["score"], float)
    assert set(body["facets"]) == {facet.name for facet in FACETS}
    assert {"value": "US", "label": "United States of America", "count": 2} in body["facets"]["country"]


def test_repeated_parameters_select_several_values(client, import_records):
    import_records(
        RecordFactory(slug="hotline-brazil", countries=["BR"]),
        RecordFactory(slug="hotline-colombia", countries=["CO"]),
        RecordFactory(slug="hotline-mexico", countries=["MX"]),
    )
    one = api(client, "country=BR").json()["count"]
    both = api(client, "country=BR&country=CO").json()["count"]
    assert (one, both) == (1, 2)


def test_unknown_parameters_are_ignored(client):
    assert api(client, "colour=blue&q=becoming").json() == api(client, "q=becoming").json()


def test_labels_follow_lang(client, import_records):
    import_records(RecordFactory(slug="youth-mentoring", pillars=["protecting-vulnerable-populations"]))
    pillars = api(client, "lang=es").json()["facets"]["pillar"]
    assert "Protección de poblaciones vulnerables" in {entry["label"] for entry in pillars}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page_size=1000000", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("bcr_min=abc", "bcr_min"),
        ("bcr_min=-1", "bcr_min"),
        ("bcr_min=nan", "bcr_min"),
        ("sort=drop", "sort"),
        ("has_cost=maybe", "has_cost"),
        ("lang=xx", "lang"),
        ("q=" + "x" * 501, "q"),
        ("country=" + "X" * 101, "country"),
    ],
)
def test_bad_values_get_a_400_naming_the_parameter(client, query, parameter):
    response = api(client, query)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter
    assert response.json()["error"]["message"]


def test_page_size_of_100_is_allowed(client):
    assert api(client, "page_size=100").json()["page_size"] == 100


def test_number_of_queries_does_not_grow_with_page_size(client, import_records):
    import_records(
        *(RecordFactory(slug=f"violence-prevention-{n}", summary="A violence prevention programme.") for n in range(5))
    )

    def queries(page_size):
        # Warmed up first: the first search of a query on a day also creates its rows in the search log.
        api(client, f"q=violence&page_size={page_size}")
        with CaptureQueriesContext(connection) as context:
            assert api(client, f"q=violence&page_size={page_size}").status_code == 200
        return len(context.captured_queries)

    assert api(client, "q=violence&page_size=40").json()["count"] == 5
    assert queries(2) == queries(40)


def test_openapi_description_matches_the_api(client, import_records):
    import_records(RecordFactory(slug="police-training", title="Police training", countries=["CO"]))
    schema = client.get("/api/v1/schema/").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"q", "bcr_min", "has_cost", "sort", "page", "page_size", "lang", "spell"} | {
        f.name for f in FACETS
    }
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    found = api(client, "q=police&country=CO").json()
    assert found["count"] == 1
    jsonschema.validate(found, response_schema)
    error_schema = operation["responses"]["400"]["content"]["application/json"]["schema"]
    jsonschema.validate(api(client, "sort=drop").json(), error_schema)


def openapi(client):
    return client.get("/api/v1/schema/").json()


def documented(schema, status, method="get", path="/api/v1/search/"):
    return schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]


def assert_json_error(response, status, schema):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    jsonschema.validate(response.json(), schema)


@pytest.mark.parametrize("path", ["/api/", "/api/v1/", "/api/v1/nope/", "/api/v2/search/"])
def test_an_unknown_api_address_is_a_json_404(client, path):
    assert_json_error(
        client.get(path),
        404,
        openapi(client)["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"],
    )


def test_an_unknown_page_is_still_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/search/", "/api/v1/schema/"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_method_that_writes_is_a_json_405_not_a_csrf_403(client, path, method):
    # The CSRF check runs as in production, where it would refuse the request before the view could say 405.
    response = getattr(Client(enforce_csrf_checks=True), method)(path, {"q": "x"})
    assert_json_error(response, 405, documented(openapi(client), 405, method, path))
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", ["/api/v1/search/?q=police", "/api/v1/schema/"])
def test_head_answers_as_get_without_a_body_and_options_lists_the_methods(client, path):
    get, head = client.get(path), client.head(path)
    assert (head.status_code, head["Content-Type"], head.content) == (200, get["Content-Type"], b"")
    options = client.options(path)
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, OPTIONS"


def test_a_failing_search_is_a_json_500_without_the_failure(client, monkeypatch):
    def fail(params):
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr(views, "search_records", fail)
    server = Client(raise_request_exception=False)
    response = server.get("/api/v1/search/?q=police")
    assert_json_error(response, 500, documented(openapi(client), 500))
    assert "secret" not in response.text and "Traceback" not in response.text
    page = server.get("/search/?q=police")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_too_many_parameters_is_a_json_400(client):
    fields = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.get(f"/api/v1/search/?{fields}")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert (
        f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters" in openapi(client)["info"]["description"]
    )


# The limits the code enforces, each just inside and just outside: the description must accept what the API accepts.
LIMIT_CASES = [
    ("q", "x" * MAX_QUERY_LENGTH),
    ("q", "x" * (MAX_QUERY_LENGTH + 1)),
    ("q", "a\x00b"),
    ("country", "X" * MAX_VALUE_LENGTH),
    ("country", "X" * (MAX_VALUE_LENGTH + 1)),
    ("country", "a\x00b"),
    ("page", 0),
    ("page", 1),
    ("page", MAX_PAGE),
    ("page", MAX_PAGE + 1),
    ("page_size", 0),
    ("page_size", 1),
    ("page_size", MAX_PAGE_SIZE),
    ("page_size", MAX_PAGE_SIZE + 1),
    ("bcr_min", -0.5),
    ("bcr_min", 0),
    ("sort", "drop"),
    *(("sort", sort) for sort in SORTS),
    ("lang", "xx"),
    *(("lang", code) for code, _ in settings.LANGUAGES),
]


@pytest.mark.parametrize(("name", "value"), LIMIT_CASES)
def test_the_openapi_description_states_each_limit_the_api_enforces(client, name, value):
    parameter = next(p for p in openapi(client)["paths"]["/api/v1/search/"]["get"]["parameters"] if p["name"] == name)
    documented_value = [value] if parameter["schema"]["type"] == "array" else value
    described = jsonschema.Draft202012Validator(parameter["schema"]).is_valid(documented_value)
    try:
        parse_search_params(QueryDict(urlencode({name: value})))
        accepted = True
    except InvalidParameter:
        accepted = False
    assert described == accepted


def test_the_documented_page_size_is_the_one_the_api_gives(client):
    parameter = next(
        p for p in openapi(client)["paths"]["/api/v1/search/"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert parameter["schema"]["default"] == DEFAULT_PAGE_SIZE == api(client).json()["page_size"]
