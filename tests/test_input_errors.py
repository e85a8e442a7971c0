"""A NUL character in any parameter a view reads is a 400 that names the parameter, on every surface: PostgreSQL
cannot compare a text holding one, so it must never reach a query (on SQLite it would only find nothing)."""

from urllib.parse import quote

import pytest

from search.facets import FACETS

pytestmark = pytest.mark.django_db

NUL_VALUE = quote("a\x00b")
SEARCH_PARAMETERS = [
    "q",
    *(facet.name for facet in FACETS),
    "lang",
    "sort",
    "bcr_min",
    "has_cost",
    "spell",
    "page",
    "page_size",
]
JSON_SURFACES = ["/api/v1/search/", "/search/export.csv", "/search/export.json"]
PAGE_SURFACES = ["/search/", "/gap-map/"]


def assert_json_error_names(response, parameter):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["parameter"] == parameter
    assert "NUL" in response.json()["error"]["message"]


def assert_page_error_names(response, parameter):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f"The value of “{parameter}” is not valid: expected text without a NUL character." in response.text


@pytest.mark.parametrize("surface", JSON_SURFACES)
@pytest.mark.parametrize("parameter", SEARCH_PARAMETERS)
def test_a_nul_in_a_search_parameter_is_a_json_400_naming_it(client, surface, parameter):
    assert_json_error_names(client.get(f"{surface}?{parameter}={NUL_VALUE}"), parameter)


@pytest.mark.parametrize("surface", PAGE_SURFACES)
@pytest.mark.parametrize("parameter", SEARCH_PARAMETERS)
def test_a_nul_in_a_search_parameter_is_a_page_400_naming_it(client, surface, parameter):
    assert_page_error_names(client.get(f"{surface}?{parameter}={NUL_VALUE}"), parameter)


def test_a_nul_among_several_values_of_a_facet_is_refused(client):
    assert_json_error_names(client.get(f"/api/v1/search/?country=CO&country={NUL_VALUE}"), "country")


def test_a_nul_in_the_gap_map_region_is_a_400_naming_it(client):
    assert_page_error_names(client.get(f"/gap-map/?region={NUL_VALUE}"), "region")


def test_a_nul_in_a_compared_intervention_is_a_400_naming_it(client):
    response = client.get(f"/compare/?i=becoming-a-man&i={NUL_VALUE}")
    assert_page_error_names(response, "i")
    assert "Choose interventions in the search" in response.text
