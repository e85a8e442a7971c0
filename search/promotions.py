"""Editors' picks: pages that editors promote for a query with wagtail.contrib.search_promotions, shown first on the
first page of that query's results.

A pick is shown as the visitor would find it: the version of the page the search shows in their language (its
translation where one is live, otherwise its original; never a draft), and only if the search's filters let it
through. It is shown whether or not it matches the words, since that is what editors promote pages for, and it is
not repeated among the other results of the page.
"""

from dataclasses import replace

from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.search.utils import normalise_query_string

from .models import VisiblePage
from .record_types import load_results
from .service import selection_for


def promoted_keys(params, corrected_query=None):
    """Keys of the pages promoted for the query (then for its correction) that the search shows a visitor in
    `params.lang` and its filters let through, in the editors' order."""
    if not params.q.strip():
        return []
    typed = normalise_query_string(params.q)
    query_strings = {typed} | ({normalise_query_string(corrected_query)} if corrected_query else set())
    promotions = sorted(
        SearchPromotion.objects.filter(query__query_string__in=query_strings, page__isnull=False).values_list(
            "query__query_string", "sort_order", "pk", "page__translation_key"
        ),
        key=lambda row: (row[0] != typed, row[1] is None, row[1] or 0, row[2]),
    )
    translation_keys = [translation_key for *_order, translation_key in promotions]
    # The version of each promoted page the visitor sees, whichever version the editor chose.
    shown = dict(
        VisiblePage.objects.filter(language=params.lang, page__translation_key__in=translation_keys).values_list(
            "page__translation_key", "page_id"
        )
    )
    allowed = selection_for(replace(params, q="")).results()
    keys = (shown.get(translation_key) for translation_key in translation_keys)
    return list(dict.fromkeys(key for key in keys if key is not None and key in allowed))


def with_promotions(result):
    """The search result with its editors' picks first on page 1, each marked `promoted`, and not repeated below.
    Every other hit is marked not promoted. The count stays the number of pages that match the search."""
    for hit in result.hits:
        hit.promoted = False
    if result.params.page != 1:
        return result
    keys = promoted_keys(result.params, result.corrected_query)
    if not keys:
        return result
    on_page = {hit.pk: hit for hit in result.hits}
    missing = load_results([key for key in keys if key not in on_page])
    picks = []
    for key in keys:
        pick = on_page.get(key) or missing.get(key)
        if pick is None:
            continue
        if key not in on_page:
            pick.score = None  # it was not among the best matches: its relevance is not known here
        pick.promoted = True
        picks.append(pick)
    rest = [hit for hit in result.hits if not hit.promoted]
    return replace(result, hits=picks + rest)
