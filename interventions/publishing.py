"""Publishing imported intervention pages without the admin: one by one for pages that exist, in bulk for new ones.

Both leave what Wagtail's add, save_revision and publish leave (page rows, tree, revision, history, page_published),
except the search index, the reference index and the facet rows, which the importer rebuilds once at its end
(see indexing).
"""

from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.models import get_all_child_m2m_relations
from treebeard.exceptions import PathOverflow
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import COMMENTS_RELATION_NAME, Page, PageLogEntry, Revision, get_default_page_content_type
from wagtail.signals import page_published

from .bulk import insert_rows
from .models import InterventionPage

# The children an import writes; a new page has no others (comments are the other child relation).
CHILD_RELATIONS = ["studies", "outcomes", "external_ratings", "links"]


class NewPage(NamedTuple):
    """An unsaved intervention page with its fields, terms and children set in memory, as the admin's form leaves it
    before the first save; `is_translation` when another page of its translation_key is written before it."""

    page: InterventionPage
    parent: Page
    is_translation: bool


def mark_published(page, now):
    page.live, page.expired, page.has_unpublished_changes = True, False, False
    page.first_published_at = page.first_published_at or now
    page.last_published_at = page.latest_revision_created_at = now


def publish_imported(page, parent=None):
    """Saves and publishes a page with one save, where Wagtail's add, save_revision and publish take three: each
    save re-indexes the page, and imports write thousands. The revision, the history entry and the page_published
    signal are the same as a publish from the admin."""
    now = timezone.now()
    mark_published(page, now)
    if parent is None:
        page.save(clean=False)
    else:
        parent.add_child(instance=page)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        object_str=str(page),
        content=page.serializable_data(),
        created_at=now,
    )
    Page.objects.filter(pk=page.pk).update(latest_revision=revision, live_revision=revision)
    page.latest_revision = page.live_revision = revision
    log(instance=page, action="wagtail.publish", revision=revision, content_changed=True)
    page_published.send(sender=InterventionPage, instance=page, revision=revision)


def publish_new_pages(new_pages):
    """Adds and publishes unsaved intervention pages, each under its parent, with a few statements for all of them
    instead of about a hundred each: what `publish_imported(page, parent)` leaves, page after page, in file order.

    `new_pages` lists NewPage in the order the pages would have been added one by one.
    """
    if not new_pages:
        return
    now = timezone.now()
    pages = [new.page for new in new_pages]
    for new in new_pages:
        page = new.page
        # What RecordPage.save and InterventionPage.save derive on a page's first save.
        page.is_translation = new.is_translation
        page.update_derived_values()
        mark_published(page, now)
        # A new page has no comments: saying so spares serializable_data a query for them.
        setattr(page, COMMENTS_RELATION_NAME, [])
    place_in_tree(new_pages)
    insert_pages(pages)
    insert_children(pages)
    insert_terms(pages)
    revisions = insert_revisions(pages, now)
    insert_log_entries(pages, revisions, now)
    for page, revision in zip(pages, revisions, strict=True):
        page_published.send(sender=InterventionPage, instance=page, revision=revision)


def place_in_tree(new_pages):
    """Gives each page the path, depth and URL path treebeard's add_child and Page.save would give it as the last
    child of its parent, refuses the slugs its siblings already have (as Page.full_clean would), and counts the new
    children in their parents' numchild."""
    children = defaultdict(list)
    for new in new_pages:
        children[new.parent].append(new.page)
    for given_parent, pages in children.items():
        # Read afresh and locked, as add_child does, so that a concurrent add cannot take the same paths.
        parent = Page.objects.select_for_update().get(pk=given_parent.pk)
        last_child = parent.get_last_child()
        position = last_child._get_lastpos_in_path() if last_child else 0
        slugs = set(parent.get_children().values_list("slug", flat=True))
        for page in pages:
            if page.slug in slugs:
                raise ValidationError(
                    {
                        "slug": _(
                            "The slug '%(page_slug)s' is already in use within the parent page at "
                            "'%(parent_url_path)s'."
                        )
                        % {"page_slug": page.slug, "parent_url_path": parent.url}
                    }
                )
            slugs.add(page.slug)
            position += 1
            if position >= len(Page.alphabet) ** Page.steplen:
                raise PathOverflow(f"Path Overflow from: '{parent.path}'")
            page.depth = parent.depth + 1
            page.path = Page._get_path(parent.path, page.depth, position)
            page.numchild = 0
            page.set_url_path(parent)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        given_parent.numchild = parent.numchild + len(pages)


