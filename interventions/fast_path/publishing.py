"""Publishing imported intervention pages without the admin: one by one for pages that exist, in bulk for new ones.

Both leave what Wagtail's add_child, save_revision and publish leave (page rows, tree, revision, history,
page_published). Pages that exist are saved inside `deferred_indexing()`, and the importer rebuilds their search
entries, reference index and facet rows once at its end; new pages get theirs in bulk with the pages themselves (see
indexing).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.models import get_all_child_m2m_relations
from treebeard.exceptions import PathOverflow
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import COMMENTS_RELATION_NAME, Page, PageLogEntry, Revision, get_default_page_content_type
from wagtail.signals import page_published

from ..change_log import new_record_changes
from ..indexing import pages_indexed
from ..models import InterventionPage, RecordChange
from .bulk import allocate_keys, insert_objects, insert_rows, pipelined
from .indexing import index_new_pages

# The children an import writes; a new page has no others (comments are the other child relation).
CHILD_RELATIONS = ["studies", "outcomes", "external_ratings", "links"]


def mark_published(page, now):
    page.live, page.expired, page.has_unpublished_changes = True, False, False
    page.first_published_at = page.first_published_at or now
    page.last_published_at = page.latest_revision_created_at = now


def publish_imported(page):
    """Saves and publishes a stored page with one save, where Wagtail's save_revision and publish take two: each
    save re-indexes the page, and imports write thousands. The revision, the history entries and the page_published
    signal are the same as a publish from the admin."""
    now = timezone.now()
    # Publishing a revision whose title differs from the stored page's logs a rename, as Wagtail's publish does.
    old_title = Page.objects.values_list("title", flat=True).get(pk=page.pk) if page.latest_revision_id else None
    renamed = {"title": {"old": old_title, "new": str(page)}} if old_title not in (None, str(page)) else {}
    mark_published(page, now)
    page.save(clean=False)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        object_str=str(page),
        content=page.serializable_data(),
        created_at=now,
    )
    Page.objects.filter(pk=page.pk).update(latest_revision=revision, live_revision=revision)
    page.latest_revision = page.live_revision = revision
    if renamed:
        log(instance=page, action="wagtail.rename", data=renamed, revision=revision)
    log(instance=page, action="wagtail.publish", data=renamed, revision=revision, content_changed=True)
    page_published.send(sender=InterventionPage, instance=page, revision=revision)


def publish_new_pages(new_pages):
    """Adds, publishes and indexes unsaved intervention pages, each under its parent, with a few statements for all
    of them instead of about a hundred each: what Wagtail's add_child, save_revision and publish and the indexing of
    each save leave, page after page, in file order.

    Keys are allocated first, so that no insert has to read its keys back: on PostgreSQL the inserts are then sent
    in a pipeline, and the server writes the search entries (their full text vectors are most of its work) while
    Python prepares the pages' rows, revisions and history.

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
    allocate_page_keys(pages)
    revision_keys = allocate_keys(Revision, len(pages))
    with pipelined(router.db_for_write(InterventionPage)):
        index_new_pages(pages)
        revisions = build_revisions(pages, revision_keys, now)
        insert_pages(pages)
        insert_children(pages)
        insert_terms(pages)
        insert_objects(revisions)
        insert_log_entries(pages, revisions, now)
        insert_record_changes(pages)
    pages_indexed.send(sender=InterventionPage, pages=pages)
    for page, revision in zip(pages, revisions, strict=True):
        page_published.send(sender=InterventionPage, instance=page, revision=revision)


def allocate_page_keys(pages):
    """Gives the pages and their children the keys they will be inserted under, and the children their page."""
    for page, key in zip(pages, allocate_keys(Page, len(pages)), strict=True):
        page.id = page.page_ptr_id = key
    for relation in CHILD_RELATIONS:
        children = [(page, child) for page in pages for child in getattr(page, relation).all()]
        if children:
            keys = allocate_keys(type(children[0][1]), len(children))
            for (page, child), key in zip(children, keys, strict=True):
                child.pk, child.page = key, page


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
    """Inserts the base Page rows, then the InterventionPage rows under the same keys: bulk_create refuses models with
    a parent table, so both go through the insert that Model.save_base itself runs for each model's table."""
    insert_objects(pages, model=Page)
    insert_objects(pages)


def insert_children(pages):
    for relation in CHILD_RELATIONS:
        insert_objects([child for page in pages for child in getattr(page, relation).all()])


def insert_terms(pages):
    for field in get_all_child_m2m_relations(InterventionPage):
        insert_rows(
            field.remote_field.through,
            [field.m2m_field_name(), field.m2m_reverse_field_name()],
            [(page.pk, term.pk) for page in pages for term in getattr(page, field.name).all()],
        )


def build_revisions(pages, keys, now):
    """One revision per page, with the content a save_revision right after the page's first save would store (its
    latest revision still unset), which the pages then take as their latest and live revision."""
    revisions = [
        Revision(
            content_object=page,
            base_content_type=get_default_page_content_type(),
            object_str=str(page),
            content=page.serializable_data(),
            created_at=now,
        )
        for page in pages
    ]
    for page, revision, key in zip(pages, revisions, keys, strict=True):
        revision.pk = key
        page.latest_revision = page.live_revision = revision
    return revisions


def insert_record_changes(pages):
    """The "new" entry of each page's public change log, in one statement; the publication handler then leaves the
    pages alone (interventions.change_log)."""
    fields = [field for field in RecordChange._meta.concrete_fields if not field.primary_key]
    insert_objects(new_record_changes(pages), fields=fields)


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
    insert_objects(entries, fields=[field for field in PageLogEntry._meta.concrete_fields if not field.primary_key])
