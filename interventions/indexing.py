"""What derives from a saved intervention page besides the page itself: its search index entry, its reference index
rows and whatever other apps keep in step through `pages_indexed` (search keeps its facet rows so).

Every save updates them at once, except inside `deferred_indexing()`: an import saves each page several times (the
page, then each child row) and each save would rebuild them all, so it defers them and calls `index_pages` once for
the pages it updated. The pages it adds are indexed with `index_new_pages` as they are inserted.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from modelsearch.signal_handlers import post_delete_signal_handler, post_save_signal_handler
from wagtail.models import COMMENTS_RELATION_NAME, ReferenceIndex
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from .bulk import insert_objects
from .models import InterventionPage
from .search_entries import add_to_search_index

# Sent with `pages`, the intervention pages whose derived data `index_pages` has just rebuilt, their vocabulary terms,
# studies and outcomes prefetched or in memory.
pages_indexed = Signal()

# A context variable, not a module flag: a web request saving a page in another thread must still index it.
_deferred = ContextVar("intervention_indexing_deferred", default=False)

# Pages per batch when indexing at the end of a bulk write: bounds memory and the size of each `IN (...)` list.
INDEX_BATCH_SIZE = 500
# New pages per statement of search entries: in a pipeline, the database starts on the first while Python prepares
# the next, instead of waiting for all of them.
NEW_ENTRIES_BATCH_SIZE = 250
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
    """Rebuilds what each save would have rebuilt, for many stored pages at once, read again with what the indexes
    read prefetched."""
    keys = [page.pk for page in pages]
    for start in range(0, len(keys), INDEX_BATCH_SIZE):
        indexed = InterventionPage.get_indexed_objects().prefetch_related(*PREFETCHED)
        index_batch(list(indexed.filter(pk__in=keys[start : start + INDEX_BATCH_SIZE])))


def index_batch(pages):
    for backend in get_search_backends(with_auto_update=True):
        add_to_search_index(backend, InterventionPage, pages)
    index_references(pages)
    pages_indexed.send(sender=InterventionPage, pages=pages)


def index_new_pages(pages):
    """The search entries and reference index rows of pages being inserted, as they are in memory, their terms and
    children with them and every key given: nothing is read back, so it can run in a pipeline (see
    `publish_new_pages`), which then sends `pages_indexed` for them."""
    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(pages), NEW_ENTRIES_BATCH_SIZE):
            add_to_search_index(backend, InterventionPage, pages[start : start + NEW_ENTRIES_BATCH_SIZE])
    content_types = reference_content_types()
    content_type, base_content_type = content_types[0], content_types[-1]
    rows = [
        reference_row(page, reference, content_type, base_content_type)
        for page in pages
        for reference in set(ReferenceIndex._extract_references_from_object(page))
    ]
    insert_objects(rows, fields=[field for field in ReferenceIndex._meta.concrete_fields if not field.primary_key])


def reference_content_types():
    """The content types of the page's model and of each model it inherits from, its base model's last: a page's
    rows are recorded under its own and its base model's."""
    models = [InterventionPage, *InterventionPage._meta.get_parent_list()]
    return [ContentType.objects.get_for_model(model, for_concrete_model=False) for model in models]


def reference_row(page, reference, content_type, base_content_type):
    to_content_type_id, to_object_id, model_path, content_path = reference
    return ReferenceIndex(
        content_type=content_type,
        base_content_type=base_content_type,
        object_id=page.pk,
        to_content_type_id=to_content_type_id,
        to_object_id=to_object_id,
        model_path=model_path,
        content_path=content_path,
        content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
    )


def index_references(pages):
    """What ReferenceIndex.create_or_update_for_object does for each stored page, with one read, one insert and one
    delete for all of them instead of three statements each."""
    content_types = reference_content_types()
    content_type, base_content_type = content_types[0], content_types[-1]
    stored = defaultdict(dict)
    rows = ReferenceIndex.objects.filter(
        base_content_type=base_content_type, object_id__in=[str(page.pk) for page in pages]
    ).values_list("id", "content_type_id", "object_id", "to_content_type", "to_object_id", "model_path", "content_path")
    for pk, content_type_id, object_id, *reference in rows:
        stored[object_id][tuple(reference)] = (content_type_id, pk)
    # A row recorded for a more specific model than these pages' stays, as Wagtail leaves it.
    known_content_type_ids = {each.id for each in content_types}
    added, removed = [], []
    for page in pages:
        references = set(ReferenceIndex._extract_references_from_object(page))
        existing = stored[str(page.pk)]
        added += [
            reference_row(page, reference, content_type, base_content_type)
            for reference in references - existing.keys()
        ]
        removed += [
            pk
            for reference, (content_type_id, pk) in existing.items()
            if reference not in references and content_type_id in known_content_type_ids
        ]
    ReferenceIndex.objects.bulk_create(added, ignore_conflicts=connection.features.supports_ignore_conflicts)
    ReferenceIndex.objects.filter(id__in=removed).delete()


def index_on_save(instance, **kwargs):
    if not indexing_deferred():
        post_save_signal_handler(instance, **kwargs)


def register_signal_handlers():
    # InterventionPage opts out of modelsearch's own handlers (search_auto_update = False) so that these can defer
    # them; outside deferred_indexing() they do exactly what modelsearch's do.
    post_save.connect(index_on_save, sender=InterventionPage)
    post_delete.connect(post_delete_signal_handler, sender=InterventionPage)
