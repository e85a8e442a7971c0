"""Knowledge products imported from a JSON file: published under their pillar in every language they are written
in, found by the search, imported again without change, and not imported at all from a file with a mistake."""

import copy
import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Locale, Page, Revision

from interventions.page_tree import MissingPageTree
from pillars.knowledge_products import import_knowledge_products
from pillars.models import KnowledgeProductPage, PillarPage
from pillars.page_tree import ensure_pillar_pages
from search.service import SearchParams, search_records
from tests.conftest import REPO
from tests.factories import KnowledgeProductPageFactory, PillarPageFactory, RecordFactory

pytestmark = pytest.mark.django_db

# Two real products, kept apart from the demo's file so that what the demo ships never changes these tests.
FIXTURE = REPO / "tests" / "data" / "knowledge_products.json"
INSPIRE_URL = "https://www.who.int/publications/i/item/inspire-seven-strategies-for-ending-violence-against-children"
GUIDE = {
    "slug": "school-violence-guide",
    "pillar": "protecting-vulnerable-populations",
    "product_type": "tool",
    "title": "Toolkit for violence prevention in schools",
    "authors": ["Inter-American Development Bank"],
    "publication_year": 2019,
    "url": "https://publications.iadb.org/en/toolkit",
    "summary": "Steps for schools.",
    "body_html": '<p>Steps<script>alert("x")</script> for <a href="javascript:alert(1)">schools</a>.</p>',
    "related_interventions": ["youth-cbt"],
    "translations": {"es": {"title": "Caja de herramientas para escuelas", "summary": "Pasos para escuelas."}},
}


@pytest.fixture
def related_records(import_records):
    """The records the products may be related to: the guide's, and synthetic stand-ins under the slugs the products
    file names (only their slugs matter to these tests)."""
    named = [slug for product in read_products() for slug in product["related_interventions"]]
    return import_records(RecordFactory(slug="youth-cbt"), *(RecordFactory(slug=slug) for slug in named))


def read_products():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["knowledge_products"]


