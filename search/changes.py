"""The interventions' public change log (interventions.RecordChange) as visitors may see it: only entries of pages
the search shows in their language (live, public: the `VisiblePage` rows), narrowed by pillar and country as the
search narrows them (the `FacetValue` rows). The feed, the changes API and the home page read it through here."""

import datetime
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_countries import countries

from interventions.models import Pillar, RecordChange

from .models import FacetValue, VisiblePage
from .params import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_VALUE_LENGTH,
    InvalidParameter,
    parse_integer,
    parse_language,
    value_of,
)
from .service import MAX_PAGE_SIZE

# Entries in the feed: a reader polls it, so the latest are enough; the API pages through all of them.
FEED_SIZE = 50


@dataclass(frozen=True)
class ChangeParams:
    lang: str = settings.LANGUAGE_CODE
    pillar: str = ""
    country: str = ""
    since: datetime.datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def visible_changes(language, pillar="", country="", since=None):
    """The entries of the pages visitors in `language` see, with their pages (and the pages' locales, which their
    addresses read) fetched with them; in no particular order."""
    changes = RecordChange.objects.filter(
        page_id__in=VisiblePage.objects.filter(language=language).values("page_id")
    ).select_related("page", "page__locale")
    for facet, value in (("pillar", pillar), ("country", country)):
        if value:
            matching = FacetValue.objects.filter(facet=facet, value=value).values("page_id")
            changes = changes.filter(page_id__in=matching)
    if since is not None:
        changes = changes.filter(changed_at__gte=since)
    return changes


def latest_changes(language, count, **filters):
    """The newest entries first, for the feed and the home page."""
    return list(visible_changes(language, **filters).order_by("-changed_at", "-pk")[:count])


def changes_since(params):
    """The entries from `since` on, oldest first: a platform that syncs keeps the time of the last one it read and
    asks from there, and entries written meanwhile come after those it has (see the OpenAPI description)."""
    changes = visible_changes(params.lang, params.pillar, params.country, params.since)
    return changes.order_by("changed_at", "pk")


def parse_change_filters(query, language=None):
    """ChangeParams of the feed and the API from a QueryDict; unknown parameters are ignored, bad values raise
    InvalidParameter. An unknown pillar or country is refused rather than answered with nothing, so that a reader
    who mistyped it is told. The language is `language` (the feed's, from its address), else the `lang` parameter."""
    if language is None:
        language = parse_language(query, settings.LANGUAGE_CODE)
    pillar = value_of(query, "pillar").strip()
    if pillar and (len(pillar) > MAX_VALUE_LENGTH or not Pillar.objects.filter(slug=pillar).exists()):
        raise InvalidParameter("pillar", "the slug of a pillar, e.g. protecting-vulnerable-populations")
    country = value_of(query, "country").strip().upper()
    if country and (len(country) != 2 or country not in countries):
        raise InvalidParameter("country", "an ISO 3166-1 alpha-2 country code, e.g. CO")
    return ChangeParams(lang=language, pillar=pillar, country=country)


def parse_change_params(query):
    """The API's parameters: the filters, `since` and the page."""
    return replace(
        parse_change_filters(query),
        since=parse_since(value_of(query, "since").strip()),
        page=parse_integer("page", value_of(query, "page"), 1, 1, MAX_PAGE),
        page_size=parse_integer("page_size", value_of(query, "page_size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


SINCE_FORMAT = (
    "an ISO 8601 date (2026-12-01, from the start of that day in UTC) or date and time (2026-12-01T09:30:00Z)"
)


def parse_since(raw):
    """The moment from which entries are wanted: a date is the start of that day in UTC; a time without an offset
    is in UTC."""
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(raw), datetime.time())
    except ValueError:
        raise InvalidParameter("since", SINCE_FORMAT) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment
