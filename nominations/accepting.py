"""Accepting a nomination: what it proposes becomes a draft in the page tree, never a published change, so that it
goes through the review workflow like an editor's own work."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log
from wagtail.models import Locale

from interventions.models import InterventionPage, Study
from interventions.page_tree import intervention_index
from interventions.vocabularies import EvidenceRating

from .models import Nomination
from .notifications import notify_status_change


def nominated_study(nomination):
    """The study the nomination cites. Its design, which nominators are not asked for, stays empty: the page editor
    asks for it before the draft can be saved."""
    return Study(
        key=f"nomination-{nomination.pk}",
        citation=nomination.citation or nomination.name,
        doi=nomination.doi,
        url=nomination.url,
        countries=[nomination.country.code] if nomination.country else [],
    )


def add_intervention_draft(nomination, user):
    """A new intervention page, not live, under the interventions index of the language the nomination was written
    in, with the nominated study. Its evidence rating is left for the editor to choose in the draft: the row needs a
    valid one to exist, so it holds "insufficient" (nobody has judged the evidence yet) until the first publish."""
    locale = Locale.objects.filter(language_code=nomination.language).first() or Locale.get_default()
    index = intervention_index(locale)
    if not index.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    slug = find_available_slug(index, slugify(nomination.name) or f"nomination-{nomination.pk}")
    page = InterventionPage(
        title=nomination.name,
        slug=slug,
        summary=nomination.description,
        countries=[nomination.country.code] if nomination.country else [],
        evidence_rating=EvidenceRating.INSUFFICIENT,
        live=False,
        owner=user,
        locale=locale,
    )
    index.add_child(instance=page)
    log(instance=page, action="wagtail.create", user=user)
    page.evidence_rating = ""
    page.studies = [nominated_study(nomination)]
    page.save_revision(user=user, log_action=True, clean=False)
    return page


def add_study_draft(nomination, user):
    """A draft revision of the chosen intervention with the nominated study added; the live page is unchanged."""
    page = nomination.intervention.specific
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied
    draft = page.get_latest_revision_as_object()
    studies = list(draft.studies.all())
    study = nominated_study(nomination)
    study.sort_order = max((existing.sort_order or 0 for existing in studies), default=-1) + 1
    draft.studies = [*studies, study]
    draft.save_revision(user=user, log_action=True, clean=False)
    return page


def draft_for(nomination, user):
    if nomination.kind == Nomination.Kind.INTERVENTION:
        return add_intervention_draft(nomination, user)
    if nomination.kind == Nomination.Kind.STUDY:
        return add_study_draft(nomination, user)
    page = nomination.intervention.specific
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied
    return page


@transaction.atomic
def accept(nomination, user):
    """Marks the nomination accepted and returns the page whose draft the editor continues: a new intervention, the
    intervention with the new study, or, for a correction, the record to correct. Accepting again opens the same
    page rather than adding another draft."""
    nomination.page = nomination.page.specific if nomination.page_id else draft_for(nomination, user)
    if nomination.status != Nomination.Status.ACCEPTED:
        nomination.status = Nomination.Status.ACCEPTED
        notify_status_change(nomination)
    nomination.save()
    return nomination.page
