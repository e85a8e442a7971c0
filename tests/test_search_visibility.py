"""Which page of a set of translations the search shows in each language: kept as rows by the signals, filled for
existing pages by the migration that brought the rows in."""

from importlib import import_module

import pytest
from django.apps import apps

from search.models import VisiblePage
from search.visibility import PageVisibility, visible_languages
from tests.factories import KnowledgeProductPageFactory, PillarPageFactory, RecordFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "es", "pt", "fr"]


def version(pk, language_code, live=True, is_translation=False, translation_key="k"):
    return PageVisibility(pk, translation_key, language_code, live, is_translation)


def test_an_original_stands_in_for_every_language_without_a_live_translation():
    versions = [
        version(1, "en"),
        version(2, "es", is_translation=True),
        version(3, "pt", is_translation=True, live=False),
    ]
    assert visible_languages(versions, LANGUAGES) == {1: ["en", "pt", "fr"], 2: ["es"]}


def test_a_live_translation_of_an_unpublished_original_shows_in_its_own_language_only():
    versions = [version(1, "en", live=False), version(2, "es", is_translation=True)]
    assert visible_languages(versions, LANGUAGES) == {2: ["es"]}


def test_sets_of_translations_do_not_mix():
    versions = [version(1, "en", translation_key="a"), version(2, "en", translation_key="b")]
    assert visible_languages(versions, LANGUAGES) == {1: LANGUAGES, 2: LANGUAGES}


def rows():
    return sorted(VisiblePage.objects.values_list("page_id", "language"))


def test_the_migration_fills_the_rows_that_publishing_keeps(import_records):
    translations = {"es": {"title": "Programa"}, "fr": {"title": "Programme"}}
    import_records(RecordFactory(translations=translations), RecordFactory())
    product = KnowledgeProductPageFactory(parent=PillarPageFactory())
    kept = rows()
    assert [language for key, language in kept if key == product.pk] == sorted(LANGUAGES)
    VisiblePage.objects.all().delete()
    import_module("search.migrations.0005_visible_pages").fill_visible_pages(apps, schema_editor=None)
    assert rows() == kept
