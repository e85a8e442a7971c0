"""Query parameters of the search page and the API: parsed and validated before the service sees them."""

import math

from django.conf import settings
from django.http import QueryDict

from .facets import FACETS
from .service import MAX_PAGE_SIZE, SORTS, SearchParams

MAX_QUERY_LENGTH = 500
MAX_PAGE = 10_000
MAX_VALUE_LENGTH = 100
DEFAULT_PAGE_SIZE = 20
NUL = "\x00"
TRUE_VALUES = {"1", "true", "on", "yes"}
FALSE_VALUES = {"", "0", "false", "off", "no"}


class InvalidParameter(ValueError):
    def __init__(self, parameter, message):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


def parse_search_params(query, default_language="en", default_page_size=DEFAULT_PAGE_SIZE):
    """SearchParams from a QueryDict; unknown parameters are ignored, bad values raise InvalidParameter."""
    text = value_of(query, "q").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"at most {MAX_QUERY_LENGTH} characters")
    filters = {}
    for facet in FACETS:
        values = [value.strip() for value in values_of(query, facet.name) if value.strip()]
        if any(len(value) > MAX_VALUE_LENGTH for value in values):
            raise InvalidParameter(facet.name, f"values are at most {MAX_VALUE_LENGTH} characters")
        if values:
            filters[facet.name] = tuple(dict.fromkeys(values))
    language = parse_language(query, default_language)
    sort = value_of(query, "sort")
    if sort and sort not in SORTS:
        raise InvalidParameter("sort", f"one of {', '.join(SORTS)}")
    return SearchParams(
        q=text,
        filters=filters,
        bcr_min=parse_bcr_min(value_of(query, "bcr_min")),
        has_cost=parse_boolean("has_cost", value_of(query, "has_cost")),
        sort=sort,
        page=parse_integer("page", value_of(query, "page"), 1, 1, MAX_PAGE),
        page_size=parse_integer("page_size", value_of(query, "page_size"), default_page_size, 1, MAX_PAGE_SIZE),
        lang=language,
        correct=parse_boolean("spell", value_of(query, "spell"), default=True),
    )


def parse_language(query, default):
    """The `lang` parameter, or `default` without one: one of the site's languages."""
    language = value_of(query, "lang") or default
    if language not in dict(settings.LANGUAGES):
        raise InvalidParameter("lang", f"one of {', '.join(dict(settings.LANGUAGES))}")
    return language


def values_of(query, name):
    """Every value of a parameter. A NUL character is refused: no word, slug or value holds one, and PostgreSQL
    cannot even compare a text that does (an error, not an empty result)."""
    values = query.getlist(name)
    if any(NUL in value for value in values):
        raise InvalidParameter(name, "text without a NUL character")
    return values


def value_of(query, name):
    """The last value of a parameter, as QueryDict.get gives it, or an empty text; refused like values_of."""
    values = values_of(query, name)
    return values[-1] if values else ""


def parse_export_window(query):
    """(offset, limit) of an export: it holds the interventions found from `offset` (0, the first, by default), at
    most `limit` of them (settings.SEARCH_EXPORT_MAX_RECORDS by default and at most)."""
    # An offset past the results is refused once they are counted (search.exports.export_slice).
    offset = parse_integer("offset", value_of(query, "offset"), 0, 0, 10**9)
    most = settings.SEARCH_EXPORT_MAX_RECORDS
    limit = parse_integer("limit", value_of(query, "limit"), most, 1, most)
    return offset, limit


def parse_integer(name, raw, default, minimum, maximum):
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(name, f"a whole number from {minimum} to {maximum}") from None
    if not minimum <= value <= maximum:
        raise InvalidParameter(name, f"a whole number from {minimum} to {maximum}")
    return value


def parse_bcr_min(raw):
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidParameter("bcr_min", "a number of at least 0") from None
    if not math.isfinite(value) or value < 0:
        raise InvalidParameter("bcr_min", "a number of at least 0")
    return value


def parse_boolean(name, raw, default=False):
    lowered = raw.strip().lower()
    if not lowered:
        return default
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise InvalidParameter(name, "true or false")


def search_query_string(query):
    """The words and filters of a search (no page, sort or language), validated and normalized: what a collection
    saves. Raises InvalidParameter like parse_search_params."""
    params = parse_search_params(query)
    normalized = QueryDict(mutable=True)
    if params.q:
        normalized["q"] = params.q
    for facet in FACETS:
        if params.selected(facet.name):
            normalized.setlist(facet.name, params.selected(facet.name))
    if params.bcr_min is not None:
        normalized["bcr_min"] = format(params.bcr_min, "g")
    if params.has_cost:
        normalized["has_cost"] = "true"
    return normalized.urlencode()
