"""What a collection lists, as the visitor's language shows it."""

from dataclasses import dataclass, replace

from django.http import QueryDict

from search.params import parse_search_params
from search.service import search_records, visible_intervention_pages

# A collection shows this many of its saved search's results and links to the search for the rest.
MAX_SEARCH_RESULTS = 50


@dataclass
class CollectionListing:
    picked: list  # InterventionPage, in the working group's order
    found: list  # InterventionPage found by the saved search and not picked, in the search's order
    search_count: int  # how many interventions the saved search finds, picked ones included
    search_query: str  # the saved search, for a link to the search page


def collection_interventions(collection):
    language = collection.locale.language_code
    picked = visible_translations([item.intervention for item in collection.items.all()], language)
    if not collection.saved_search:
        return CollectionListing(picked=picked, found=[], search_count=0, search_query="")
    params = parse_search_params(QueryDict(collection.saved_search), default_language=language)
    only_interventions = {**params.filters, "content_type": ("intervention",)}
    result = search_records(
        replace(params, filters=only_interventions, page=1, page_size=MAX_SEARCH_RESULTS + len(picked))
    )
    picked_keys = {page.translation_key for page in picked}
    found = [hit for hit in result.hits if hit.translation_key not in picked_keys]
    return CollectionListing(
        picked=picked,
        found=found[:MAX_SEARCH_RESULTS],
        search_count=result.count,
        search_query=collection.saved_search,
    )


def visible_translations(interventions, language_code):
    """Each intervention as a visitor in this language sees it (its translation, else its original), in the given
    order; those not published are left out."""
    keys = list(dict.fromkeys(page.translation_key for page in interventions))
    visible = {
        page.translation_key: page
        for page in visible_intervention_pages(language_code).filter(translation_key__in=keys)
    }
    return [visible[key] for key in keys if key in visible]
