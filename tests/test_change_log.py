"""The public change log of an intervention: written by reviewers in the workflow (a public note required when the
rating changes), logged when a revision is published or records are imported, and shown on the profile."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from home.roles import EDITORS, REVIEWERS, setup_roles
from interventions.interchange.exporter import export_record
from interventions.interchange.importer import import_document
from interventions.models import InterventionPage

from .admin_forms import edit_url, form_values
from .factories import RecordFactory, UserFactory, document

pytestmark = pytest.mark.django_db
NOTE = "After a second evaluation <script>alert(1)</script>"


@pytest.fixture
def youth_cbt(import_records):
    """An effective programme with a Spanish translation, last reviewed on a day before the tests'."""
    (page,) = import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Group cognitive behavioural therapy for young men",
            summary="Weekly group sessions at school that teach young men to slow down in heated moments.",
            countries=["US"],
            evidence_rating="effective",
            last_reviewed="2026-05-04",
            translations={
                "es": {
                    "title": "Terapia cognitivo-conductual grupal para jóvenes",
                    "summary": "Sesiones grupales semanales en la escuela para aprender a pensar antes de actuar.",
                }
            },
        )
    )
    return page


@pytest.fixture
def hot_spots_policing(import_records):
    """A promising programme."""
    (page,) = import_records(
        RecordFactory(
            slug="hot-spots-policing",
            title="Hot-spots policing",
            summary="Patrols concentrated on the few street segments where most crimes are reported.",
            countries=["BR"],
            pillars=["strengthening-institutions"],
            evidence_rating="promising",
        )
    )
    return page


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_superuser("reviewer", "reviewer@example.org", "a-long-password")


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def intervention(slug="youth-cbt", language="en"):
    return InterventionPage.objects.get(slug=slug, locale__language_code=language)


def edit(client, page, publish=True, **changes):
    """Posts the page's editor form as it stands with `changes`, publishing unless told otherwise."""
    values = form_values(client.get(edit_url(page)).content.decode()) | changes
    if publish:
        values["action-publish"] = "action-publish"
    return client.post(edit_url(page), values)


def error_near(response, field_name):
    soup = BeautifulSoup(response.content, "html.parser")
    return (
        soup.find(attrs={"name": field_name}).find_parent(attrs={"data-field-wrapper": True}).get_text(" ", strip=True)
    )


def test_a_new_rating_needs_a_public_note(reviewer_client, youth_cbt):
    page = intervention()
    response = edit(reviewer_client, page, evidence_rating="promising", public_change_note=" ")
    assert response.status_code == 200
    assert "The evidence rating changes from “Effective” to “Promising”: say why in a public note" in error_near(
        response, "public_change_note"
    )
    page.refresh_from_db()
    assert page.evidence_rating == "effective" and not page.changes.exclude(kind="new").exists()


def test_the_missing_note_is_explained_in_the_editors_language(reviewer_client, reviewer, youth_cbt):
    profile = UserProfile.get_for_user(reviewer)
    profile.preferred_language = "es"
    profile.save()
    response = edit(reviewer_client, intervention(), evidence_rating="promising", public_change_note="")
    assert response.status_code == 200
    assert "La calificación de la evidencia cambia de “Eficaz” a “Prometedora”" in error_near(
        response, "public_change_note"
    )


def test_other_edits_need_no_note(reviewer_client, youth_cbt):
    response = edit(reviewer_client, intervention(), summary="An edited summary.")
    assert response.status_code == 302
    assert not intervention().changes.exclude(kind="new").exists()