def insert_pages(pages):
    """Inserts the base Page rows with bulk_create, which gives back their ids, then the InterventionPage rows under
    the same ids: bulk_create refuses models with a parent table, so these go through the insert that
    Model.save_base itself runs for the table of each model."""
    base_fields = [field for field in Page._meta.concrete_fields if not field.primary_key]
    rows = [Page(**{field.attname: getattr(page, field.attname) for field in base_fields}) for page in pages]
    Page.objects.bulk_create(rows)
    database = router.db_for_write(InterventionPage)
    for page, row in zip(pages, rows, strict=True):
        page.id = page.page_ptr_id = row.id
        page._state.adding, page._state.db = False, database
    own_fields = InterventionPage._meta.local_concrete_fields
    batch_size = connections[database].ops.bulk_batch_size(own_fields, pages)
    for start in range(0, len(pages), batch_size):
        InterventionPage._base_manager._insert(pages[start : start + batch_size], fields=own_fields, using=database)


def insert_children(pages):
    for relation in CHILD_RELATIONS:
        children = []
        for page in pages:
            for child in getattr(page, relation).all():
                child.page = page
                children.append(child)
        if children:
            type(children[0]).objects.bulk_create(children)


def insert_terms(pages):
    for field in get_all_child_m2m_relations(InterventionPage):
        insert_rows(
            field.remote_field.through,
            [field.m2m_field_name(), field.m2m_reverse_field_name()],
            [(page.pk, term.pk) for page in pages for term in getattr(page, field.name).all()],
        )


def insert_revisions(pages, now):
    """One revision per page, with the content a save_revision right after the page's first save would store, then
    the pages' latest and live revision."""
    revisions = Revision.objects.bulk_create(
        Revision(
            content_object=page,
            base_content_type=get_default_page_content_type(),
            object_str=str(page),
            content=page.serializable_data(),
            created_at=now,
        )
        for page in pages
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
    # Each page has this one revision: one UPDATE finds it, where bulk_update would compile a CASE for every page.
    revision = Revision.objects.filter(
        base_content_type=get_default_page_content_type(), object_id=Cast(OuterRef("pk"), CharField())
    ).values("pk")
    keys = [page.pk for page in pages]
    batch_size = connections[router.db_for_write(Page)].ops.bulk_batch_size(["pk"], keys)
    for start in range(0, len(keys), batch_size):
        Page.objects.filter(pk__in=keys[start : start + batch_size]).update(
            latest_revision=Subquery(revision), live_revision=Subquery(revision)
        )
    return revisions


def insert_log_entries(pages, revisions, now):
    """The history a page added and then published has: 'wagtail.create' (which Page.save logs for a new page), then
    'wagtail.publish', each as `log()` would write it in the active log context."""
    context = get_active_log_context()
    entries = []
    for page, revision in zip(pages, revisions, strict=True):
        common = {
            "page": page,
            "content_type_id": page.content_type_id,
            "label": page.get_admin_display_title(),
            "timestamp": now,
            "data": {},
            "uuid": context.uuid,
            "content_changed": True,
        }
        entries.append(PageLogEntry(action="wagtail.create", user=page.owner or context.user, **common))
        entries.append(PageLogEntry(action="wagtail.publish", user=context.user, revision=revision, **common))
    PageLogEntry.objects.bulk_create(entries)
