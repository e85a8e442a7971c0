"""GET /api/v1/search/ and its OpenAPI description."""

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.facets import FACETS

pytestmark = pytest.mark.django_db


def api(client, query=""):
    return client.get(f"/api/v1/search/?{query}")


def test_response_shape(client):
    response = api(client, "q=becoming&pillar=protecting-vulnerable-populations&page_size=5")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "corrected_query", "page", "page_size", "results", "facets"}
    assert (body["page"], body["page_size"]) == (1, 5)
    bam = next(result for result in body["results"] if result["slug"] == "becoming-a-man")
    assert bam["benefit_cost_ratio"] == {"low": 5.0, "high": 30.0}
    assert bam["evidence_rating"] == "effective" and bam["countries"] == ["US"]
    assert bam["url"] == "http://testserver/interventions/becoming-a-man/"
    assert isinstance(bam["score"], float)
    assert set(body["facets"]) == {facet.name for facet in FACETS}
    assert {"value": "US", "label": "United States of America", "count": 1} in body["facets"]["country"]


def test_repeated_parameters_select_several_values(client):
    one = api(client, "country=BR").json()["count"]
    both = api(client, "country=BR&country=CO").json()["count"]
    assert both > one


def test_unknown_parameters_are_ignored(client):
    assert api(client, "colour=blue&q=becoming").json() == api(client, "q=becoming").json()


def test_labels_follow_lang(client):
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


def test_number_of_queries_does_not_grow_with_page_size(client):
    def queries(page_size):
        # Warmed up first: the first search of a query on a day also creates its rows in the search log.
        api(client, f"q=violence&page_size={page_size}")
        with CaptureQueriesContext(connection) as context:
            assert api(client, f"q=violence&page_size={page_size}").status_code == 200
        return len(context.captured_queries)

    assert queries(2) == queries(40)


def test_openapi_description_matches_the_api(client):
    schema = client.get("/api/v1/schema/").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"q", "bcr_min", "has_cost", "sort", "page", "page_size", "lang", "spell"} | {
        f.name for f in FACETS
    }
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(api(client, "q=police&country=CO").json(), response_schema)
    error_schema = operation["responses"]["400"]["content"]["application/json"]["schema"]
    jsonschema.validate(api(client, "sort=drop").json(), error_schema)
