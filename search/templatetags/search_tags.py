from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from search.highlight import highlight as highlight_text
from search.similar import similar_interventions

register = template.Library()

# Searches a visitor can start from, in the visitor's own language; the search understands each in every language.
EXAMPLE_QUERIES = (
    _("reduce youth homicide"),
    _("anonymous crime hotline"),
    _("money laundering"),
    _("police legitimacy"),
)


def query_string(query):
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def toggle_url(request, name, value):
    """The same search with one facet value added or removed, back on the first page."""
    query = request.GET.copy()
    values = query.getlist(name)
    query.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    query.pop("page", None)
    return query_string(query)


@register.simple_tag
def page_url(request, number):
    query = request.GET.copy()
    query["page"] = number
    return query_string(query)


@register.simple_tag
def without_filters_url(request):
    query = request.GET.copy()
    for name in list(query):
        if name not in ("q", "sort", "page_size"):
            del query[name]
    return query_string(query)


@register.simple_tag
def search_instead_url(request):
    """The same search for the query as written, without correcting it ("Search instead for …")."""
    query = request.GET.copy()
    query["spell"] = "0"
    query.pop("page", None)
    return query_string(query)


@register.simple_tag
def corrected_search_url(request, corrected_query):
    """The same search for the corrected query ("Did you mean …?")."""
    query = request.GET.copy()
    query["q"] = corrected_query
    for name in ("spell", "page"):
        query.pop(name, None)
    return query_string(query)


@register.simple_tag
def export_parts(request, count):
    """The files that download the `count` interventions this search found, whatever page of them it shows:
    (first, last, query string) of each part, a single part unless they are more than one file holds."""
    query = request.GET.copy()
    query.pop("page", None)
    size = settings.SEARCH_EXPORT_MAX_RECORDS
    if count <= size:
        return [(1, count, query_string(query))]
    parts = []
    for offset in range(0, count, size):
        query["offset"] = offset
        parts.append((offset + 1, min(offset + size, count), query_string(query)))
    return parts


@register.simple_tag
def filtered_search_url(name, value):
    """A search with nothing but one facet value selected."""
    query = QueryDict(mutable=True)
    query[name] = value
    return query_string(query)


@register.filter
def highlight(text, query):
    return highlight_text(text, query)


@register.filter
def facet_entries(result, facet_name):
    return result.facets[facet_name]


@register.filter
def any_selected(entries):
    return any(entry.selected for entry in entries)


@register.simple_tag
def gap_cell(gap_map, row, column):
    return gap_map.cell(row, column)


@register.simple_tag(takes_context=True)
def similar_to(context, page):
    return similar_interventions(page, context["request"].LANGUAGE_CODE)


@register.simple_tag
def example_queries():
    return [str(query) for query in EXAMPLE_QUERIES]
