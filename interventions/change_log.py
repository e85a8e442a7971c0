"""The public change log of interventions: one `RecordChange` for each publication that changes something a
visitor should know about, written when the revision is published (Wagtail's `page_published`), whether from the
admin, the review workflow, a scheduled publication or an import.

- The first publication of a page is "new".
- A publication whose evidence rating differs from the live one is "rating changed", with the old and new ratings
  and the reviewer's public note (the admin form requires one: InterventionPageForm).
- Otherwise a publication that moves "last reviewed" is "reviewed", and one with a public note is "updated".
- Any other publication (a typo fixed) writes nothing.

The note travels with the revision (the page's `public_change_note`); once logged it is cleared from the live page,
the admin form starts the next edit without it, and a note the page's last entry already has is left out (a revision
published again brings its note back), so that it is never logged twice.

A publication (other than an import's) that changes the rating and leaves "last reviewed" as it was sets it to the
day of publication: a new rating means the evidence was reviewed that day. An import's file states its own date.
"""

from django.utils import timezone
from wagtail.signals import page_published

from .indexing import indexing_deferred
from .models import InterventionPage, RecordChange


def change_of(page):
    """The unsaved entry a publication of `page` writes (the page as published, remembering what was stored before:
    InterventionPage.remember_stored_values), or None."""
    entry = RecordChange(page=page, changed_at=page.last_published_at, note=fresh_note(page))
    old_rating = getattr(page, "stored_rating", None)
    if page.first_published_at == page.last_published_at:
        entry.kind = RecordChange.Kind.NEW
    elif old_rating and old_rating != page.evidence_rating:
        entry.kind = RecordChange.Kind.RATING_CHANGED
        entry.old_rating, entry.new_rating = old_rating, page.evidence_rating
    elif page.last_reviewed and page.last_reviewed != getattr(page, "stored_last_reviewed", None):
        entry.kind = RecordChange.Kind.REVIEWED
    elif entry.note:
        entry.kind = RecordChange.Kind.UPDATED
    else:
        return None
    return entry


def fresh_note(page):
    """The page's public note, unless its last entry already has it: a revision published again as it was (after the
    page was unpublished, or from the history) brings back the note it was first published with."""
    note = page.public_change_note.strip()
    if not note or page.pk is None:
        return note
    last_notes = RecordChange.objects.filter(page=page).order_by("-changed_at", "-pk").values_list("note", flat=True)
    return "" if last_notes.first() == note else note


def new_record_changes(pages):
    """The "new" entries of pages published for the first time together (an import's new pages), to insert at once:
    the publication handler skips pages marked `change_logged`."""
    entries = []
    for page in pages:
        entries.append(
            RecordChange(
                page=page, changed_at=page.last_published_at, kind=RecordChange.Kind.NEW, note=page.public_change_note
            )
        )
        page.change_logged = True
    return entries


def log_publication(sender, instance, revision, **kwargs):
    # A publication scheduled for later sends the signal with the page not live yet: it is logged when it goes live.
    if not instance.live or getattr(instance, "change_logged", False):
        return
    entry = change_of(instance)
    if entry is None:
        return
    entry.save()
    instance.change_logged = True
    cleared = {"public_change_note": ""} if instance.public_change_note else {}
    review_date_kept = instance.last_reviewed == getattr(instance, "stored_last_reviewed", None)
    if entry.kind == RecordChange.Kind.RATING_CHANGED and review_date_kept and not indexing_deferred():
        reviewed = timezone.localdate(instance.last_published_at)
        cleared["last_reviewed"] = instance.last_reviewed = reviewed
        # The revision too, or the next edit (which starts from it) would bring the old date back.
        revision.content["last_reviewed"] = reviewed.isoformat()
        revision.save(update_fields=["content"])
    if cleared:
        InterventionPage.objects.filter(pk=instance.pk).update(**cleared)
        instance.public_change_note = ""
    # The page the revision was made from (the admin form's, or a script's, which may change and publish it again)
    # now has these values stored, as has the published copy.
    for page in (instance, revision.content_object):
        page.stored_rating, page.stored_last_reviewed = instance.evidence_rating, instance.last_reviewed


def register_signal_handlers():
    page_published.connect(log_publication, sender=InterventionPage)
