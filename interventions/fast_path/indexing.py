"""The search entries and reference index rows of many intervention pages at once: of pages being inserted, as they
are in memory, and of stored pages, replacing what they had. What modelsearch's add_bulk and Wagtail's
ReferenceIndex.create_or_update_for_object leave for each page, in a few statements for all of them."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backends

from ..models import InterventionPage
from .bulk import insert_objects
from .search_entries import add_to_search_index

# New pages per statement of search entries: in a pipeline, the database starts on the first while Python prepares
# the next, instead of waiting for all of them.
NEW_ENTRIES_BATCH_SIZE = 250


def index_stored_pages(pages):
    """The search entries and reference index rows of stored pages, read with what the indexes read prefetched."""
    for backend in get_search_backends(with_auto_update=True):
        add_to_search_index(backend, InterventionPage, pages)
    index_references(pages)


def index_new_pages(pages):
    """The search entries and reference index rows of pages being inserted, as they are in memory, their terms and
    children with them and every key given: nothing is read back, so it can run in a pipeline (see
    `publish_new_pages`)."""
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
