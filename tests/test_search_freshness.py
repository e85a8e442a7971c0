"""Publishing, unpublishing, editing, moving or deleting an intervention changes search results at once."""

import pytest
from wagtail.models import Locale

from interventions.models import InterventionIndexPage, InterventionPage
from interventions.vocabularies import EVIDENCE_RATING_RANK
from search.service import SearchParams, search_records
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db


def found(query, **filters):
    return [hit.slug for hit in search_records(SearchParams(q=query, filters=filters, page_size=100)).hits]


@pytest.fixture
def page(import_records):
    return import_records(RecordFactory(slug="fresh", title="Glimmerwick patrols", evidence_rating="promising"))[0]


def test_publishing_a_new_page_makes_it_findable(page):
    index = page.get_parent()
    new = InterventionPage(title="Sprocketeer mediation", summary="s", evidence_rating="mixed", slug="new-one")
    index.add_child(instance=new)
    new.pillars.set(page.pillars.all())
    new.unpublish()
    assert found("sprocketeer") == []
    new.save_revision().publish()
    assert found("sprocketeer") == ["new-one"]


def test_unpublishing_removes_it_and_republishing_brings_it_back(page):
    assert found("glimmerwick") == ["fresh"]
    page.unpublish()
    assert found("glimmerwick") == []
    page.save_revision().publish()
    assert found("glimmerwick") == ["fresh"]


def test_an_edit_changes_text_and_facets(page):
    page.title = "Brightmoor patrols"
    page.evidence_rating = "effective"
    page.save_revision().publish()
    assert found("glimmerwick") == []
    assert found("brightmoor") == ["fresh"]
    assert found("brightmoor", evidence_rating=("effective",)) == ["fresh"]
    assert found("brightmoor", evidence_rating=("promising",)) == []


def test_a_draft_edit_does_not_change_results_until_published(page):
    page.title = "Draftonly patrols"
    page.evidence_rating = "harmful"
    page.save_revision()
    assert found("draftonly") == []
    assert found("glimmerwick") == ["fresh"]
    assert found("glimmerwick", evidence_rating=("promising",)) == ["fresh"]
    assert InterventionPage.objects.get(pk=page.pk).evidence_rank == EVIDENCE_RATING_RANK["promising"]


def test_moving_keeps_it_findable_under_its_new_parent(page):
    home = page.get_parent().get_parent()
    other = home.add_child(instance=InterventionIndexPage(title="Archive", slug="archive"))
    page.move(other, pos="last-child")
    hits = search_records(SearchParams(q="glimmerwick")).hits
    assert [hit.url for hit in hits] == ["/archive/fresh/"]


def test_deleting_removes_it(page):
    page.delete()
    assert found("glimmerwick") == []
    assert search_records(SearchParams(q="glimmerwick")).facets["pillar"] == []


def titles_found_in(language_code, query):
    return [hit.title for hit in search_records(SearchParams(q=query, lang=language_code)).hits]


def test_a_translation_replaces_the_original_in_its_language_while_it_is_published(import_records):
    translations = {"es": {"title": "Patrullas Glimmerwick"}}
    original = import_records(RecordFactory(title="Glimmerwick patrols", translations=translations))[0]
    spanish = original.get_translation(Locale.objects.get(language_code="es"))
    assert titles_found_in("es", "glimmerwick") == ["Patrullas Glimmerwick"]
    assert titles_found_in("pt", "glimmerwick") == ["Glimmerwick patrols"]
    spanish.unpublish()
    assert titles_found_in("es", "glimmerwick") == ["Glimmerwick patrols"]
    spanish.save_revision().publish()
    assert titles_found_in("es", "glimmerwick") == ["Patrullas Glimmerwick"]
    spanish.delete()
    assert titles_found_in("es", "glimmerwick") == ["Glimmerwick patrols"]
    original.unpublish()
    assert titles_found_in("es", "glimmerwick") == []
    assert titles_found_in("en", "glimmerwick") == []
