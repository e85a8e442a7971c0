"""Which pages the search shows to visitors in each language, kept as `VisiblePage` rows.

A visitor sees each record in their language where it has a live translation into it, otherwise in its original
language. Working that out at every request meant comparing every page with its translations (tens of milliseconds
at 10,000 records); the rows answer it from one index. They change whenever a page of a set of translations is
published, unpublished, edited or deleted, so they are rebuilt for the whole set.

A page behind a view restriction (Wagtail's page privacy: login, password or groups), set on the page itself or on an
ancestor, is left out as if it were not live: every public list, export, count and comparison reads these rows, and
they are the same for every visitor, so that they can be cached. The page itself still answers with Wagtail's login
or password prompt. The rows follow a restriction that is added, changed or removed, and a page that is moved into or
out of a restricted section (see signal_handlers).
"""

from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import Page, PageViewRestriction

from .models import VisiblePage
from .record_types import RECORD_TYPES
from .snapshot import mark_changed


class PageVisibility(NamedTuple):
    """What visibility depends on, for one page of a set of translations."""

    pk: int
    translation_key: object
    language_code: str
    live: bool
    is_translation: bool
    # Behind a view restriction of its own or of an ancestor.
    restricted: bool = False


VERSION_FIELDS = ["pk", "translation_key", "locale__language_code", "live", "is_translation"]


def behind_view_restriction():
    """Whether a page is in a private section: a view restriction is set on it or on an ancestor, whose path is a
    prefix of its own. The condition of Wagtail's `PageQuerySet.not_public()` as one expression, to read with each
    version."""
    restrictions = PageViewRestriction.objects.annotate(prefix=Substr(OuterRef("path"), 1, Length("page__path")))
    return Exists(restrictions.filter(page__path=F("prefix")))


def record_versions(querysets):
    """The versions of the pages of these querysets of interventions and knowledge products."""
    restricted = behind_view_restriction()
    return [
        PageVisibility(*row)
        for queryset in querysets
        for row in queryset.annotate(restricted=restricted).values_list(*VERSION_FIELDS, "restricted")
    ]


def languages():
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def visible_languages(versions, language_codes):
    """{page key: the languages whose visitors the search shows it to}, for whole sets of translations."""
    sets = defaultdict(list)
    for version in versions:
        sets[version.translation_key].append(version)
    visible = {}
    for translations in sets.values():
        # A restricted translation is left out as an unpublished one is: its language shows the original instead.
        public = [version for version in translations if version.live and not version.restricted]
        translated = {version.language_code for version in public}
        for version in public:
            own = [version.language_code] if version.language_code in language_codes else []
            fallback = [] if version.is_translation else [code for code in language_codes if code not in translated]
            visible[version.pk] = own + fallback
    return visible


def visibility_rows(versions):
    """The rows of these versions."""
    return [
        VisiblePage(page_id=key, language=code)
        for key, codes in visible_languages(versions, languages()).items()
        for code in codes
    ]


def index_visibility(pages):
    """Rebuilds the rows of every page that shares a set of translations with one of these pages."""
    rebuild_visibility({page.translation_key for page in pages})


def index_visibility_under(page_key):
    """Rebuilds the rows of the pages at and under this page, and of their translations: a view restriction set there
    or lifted, or the page's move, changes whether visitors may see them. A page already deleted has none."""
    path = Page.objects.filter(pk=page_key).values_list("path", flat=True).first()
    if path is not None:
        rebuild_visibility(Page.objects.filter(path__startswith=path).values("translation_key"))


@transaction.atomic
def rebuild_visibility(translation_keys):
    """Rebuilds the rows of the sets of translations with these keys (a collection or a query of them)."""
    versions = record_versions(
        model.objects.filter(translation_key__in=translation_keys) for model in RECORD_TYPES.values()
    )
    VisiblePage.objects.filter(page__translation_key__in=translation_keys).delete()
    VisiblePage.objects.bulk_create(visibility_rows(versions))
    mark_changed()
