"""What derives from a saved intervention page besides the page itself: its search index entry, its reference index
rows and whatever other apps keep in step through `pages_indexed` (search keeps its facet rows so).

Every save updates them at once, except inside `deferred_indexing()`: an import saves each page several times (the
page, then each child row) and each save would rebuild them all, so it defers them and calls `index_pages` once for
everything it wrote.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from modelsearch.signal_handlers import post_delete_signal_handler, post_save_signal_handler
from wagtail.models import COMMENTS_RELATION_NAME, ReferenceIndex
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from .models import InterventionPage

# Sent with `pages`, the intervention pages whose derived data `index_pages` has just rebuilt, their vocabulary terms,
# studies and outcomes prefetched.
pages_indexed = Signal()

# A context variable, not a module flag: a web request saving a page in another thread must still index it.
_deferred = ContextVar("intervention_indexing_deferred", default=False)

# Pages per batch when indexing at the end of a bulk write: bounds memory and the size of each `IN (...)` list.
INDEX_BATCH_SIZE = 500
# What the search index, the facet rows and the reference index read of each page (the reference index reads every
# child relation, comments included).
PREFETCHED = [
    "pillars",
    "intervention_types",
    "settings",
    "target_groups",
    "studies",
    "outcomes__domain",
    "external_ratings",
    "links",
    COMMENTS_RELATION_NAME,
]


def indexing_deferred():
    return _deferred.get()


@contextmanager
def deferred_indexing():
    """Saves of intervention pages inside leave their search index, reference index and facet rows alone; the caller
    calls `index_pages` with what it wrote before the transaction ends."""
    token = _deferred.set(True)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        _deferred.reset(token)


def index_pages(pages):
    """Rebuilds what each save would have rebuilt, for many pages at once, from the pages as stored."""
    keys = [page.pk for page in pages]
    for start in range(0, len(keys), INDEX_BATCH_SIZE):
        indexed = InterventionPage.get_indexed_objects().prefetch_related(*PREFETCHED)
        batch = list(indexed.filter(pk__in=keys[start : start + INDEX_BATCH_SIZE]))
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(InterventionPage, batch)
        for page in batch:
            ReferenceIndex.create_or_update_for_object(page)
        pages_indexed.send(sender=InterventionPage, pages=batch)


def index_on_save(instance, **kwargs):
    if not indexing_deferred():
        post_save_signal_handler(instance, **kwargs)


def register_signal_handlers():
    # InterventionPage opts out of modelsearch's own handlers (search_auto_update = False) so that these can defer
    # them; outside deferred_indexing() they do exactly what modelsearch's do.
    post_save.connect(index_on_save, sender=InterventionPage)
    post_delete.connect(post_delete_signal_handler, sender=InterventionPage)