def test_publishing_a_new_rating_logs_it_once_with_its_note(reviewer_client, youth_cbt):
    page = intervention()
    response = edit(reviewer_client, page, evidence_rating="promising", public_change_note=NOTE)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = intervention()
    change = page.changes.get(kind="rating-changed")
    assert (change.old_rating, change.new_rating, change.note) == ("effective", "promising", NOTE)
    assert change.changed_at == page.last_published_at
    # The reviewer left "last reviewed" as it was: a new rating means the evidence was reviewed on the day.
    assert page.last_reviewed == timezone.localdate(page.last_published_at)
    assert page.public_change_note == ""

    # The next edit starts without the note, and keeps the new review date; publishing it logs nothing more.
    values = form_values(reviewer_client.get(edit_url(page)).content.decode())
    assert values["public_change_note"].strip() == "" and values["last_reviewed"] == page.last_reviewed.isoformat()
    assert edit(reviewer_client, page, summary="A clearer summary.").status_code == 302
    assert list(intervention().changes.values_list("kind", flat=True)) == ["rating-changed", "new"]


def test_a_review_date_the_reviewer_sets_is_kept(reviewer_client, youth_cbt):
    response = edit(
        reviewer_client, intervention(), evidence_rating="mixed", public_change_note=NOTE, last_reviewed="2026-11-30"
    )
    assert response.status_code == 302
    assert intervention().last_reviewed == datetime.date(2026, 11, 30)


def test_a_note_alone_is_an_update_and_a_new_review_date_a_review(reviewer_client, youth_cbt):
    assert edit(reviewer_client, intervention(), public_change_note="Costs updated to 2024 prices.").status_code == 302
    assert edit(reviewer_client, intervention(), last_reviewed="2027-01-15").status_code == 302
    entries = list(intervention().changes.values_list("kind", "note")[:2])
    assert entries == [("reviewed", ""), ("updated", "Costs updated to 2024 prices.")]


def test_the_note_written_by_an_editor_is_published_by_the_reviewer_in_the_workflow(client, hot_spots_policing):
    setup_roles()
    editor, reviewer = UserFactory(groups=[EDITORS]), UserFactory(groups=[REVIEWERS])
    page = intervention("hot-spots-policing")
    client.force_login(editor)
    response = edit(client, page, publish=False, evidence_rating="effective", public_change_note="")
    assert "say why in a public note" in error_near(response, "public_change_note")
    edit(client, page, publish=False, evidence_rating="effective", public_change_note=NOTE, **{"action-submit": "1"})
    assert not intervention("hot-spots-policing").changes.exclude(kind="new").exists()  # in review, not published

    client.force_login(reviewer)
    # The reviewer sees the note the editor wrote.
    assert form_values(client.get(edit_url(page)).content.decode())["public_change_note"].strip() == NOTE
    task_state = intervention("hot-spots-policing").workflow_states.get(status="in_progress").current_task_state
    action = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    assert client.post(action).status_code in (200, 302)
    change = intervention("hot-spots-policing").changes.get(kind="rating-changed")
    assert (change.old_rating, change.new_rating, change.note) == ("promising", "effective", NOTE)


def test_imported_records_are_new_and_an_imported_rating_change_is_logged_without_inventing_a_date():
    import_document(document(RecordFactory(slug="logged-1"), RecordFactory(slug="logged-2")))
    pages = InterventionPage.objects.filter(slug__in=["logged-1", "logged-2"])
    assert {(page.slug, tuple(page.changes.values_list("kind", flat=True))) for page in pages} == {
        ("logged-1", ("new",)),
        ("logged-2", ("new",)),
    }
    assert all(page.changes.get().changed_at == page.last_published_at for page in pages)

    import_document(document(RecordFactory(slug="logged-1", evidence_rating="effective")))
    page = intervention("logged-1")
    change = page.changes.get(kind="rating-changed")
    assert (change.old_rating, change.new_rating, change.note) == ("promising", "effective", "")
    assert page.last_reviewed is None  # the file gives none


def test_imports_taking_the_public_path_log_new_records_too():
    with override_settings(FAST_IMPORT=False):
        import_document(document(RecordFactory(slug="logged-slowly")))
    assert list(intervention("logged-slowly").changes.values_list("kind", flat=True)) == ["new"]


def test_the_interchange_format_does_not_carry_the_note(reviewer_client, youth_cbt):
    edit(reviewer_client, intervention(), public_change_note="Not in the file.")
    assert "Not in the file." not in str(export_record(intervention()))


