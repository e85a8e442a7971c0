"""Review reminders: `manage.py review_reminders` emails each editor the live interventions they edit that were last
reviewed REVIEW_INTERVAL_MONTHS months ago or earlier (or never), and the admin listing filters them."""

import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from interventions.models import InterventionPage

from .factories import RecordFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def months_ago(months, days=0):
    return (TODAY - relativedelta(months=months, days=days)).isoformat()


@pytest.fixture
def records(import_records, settings):
    """The real records reviewed today, so that only these are due; A, B and D are due, C and the draft E are not."""
    settings.REVIEW_INTERVAL_MONTHS = 12
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CONTACT_EMAIL = ""
    InterventionPage.objects.update(last_reviewed=TODAY)
    a, b, c, d, e = import_records(
        RecordFactory(title="Record A", last_reviewed=months_ago(13)),
        RecordFactory(title="Record B", last_reviewed=months_ago(12)),  # exactly the interval: due
        RecordFactory(title="Record C", last_reviewed=months_ago(11, days=27)),
        RecordFactory(title="Record D"),  # never reviewed
        RecordFactory(title="Record E"),
    )
    e.unpublish()
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


@pytest.fixture
def editors(records):
    alice = UserFactory(username="alice", email="alice@example.org")
    bob = UserFactory(username="bob", email="bob@example.org")
    carol = UserFactory(username="carol", email="carol@example.org", is_active=False)
    dave = UserFactory(username="dave", email="")
    InterventionPage.objects.filter(pk=records["A"].pk).update(owner=alice)
    InterventionPage.objects.filter(pk=records["B"].pk).update(owner=carol)
    for page, user in [("B", alice), ("A", bob), ("C", bob), ("B", dave), ("E", alice)]:
        records[page].save_revision(user=user)
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave}


def run(*args):
    out = io.StringIO()
    call_command("review_reminders", *args, stdout=out)
    return out.getvalue()


def edit_link(page):
    return "http://localhost:8000" + reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_each_editor_gets_one_email_listing_their_due_records(records, editors, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    output = run()
    emails = {message.to[0]: message for message in mail.outbox}
    assert sorted(emails) == ["alice@example.org", "bob@example.org"]  # not the inactive or the address-less
    alice, bob = emails["alice@example.org"], emails["bob@example.org"]
    assert alice.subject == "2 interventions are due for review"
    assert "Record A (English): last reviewed " + months_ago(13) in alice.body
    assert "Record B (English): last reviewed " + months_ago(12) in alice.body
    assert edit_link(records["A"]) in alice.body and edit_link(records["B"]) in alice.body
    assert "Record E" not in alice.body  # a draft is not due
    assert bob.subject == "1 intervention is due for review"
    assert "Record A" in bob.body and "Record C" not in bob.body
    assert "Hello bob," in bob.body and "because you edit these records" in bob.body
    assert "Record D (en): never reviewed" in output
    assert "No editor to email for Record D (en)" in output
    assert output.strip().splitlines()[-1] == (
        f"3 interventions due for review (last reviewed on or before {months_ago(12)}, or never); "
        "2 emails sent; 1 with no editor to email."
    )


def test_records_nobody_edited_go_to_the_editors_address(records, editors, settings):
    settings.CONTACT_EMAIL = "editors@example.org"
    output = run()
    contact = next(message for message in mail.outbox if message.to == ["editors@example.org"])
    assert "Record D (English): never reviewed" in contact.body and "Record A" not in contact.body
    assert "at the editors' address, because nobody has edited these records" in contact.body
    assert output.strip().endswith("3 emails sent; 0 with no editor to email.")


def test_a_dry_run_sends_nothing(records, editors):
    output = run("--dry-run")
    assert mail.outbox == []
    assert "Would email alice@example.org: 2" in output
    assert output.strip().endswith("2 emails would be sent; 1 with no editor to email.")


def test_months_can_be_given(records, editors):
    output = run("--months", "24", "--dry-run")
    assert "Record A" not in output and "Record D" in output  # only the never reviewed
    assert "Would email" not in output


def test_an_editor_reads_the_reminder_in_their_admin_language(records, editors):
    profile = UserProfile.get_for_user(editors["bob"])
    profile.preferred_language = "es"
    profile.save()
    run()
    bob = next(message for message in mail.outbox if message.to == ["bob@example.org"])
    assert bob.subject == "1 intervención debe revisarse"
    assert "Record A (Inglés): revisada por última vez el " + months_ago(13) in bob.body


def test_nothing_due_says_so(records, editors):
    InterventionPage.objects.update(last_reviewed=TODAY)
    output = run()
    assert mail.outbox == []
    assert output.strip() == f"No intervention is due for review (none last reviewed on or before {months_ago(12)})."


def test_months_must_be_positive(records):
    with pytest.raises(CommandError):
        run("--months", "0")


# The admin listing.


def listed(client, **filters):
    response = client.get(reverse("intervention_listing:index"), filters)
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_listing_filters_the_records_due_for_review(editor_client, records, settings):
    html = listed(editor_client, review="due")
    assert "Record A" in html and "Record B" in html and "Record D" in html
    assert "Record C" not in html and "Record E" not in html and "Becoming a Man" not in html
    everything = listed(editor_client)
    assert "Record C" in everything and "Due for review" in everything
    assert "last reviewed 12 months ago or earlier, or never" in everything
    assert months_ago(13) in everything  # the Last reviewed column
    settings.REVIEW_INTERVAL_MONTHS = 6
    assert "Record C" in listed(editor_client, review="due")
