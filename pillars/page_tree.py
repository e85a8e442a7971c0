"""Pillar pages and their collections, created on demand in every language like the interventions index."""

from django.db import transaction
from django.utils import translation
from wagtail.models import Locale

from interventions.page_tree import get_home_page, publish

from .models import CollectionPage, PillarPage


@transaction.atomic
def get_pillar_page(pillar, locale):
    page = PillarPage.objects.filter(pillar=pillar, locale=locale).first()
    if page is not None:
        return page
    with translation.override(locale.language_code):
        title = pillar.label
    default_locale = Locale.get_default()
    if locale.pk != default_locale.pk:
        get_home_page(locale)
        page = get_pillar_page(pillar, default_locale).copy_for_translation(locale)
        page.title = title
        return publish(page)
    home = get_home_page(default_locale)
    return publish(home.add_child(instance=PillarPage(title=title, slug=pillar.slug, pillar=pillar, locale=locale)))


@transaction.atomic
def get_collection(pillar, locale, slug, title, saved_search):
    """The collection with this slug under the pillar's page in this language; `title` is translated lazily."""
    pillar_page = get_pillar_page(pillar, locale)
    page = CollectionPage.objects.child_of(pillar_page).filter(slug=slug).first()
    if page is not None:
        return page
    with translation.override(locale.language_code):
        translated_title = str(title)
    default_locale = Locale.get_default()
    if locale.pk != default_locale.pk:
        page = get_collection(pillar, default_locale, slug, title, saved_search).copy_for_translation(locale)
        page.title = translated_title
        return publish(page)
    collection = CollectionPage(title=translated_title, slug=slug, saved_search=saved_search)
    return publish(pillar_page.add_child(instance=collection))
