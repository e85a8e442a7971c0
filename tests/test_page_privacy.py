"""Pages behind a view restriction (Wagtail's page privacy: login, password or groups), set on the page or on an
ancestor: left out of every public list, export, count and comparison, for every visitor, and back as soon as the
restriction is lifted; the page itself asks for a login, as Wagtail has it."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from wagtail.models import Locale, PageViewRestriction

from interventions.models import InterventionIndexPage, InterventionPage
from pillars.models import CollectionItem, RelatedIntervention
from search.models import VisiblePage
from tests.factories import (
    CollectionPageFactory,
    InterventionIndexPageFactory,
    KnowledgeProductPageFactory,
    OutcomeFactory,
    PageViewRestrictionFactory,
    PillarPageFactory,
    RecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A word of the private records' titles that no other record has, to search for.
WORD = "zephyrine"
# An intervention type and an outcome domain that only the two test interventions have, so that the private one
# tops the public one's similar list, and a type that only the private one has, a row of the gap map.
SHARED_TYPE, PRIVATE_TYPE, SHARED_DOMAIN = "zephyrine-shared-type", "zephyrine-own-type", "zephyrine-domain"


def text(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode()


@pytest.fixture
def interventions(import_records):
    """A public intervention and one the tests make private, in a section of its own (the ancestor they restrict),
    and a pillar page for the collections and knowledge products that list them."""
    outcomes = [OutcomeFactory(domain=SHARED_DOMAIN, study="main-study")]
    import_records(
        RecordFactory(
            slug="public-neighbour",
            title="Zephyrine neighbourhood watch",
            intervention_types=[SHARED_TYPE],
            outcomes=outcomes,
        ),
        RecordFactory(
            slug="zephyrine-circles",
            title="Zephyrine restorative circles",
            intervention_types=[SHARED_TYPE, PRIVATE_TYPE],
            outcomes=outcomes,
        ),
    )
    private = InterventionPage.objects.get(slug="zephyrine-circles")
    private.move(InterventionIndexPageFactory(), pos="last-child")
    return SimpleNamespace(
        public=InterventionPage.objects.get(slug="public-neighbour"),
        private=InterventionPage.objects.get(slug="zephyrine-circles"),
        pillar_page=PillarPageFactory(),
    )


def restricted_page(page, where):
    return page if where == "page" else page.get_parent()


def api_lists(client, page):
    return page.slug in text(client, "/api/v1/search/", q=WORD)


# Each surface sets up what it needs and returns whether a visitor is shown the private intervention.
def api(client, records):
    return api_lists(client, records.private)


def search_page(client, records):
    return records.private.slug in text(client, "/search/", q=WORD)


def csv_export(client, records):
    return records.private.slug in text(client, "/search/export.csv", q=WORD)


def json_export(client, records):
    return records.private.slug in text(client, "/search/export.json", q=WORD)


def home_page(client, records):
    # The records imported last are the most recently updated.
    return records.private.slug in text(client, "/")


def index_page(client, records):
    return records.private.slug in text(client, records.private.get_parent().url)


def compare(client, records):
    response = client.get("/compare/", {"i": [records.public.slug, records.private.slug]})
    if response.status_code == 400:
        assert f"No published intervention has the slug: {records.private.slug}." in response.content.decode()
        return False
    assert response.status_code == 200
    return True


def similar_list(client, records):
    return records.private.slug in text(client, records.public.url)


def collection_hand_picked(client, records):
    collection = CollectionPageFactory(parent=records.pillar_page, publish=False)
    collection.items.add(CollectionItem(intervention=records.private))
    collection.save_revision().publish()
    return records.private.slug in text(client, collection.url)


def collection_saved_search(client, records):
    collection = CollectionPageFactory(parent=records.pillar_page, saved_search=f"q={WORD}")
    return records.private.slug in text(client, collection.url)


def knowledge_product_related(client, records):
    product = KnowledgeProductPageFactory(parent=records.pillar_page, publish=False)
    product.related_interventions.add(RelatedIntervention(intervention=records.private))
    product.save_revision().publish()
    return records.private.slug in text(client, product.url)


def gap_map(client, records):
    # Its own intervention type is a row of the map only while it is counted.
    return "Zephyrine own type" in text(client, "/gap-map/")


def sitemap(client, records):
    return f"/{records.private.slug}/</loc>" in text(client, "/sitemap.xml")


SURFACES = [
    api,
    search_page,
    csv_export,
    json_export,
    home_page,
    index_page,
    compare,
    similar_list,
    collection_hand_picked,
    collection_saved_search,
    knowledge_product_related,
    gap_map,
    sitemap,
]


def cases(surfaces, list_of_children):
    """Each surface with a restriction on the page, then on an ancestor, except for the list of a page's children: the
    only ancestor there is the list itself, which then asks for a login as the page does."""
    return [
        pytest.param(shows, where, id=f"{shows.__name__}-{where}")
        for shows in surfaces
        for where in ("page", "ancestor")
        if where == "page" or shows is not list_of_children
    ]


@pytest.mark.parametrize(("shows", "where"), cases(SURFACES, list_of_children=index_page))
def test_a_private_intervention_leaves_every_public_list_until_its_restriction_is_lifted(
    client, interventions, shows, where
):
    assert shows(client, interventions)
    restriction = PageViewRestrictionFactory(page=restricted_page(interventions.private, where))
    assert not shows(client, interventions)
    restriction.delete()
    assert shows(client, interventions)


@pytest.fixture
def product():
    return KnowledgeProductPageFactory(parent=PillarPageFactory(), title="Zephyrine handbook")


def product_in_search(client, product):
    return product.slug in text(client, "/api/v1/search/", q=WORD) and product.slug in text(client, "/search/", q=WORD)


def product_on_its_pillar_page(client, product):
    return product.slug in text(client, product.get_parent().url)


def product_in_sitemap(client, product):
    return f"/{product.slug}/</loc>" in text(client, "/sitemap.xml")


@pytest.mark.parametrize(
    ("shows", "where"),
    cases(
        [product_in_search, product_on_its_pillar_page, product_in_sitemap], list_of_children=product_on_its_pillar_page
    ),
)
def test_a_private_knowledge_product_leaves_every_public_list_until_its_restriction_is_lifted(
    client, product, shows, where
):
    assert shows(client, product)
    restriction = PageViewRestrictionFactory(page=restricted_page(product, where))
    assert not shows(client, product)
    restriction.delete()
    assert shows(client, product)


def test_a_private_collection_leaves_its_pillar_page_and_a_private_pillar_page_the_home_page(client):
    pillar_page = PillarPageFactory()
    collection = CollectionPageFactory(parent=pillar_page)
    assert collection.url in text(client, pillar_page.url) and pillar_page.url in text(client, "/")
    PageViewRestrictionFactory(page=collection)
    assert collection.url not in text(client, pillar_page.url)
    PageViewRestrictionFactory(page=pillar_page)
    assert pillar_page.url not in text(client, "/")


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.LOGIN},
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "a shared secret"},
        {"restriction_type": PageViewRestriction.GROUPS, "groups": ["Editors"]},
    ],
    ids=lambda restriction: restriction["restriction_type"],
)
def test_every_kind_of_restriction_makes_a_page_private(client, interventions, restriction):
    PageViewRestrictionFactory(page=interventions.private, **restriction)
    assert not api(client, interventions)


def test_a_changed_restriction_keeps_the_page_private(client, interventions):
    restriction = PageViewRestrictionFactory(page=interventions.private)
    restriction.restriction_type, restriction.password = PageViewRestriction.PASSWORD, "a shared secret"
    restriction.save()
    assert not api(client, interventions)


def test_the_lists_are_the_same_for_a_visitor_who_may_see_the_page_which_still_asks_others_to_log_in(
    client, interventions
):
    PageViewRestrictionFactory(page=interventions.private)
    assert client.get(interventions.private.url).status_code == 302  # to the login form
    client.force_login(UserFactory())
    assert client.get(interventions.private.url).status_code == 200
    assert not api(client, interventions) and not home_page(client, interventions)


def test_a_page_moved_into_a_private_section_leaves_the_lists_and_comes_back_when_moved_out(client, interventions):
    public_section = interventions.public.get_parent()
    private_section = InterventionIndexPageFactory()
    PageViewRestrictionFactory(page=private_section)
    interventions.public.move(private_section, pos="last-child")
    assert not api_lists(client, interventions.public)
    # Read again: the section's count of children changed when the page left it, and it now has none.
    public_section.refresh_from_db()
    InterventionPage.objects.get(pk=interventions.public.pk).move(public_section, pos="last-child")
    assert api_lists(client, interventions.public)


def test_a_record_imported_into_a_private_index_stays_out_of_the_lists(client, import_records):
    index = InterventionIndexPage.objects.get(locale__language_code="en", slug="interventions")
    restriction = PageViewRestrictionFactory(page=index)
    import_records(RecordFactory(slug="zephyrine-import", title="Zephyrine import"))
    assert "zephyrine-import" not in text(client, "/api/v1/search/", q=WORD)
    # Imported again with changes: still private.
    import_records(RecordFactory(slug="zephyrine-import", title="Zephyrine import", summary="Changed."))
    assert "zephyrine-import" not in text(client, "/api/v1/search/", q=WORD)
    restriction.delete()
    assert "zephyrine-import" in text(client, "/api/v1/search/", q=WORD)


def test_a_private_translation_is_replaced_by_its_original_and_left_out_of_the_export(client, import_records):
    (original,) = import_records(
        RecordFactory(
            slug="zephyrine-translated",
            title="Zephyrine mediation",
            translations={"es": {"title": "Mediación zephyrine secreta"}},
        )
    )
    translation = original.get_translation(Locale.objects.get(language_code="es"))
    PageViewRestrictionFactory(page=translation)
    spanish = client.get("/api/v1/search/", {"q": WORD, "lang": "es"}).json()["results"]
    assert [(hit["slug"], hit["title"]) for hit in spanish] == [("zephyrine-translated", "Zephyrine mediation")]
    exported = text(client, "/es/search/export.json", q=WORD)
    assert "Zephyrine mediation" in exported and "secreta" not in exported


def test_the_migration_leaves_out_the_private_pages_listed_before(interventions):
    PageViewRestrictionFactory(page=interventions.private.get_parent())
    kept = sorted(VisiblePage.objects.values_list("page_id", "language"))
    # As the rows were before: the private page listed in every language.
    VisiblePage.objects.bulk_create(
        VisiblePage(page=interventions.private, language=language) for language in ("en", "es", "pt", "fr")
    )
    import_module("search.migrations.0008_private_pages_not_visible").leave_out_private_pages(apps, schema_editor=None)
    assert sorted(VisiblePage.objects.values_list("page_id", "language")) == kept
    assert not VisiblePage.objects.filter(page=interventions.private).exists()
