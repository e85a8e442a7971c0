"""Pillar pages and their collections in every language, created by setup commands (`ensure_pillar_pages`:
`setup_demo`, and `import_knowledge_products` on a new site); an import only finds them (`pillar_page`)."""

from django.db import transaction
from django.utils import translation
from wagtail.models import Locale

from interventions.models import Pillar
from interventions.page_tree import MissingPageTree, ensure_home_page, publish

from .models import CollectionPage, PillarPage


def ensure_pillar_pages():
    """Creates, where missing, each pillar's page in every language of the site."""
    for locale in Locale.objects.all():
        for pillar in Pillar.objects.all():
            ensure_pillar_page(pillar, locale)


def pillar_page(pillar, locale):
    """The pillar's page in this language; raises MissingPageTree when the site has none."""
    page = PillarPage.objects.filter(pillar=pillar, locale=locale).first()
    if page is None:
        raise MissingPageTree(
            f"The site has no page of the pillar '{pillar.slug}' in '{locale.language_code}': create the pillar "
            "pages first (pillars.page_tree.ensure_pillar_pages, which `manage.py import_knowledge_products` and "
            "`setup_demo` run)."
        )
    return page


@transaction.atomic
def ensure_pillar_page(pillar, locale):
    page = PillarPage.objects.filter(pillar=pillar, locale=locale).first()
    if page is not None:
        return page
    with translation.override(locale.language_code):
        title = pillar.label
    default_locale = Locale.get_default()
    if locale.pk != default_locale.pk:
        ensure_home_page(locale)
        page = ensure_pillar_page(pillar, default_locale).copy_for_translation(locale)
        page.title = title
        return publish(page)
    home = ensure_home_page(default_locale)
    return publish(home.add_child(instance=PillarPage(title=title, slug=pillar.slug, pillar=pillar, locale=locale)))


@transaction.atomic
def ensure_collection(pillar, locale, slug, title, saved_search):
    """The collection with this slug under the pillar's page in this language; `title` is translated lazily."""
    parent = ensure_pillar_page(pillar, locale)
    page = CollectionPage.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page
    with translation.override(locale.language_code):
        translated_title = str(title)
    default_locale = Locale.get_default()
    if locale.pk != default_locale.pk:
        page = ensure_collection(pillar, default_locale, slug, title, saved_search).copy_for_translation(locale)
        page.title = translated_title
        return publish(page)
    collection = CollectionPage(title=translated_title, slug=slug, saved_search=saved_search)
    return publish(parent.add_child(instance=collection))
