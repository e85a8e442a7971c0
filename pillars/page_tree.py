"""Pillar pages, created on demand in every language like the interventions index."""

from django.db import transaction
from django.utils import translation
from wagtail.models import Locale

from interventions.page_tree import get_home_page, publish

from .models import PillarPage


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
