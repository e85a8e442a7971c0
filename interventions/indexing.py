"""What derives from a saved intervention page besides the page itself: its search index entry, its reference index
rows and whatever other apps keep in step through `pages_indexed` (search keeps its facet rows so).

Every save updates them at once, except inside `deferred_indexing()`: an import saves each page several times (the
page, then each child row) and each save would rebuild them all, so it defers them and rebuilds them once for all the
pages it wrote (`fast_path.index_pages`).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from modelsearch.signal_handlers import post_delete_signal_handler, post_save_signal_handler
from wagtail.models import COMMENTS_RELATION_NAME
from wagtail.signal_handlers import disable_reference_index_auto_update

from .models import InterventionPage

# Sent with `pages`, the intervention pages whose derived data an import has just rebuilt, their vocabulary terms,
# studies and outcomes prefetched or in memory.
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
    rebuilds them (`fast_path.index_pages`) for what it wrote before the transaction ends."""
    token = _deferred.set(True)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        _deferred.reset(token)


def index_on_save(instance, **kwargs):
    if not indexing_deferred():
        post_save_signal_handler(instance, **kwargs)


def register_signal_handlers():
    # InterventionPage opts out of modelsearch's own handlers (search_auto_update = False) so that these can defer
    # them; outside deferred_indexing() they do exactly what modelsearch's do.
    post_save.connect(index_on_save, sender=InterventionPage)
    post_delete.connect(post_delete_signal_handler, sender=InterventionPage)
