"""Which pages the search shows to visitors in each language, kept as `VisiblePage` rows.

A visitor sees each record in their language where it has a live translation into it, otherwise in its original
language. Working that out at every request meant comparing every page with its translations (tens of milliseconds
at 10,000 records); the rows answer it from one index. They change whenever a page of a set of translations is
published, unpublished, edited or deleted, so they are rebuilt for the whole set.
"""

from collections import defaultdict
from typing import NamedTuple

from django.conf import settings

from .facets import RECORD_TYPES
from .models import VisiblePage
from .snapshot import mark_changed


class RecordVersion(NamedTuple):
    """What visibility depends on, for one page of a set of translations."""

    pk: int
    translation_key: object
    language_code: str
    live: bool
    is_translation: bool


VERSION_FIELDS = ["pk", "translation_key", "locale__language_code", "live", "is_translation"]


def languages():
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def visible_languages(versions, language_codes):
    """{page key: the languages whose visitors the search shows it to}, for whole sets of translations."""
    sets = defaultdict(list)
    for version in versions:
        sets[version.translation_key].append(version)
    visible = {}
    for translations in sets.values():
        live = [version for version in translations if version.live]
        translated = {version.language_code for version in live}
        for version in live:
            own = [version.language_code] if version.language_code in language_codes else []
            fallback = [] if version.is_translation else [code for code in language_codes if code not in translated]
            visible[version.pk] = own + fallback
    return visible


def visibility_rows(versions, row_model=VisiblePage):
    """The rows of these versions; `row_model` is VisiblePage, or its historical model in a migration."""
    return [
        row_model(page_id=key, language=code)
        for key, codes in visible_languages(versions, languages()).items()
        for code in codes
    ]


def index_visibility(pages):
    """Rebuilds the rows of every page that shares a set of translations with one of these pages."""
    translation_keys = {page.translation_key for page in pages}
    versions = [
        RecordVersion(*row)
        for model in RECORD_TYPES.values()
        for row in model.objects.filter(translation_key__in=translation_keys).values_list(*VERSION_FIELDS)
    ]
    VisiblePage.objects.filter(page__translation_key__in=translation_keys).delete()
    VisiblePage.objects.bulk_create(visibility_rows(versions))
    mark_changed()
