"""The kinds of page the search lists: interventions, knowledge products, and whatever a site app adds.

Search never imports the site apps whose pages it lists. `settings.SEARCH_RECORD_TYPES` names each kind's
RecordType by its dotted path, in the order the content facet shows them, and the search app reads them when it is
ready (SearchConfig.ready)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class RecordType:
    name: str  # the value of the content_type facet, in URLs, exports and the API
    label: str  # what the content facet calls it (lazily translated)
    model: type
    # keys -> {key: search.documents.Document}: what the search reads of these pages
    read_documents: Callable
    # keys -> {key: page}: these pages with what result lists show of them, a query or two however many keys
    load_results: Callable
    # What the facets (search.facets) read of its pages, prefetched a batch of pages at a time when they are rebuilt.
    facet_relations: tuple = ()


# {name: RecordType}, and {name: model} for the many callers that need only the model.
REGISTERED: dict[str, RecordType] = {}
RECORD_TYPES: dict[str, type] = {}


def register_record_types(dotted_paths=None):
    REGISTERED.clear()
    RECORD_TYPES.clear()
    for dotted_path in settings.SEARCH_RECORD_TYPES if dotted_paths is None else dotted_paths:
        record_type = import_string(dotted_path)
        REGISTERED[record_type.name] = record_type
        RECORD_TYPES[record_type.name] = record_type.model


def record_type(page):
    """The names of the kinds this page is, as the content facet reads them."""
    return [name for name, model in RECORD_TYPES.items() if isinstance(page, model)]


def load_results(keys):
    """{key: page} of the pages of every kind with these keys, with what result lists show of them."""
    pages = {}
    for registered in REGISTERED.values():
        pages |= registered.load_results(keys)
    return pages