def test_the_profile_shows_last_reviewed_and_the_change_log_escaped(client, reviewer_client, youth_cbt):
    edit(reviewer_client, intervention(), evidence_rating="promising", public_change_note=NOTE)
    reviewer_client.logout()
    page = intervention()
    response = client.get(page.url)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    entries = [item.get_text(" ", strip=True) for item in soup.select(".change-log li")]
    month = f"{timezone.localtime(page.last_published_at):%Y-%m}"
    assert entries[0] == f"{month} : Rating changed from Effective to Promising — {NOTE}"
    assert entries[-1].endswith("Added to the knowledge base")
    assert soup.select_one(".last-reviewed time")["datetime"] == page.last_reviewed.isoformat()


def test_the_change_log_in_the_visitors_language(client, reviewer_client, youth_cbt):
    spanish = intervention(language="es")
    edit(reviewer_client, spanish, evidence_rating="promising", public_change_note="Tras una segunda evaluación")
    reviewer_client.logout()
    soup = BeautifulSoup(client.get(intervention(language="es").url).content, "html.parser")
    assert soup.select_one("#change-log-heading").get_text() == "Historial de cambios"
    entry = soup.select_one(".change-log li").get_text(" ", strip=True)
    assert "La calificación cambió de Eficaz a Prometedora — Tras una segunda evaluación" in entry


def test_a_scheduled_change_is_logged_when_it_goes_live(hot_spots_policing):
    page = intervention("hot-spots-policing")
    page.evidence_rating, page.public_change_note = "effective", "After a new evaluation."
    page.go_live_at = timezone.now() + datetime.timedelta(days=1)
    revision = page.save_revision()
    revision.publish()
    assert not intervention("hot-spots-policing").changes.exclude(kind="new").exists()

    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled", verbosity=0)
    change = intervention("hot-spots-policing").changes.get(kind="rating-changed")
    assert (change.old_rating, change.new_rating, change.note) == ("promising", "effective", "After a new evaluation.")


def test_editors_correct_a_note_in_the_admin_but_add_no_entry_by_hand(reviewer_client, youth_cbt):
    visitor = Client()
    change = intervention().changes.get(kind="new")
    # The newest entry, first in the admin's list.
    change.note, change.changed_at = "A typo: Chicgao.", timezone.now()
    change.save()
    assert "Chicgao" in visitor.get(intervention().url).content.decode()  # now in the visitors' cache
    listing = reviewer_client.get(reverse("wagtailsnippets_interventions_recordchange:list"))
    assert listing.status_code == 200 and "Chicgao" in listing.content.decode()
    assert reviewer_client.get(reverse("wagtailsnippets_interventions_recordchange:add")).status_code in (302, 403)
    edit_change = reverse("wagtailsnippets_interventions_recordchange:edit", args=[change.pk])
    assert reviewer_client.post(edit_change, {"note": "Chicago."}).status_code == 302
    assert intervention().changes.get(pk=change.pk).note == "Chicago."
    profile = visitor.get(intervention().url).content.decode()
    assert "Chicago." in profile and "Chicgao" not in profile


def test_a_page_changed_and_published_twice_in_a_script_logs_each_rating_change(hot_spots_policing):
    page = intervention("hot-spots-policing")
    page.evidence_rating = "effective"
    page.save_revision().publish()
    page.evidence_rating = "mixed"
    page.save_revision().publish()
    entries = intervention("hot-spots-policing").changes.filter(kind="rating-changed")
    assert list(entries.values_list("old_rating", "new_rating")) == [("effective", "mixed"), ("promising", "effective")]


def test_a_revision_published_again_does_not_log_its_note_again(reviewer_client, youth_cbt):
    assert edit(reviewer_client, intervention(), public_change_note="Costs in 2024 prices.").status_code == 302
    page = intervention()
    page.unpublish()
    page.latest_revision.publish()
    notes = list(intervention().changes.values_list("kind", "note"))
    assert notes == [("updated", "Costs in 2024 prices."), ("new", "")]
