"""The list of every intervention under an index page: in pages, each within the page weight budget."""

import pytest
from bs4 import BeautifulSoup

from interventions.models import InterventionIndexPage
from tests.factories import InterventionIndexPageFactory, RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(import_records, monkeypatch):
    monkeypatch.setattr(InterventionIndexPage, "PAGE_SIZE", 2)
    index = InterventionIndexPageFactory()
    for page in import_records(*(RecordFactory(title=f"Quorvath programme {n}") for n in (1, 2, 3))):
        page.move(index, pos="last-child")
    index.refresh_from_db()
    return index


def titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [link.get_text() for link in soup.select("ul.recent > li > a")], soup


def test_the_index_lists_its_interventions_in_pages(client, index):
    first, soup = titles(client.get(index.url))
    assert first == ["Quorvath programme 1", "Quorvath programme 2"]
    assert "3 interventions" in soup.select_one(".result-count").get_text()
    assert soup.select_one(".pagination a[rel=next]")["href"] == "?page=2"
    second, soup = titles(client.get(index.url, {"page": 2}))
    assert second == ["Quorvath programme 3"]
    assert "Page 2 of 2" in soup.select_one(".pagination").get_text()


@pytest.mark.parametrize("number", ["3", "0", "abc"])
def test_a_page_that_does_not_exist_is_not_found(client, index, number):
    assert client.get(index.url, {"page": number}).status_code == 404