def import_file(path):
    stdout = io.StringIO()
    call_command("import_knowledge_products", str(path), stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def write_document(tmp_path, *products):
    path = tmp_path / "products.json"
    path.write_text(json.dumps({"knowledge_products": list(products)}), encoding="utf-8")
    return path


@pytest.mark.usefixtures("related_records")
def test_the_import_itself_creates_no_pillar_pages_and_says_what_creates_them():
    PillarPage.objects.all().delete()
    with pytest.raises(MissingPageTree, match="no page of the pillar 'protecting-vulnerable-populations' in 'en'"):
        import_knowledge_products({"knowledge_products": [GUIDE]})
    assert not PillarPage.objects.exists() and not KnowledgeProductPage.objects.filter(slug=GUIDE["slug"]).exists()
    ensure_pillar_pages()
    assert import_knowledge_products({"knowledge_products": [GUIDE]}).created == [GUIDE["slug"]]


@pytest.mark.usefixtures("related_records")
def test_import_publishes_products_under_their_pillar_in_english_and_spanish(client):
    assert import_file(FIXTURE) == ("Knowledge products: 2 created, 0 updated, 0 unchanged; 3 translations written\n")
    inspire = KnowledgeProductPage.objects.get(slug="who-inspire-seven-strategies", locale__language_code="en")
    assert inspire.live and inspire.get_parent().specific.pillar.slug == "protecting-vulnerable-populations"
    assert (inspire.product_type, inspire.publication_year, inspire.publication_date) == ("guide", 2016, None)
    assert inspire.authors == ["World Health Organization"] and inspire.source_url == INSPIRE_URL
    related = [item.intervention.slug for item in inspire.related_interventions.all()]
    assert related == ["nurse-family-partnership", "jamaica-home-visiting", "bolsa-familia"]
    spanish = inspire.get_translation(locale_es()).specific
    assert spanish.live and spanish.get_parent().specific.pillar.slug == "protecting-vulnerable-populations"
    assert spanish.title.startswith("INSPIRE: siete estrategias") and spanish.source_url == INSPIRE_URL
    handbook = KnowledgeProductPage.objects.get(
        slug="unodc-handbook-crime-prevention-guidelines", locale__language_code="en"
    )
    assert handbook.get_parent().specific.pillar.slug == "strengthening-institutions"

    pillar = BeautifulSoup(client.get("/protecting-vulnerable-populations/").content, "html.parser")
    link = pillar.find("a", string="INSPIRE: Seven Strategies for Ending Violence Against Children")
    assert link["href"] == "/protecting-vulnerable-populations/who-inspire-seven-strategies/"
    assert link.parent.find("time")["datetime"] == "2016" and link.parent.find("time").get_text() == "2016"
    pilar = BeautifulSoup(client.get("/es/protecting-vulnerable-populations/").content, "html.parser")
    assert (
        pilar.find("a", string=spanish.title)["href"]
        == "/es/protecting-vulnerable-populations/who-inspire-seven-strategies/"
    )

    page = BeautifulSoup(client.get(link["href"]).content, "html.parser")
    assert page.find("a", string="Where to get it")["href"] == INSPIRE_URL
    assert "parent and caregiver support" in page.get_text()
    # Each related intervention's title links to its profile (its headline's study links follow it).
    linked = [a["href"] for a in page.select("article ul a") if re.fullmatch(r"/interventions/[\w-]+/", a["href"])]
    assert linked == [f"/interventions/{slug}/" for slug in related]

    pagina = BeautifulSoup(client.get(pilar.find("a", string=spanish.title)["href"]).content, "html.parser")
    assert pagina.h1.get_text() == spanish.title and pagina.find("a", string="Dónde obtenerlo")["href"] == INSPIRE_URL

    english_hits = search_records(SearchParams(q="seven strategies violence against children")).hits
    assert english_hits[0].pk == inspire.pk
    spanish_hits = search_records(SearchParams(q="siete estrategias violencia niñas", lang="es")).hits
    assert spanish_hits[0].pk == spanish.pk


@pytest.mark.usefixtures("related_records")
def test_body_html_is_sanitized_and_a_translation_without_a_body_shows_the_original(tmp_path):
    import_file(write_document(tmp_path, GUIDE))
    guide = KnowledgeProductPage.objects.get(slug="school-violence-guide", locale__language_code="en")
    assert guide.body == "<p>Steps for <a>schools</a>.</p>"
    assert guide.get_translation(locale_es()).specific.body == guide.body


@pytest.mark.usefixtures("related_records")
def test_importing_again_changes_nothing_and_a_changed_file_updates_every_language(tmp_path):
    import_file(FIXTURE)
    revisions, pages = Revision.objects.count(), list(Page.objects.values_list("pk", "last_published_at"))
    assert import_file(FIXTURE) == ("Knowledge products: 0 created, 0 updated, 2 unchanged; 0 translations written\n")
    assert Revision.objects.count() == revisions
    assert list(Page.objects.values_list("pk", "last_published_at")) == pages

    changed = read_products()
    changed[0]["url"] = "https://iris.who.int/handle/10665/207717"
    changed[0]["related_interventions"] = ["bolsa-familia"]
    assert import_file(write_document(tmp_path, *changed)) == (
        "Knowledge products: 0 created, 1 updated, 1 unchanged; 2 translations written\n"
    )
    inspire = KnowledgeProductPage.objects.get(slug="who-inspire-seven-strategies", locale__language_code="en")
    for version in [inspire, inspire.get_translation(locale_es()).specific]:
        assert version.source_url == "https://iris.who.int/handle/10665/207717"
        assert [item.intervention.slug for item in version.related_interventions.all()] == ["bolsa-familia"]


def test_a_product_has_a_year_or_a_date_and_a_dated_one_shows_its_date(client):
    pillar_page = PillarPageFactory()
    with pytest.raises(ValidationError) as error:
        KnowledgeProductPageFactory.build(publication_date=None, publication_year=None).clean()
    assert error.value.message_dict["publication_year"] == ["Give the year of publication, or its date."]
    with pytest.raises(ValidationError) as error:
        KnowledgeProductPageFactory.build(publication_year=2023).clean()  # dated 2024
    assert error.value.message_dict["publication_year"] == ["The year is not the publication date's."]

    dated = KnowledgeProductPageFactory(parent=pillar_page, title="Dated guide")
    assert dated.publication_year == 2024
    listed = BeautifulSoup(client.get(pillar_page.url).content, "html.parser").find("a", string="Dated guide")
    assert listed.parent.find("time")["datetime"] == "2024-05-01"


def broken(**changes):
    product = copy.deepcopy(GUIDE)
    for name, value in changes.items():
        if value is None:
            del product[name]
        else:
            product[name] = value
    return product


@pytest.mark.parametrize(
    "product, error",
    [
        (broken(pillar="public-health"), "knowledge_products[1].pillar: unknown pillar 'public-health'; expected one"),
        (broken(product_type="video"), "knowledge_products[1].product_type: unknown type 'video'"),
        (broken(url="www.iadb.org/toolkit"), "knowledge_products[1].url: expected an http or https address"),
        (broken(url="javascript:alert(1)"), "knowledge_products[1].url: expected an http or https address"),
        (
            broken(related_interventions=["youth-cbt", "no-such-programme"]),
            "knowledge_products[1].related_interventions[1]: unknown intervention 'no-such-programme'",
        ),
        (broken(title=None), "knowledge_products[1].title: missing"),
        (broken(publication_year="2019"), "knowledge_products[1].publication_year: expected a whole number"),
        (
            broken(translations={"de": {"title": "T", "summary": "S"}}),
            "knowledge_products[1].translations.de: expected",
        ),
        (broken(translations={"es": {"summary": "S"}}), "knowledge_products[1].translations.es.title: missing"),
        (broken(publisher="IDB"), "knowledge_products[1].publisher: unknown field"),
        (
            broken(slug="who-inspire-seven-strategies"),
            "knowledge_products[1].slug: 'who-inspire-seven-strategies' is also",
        ),
    ],
)
def test_a_file_with_a_mistake_writes_nothing(tmp_path, product, error):
    inspire = read_products()[0]
    pages, revisions = Page.objects.count(), Revision.objects.count()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_knowledge_products", str(write_document(tmp_path, inspire, product)), stderr=stderr)
    assert error in stderr.getvalue()
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert not KnowledgeProductPage.objects.exists() and not PillarPage.objects.exists()


def locale_es():
    return Locale.objects.get(language_code="es")


@pytest.mark.usefixtures("related_records")
def test_a_product_is_not_moved_to_another_pillar_by_an_import(tmp_path):
    import_file(FIXTURE)
    inspire = read_products()[0]
    revisions = Revision.objects.count()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_knowledge_products",
            str(write_document(tmp_path, {**inspire, "pillar": "strengthening-institutions"})),
            stderr=stderr,
        )
    assert (
        "knowledge_products[0].pillar: 'who-inspire-seven-strategies' is published under the pillar "
        "'protecting-vulnerable-populations': move it to 'strengthening-institutions' in the admin first"
    ) in stderr.getvalue()
    assert Revision.objects.count() == revisions
