"""Roles, the review workflow and what the public sees of drafts, changes in review and scheduled changes."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from home.roles import EDITORS, REVIEW_WORKFLOW, REVIEWERS, setup_roles, working_group_name
from interventions.models import InterventionPage, Pillar

from .admin_forms import edit_url, form_values
from .factories import (
    CollectionPageFactory,
    KnowledgeProductPageFactory,
    OutcomeFactory,
    PillarPageFactory,
    RecordFactory,
    StudyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
MARKER = "Zyxwvutsrq"  # a word no record has, to tell the changed text in the search


@pytest.fixture
def site_roles():
    pillars = {
        slug: Pillar.objects.get(slug=slug)
        for slug in ("protecting-vulnerable-populations", "disrupting-illicit-markets")
    }
    pages = {slug: PillarPageFactory(pillar=pillar, title=pillar.labels["en"]) for slug, pillar in pillars.items()}
    setup_roles()
    return pillars, pages


@pytest.fixture
def records(import_records):
    """Published interventions of the pillar whose working group the tests use, with studies, outcomes and a
    translation for the editing forms to carry."""
    return import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Cognitive behavioural therapy for young people",
            summary="Weekly group sessions at school for boys in high-violence neighbourhoods.",
            intervention_types=["cognitive-behavioural-therapy"],
            settings=["school"],
            countries=["US"],
            studies=[StudyFactory(key="first-trial"), StudyFactory(key="second-trial", design="quasi-experimental")],
            outcomes=[
                OutcomeFactory(study="first-trial"),
                OutcomeFactory(domain="education", measure="School attendance", study="second-trial"),
            ],
            translations={"es": {"title": "Terapia cognitivo-conductual para jóvenes", "summary": "Sesiones."}},
        ),
        RecordFactory(
            slug="anonymous-tip-line",
            title="Anonymous crime tip line",
            summary="A telephone line that takes anonymous tips about crimes.",
            countries=["BR"],
        ),
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers",
            summary="Paid summer work and a mentor for teenagers from high-violence neighbourhoods.",
            countries=["US"],
        ),
    )


def intervention(slug="youth-cbt"):
    return InterventionPage.objects.get(slug=slug, locale__language_code="en")


def public_view(client, page, query=MARKER):
    """What a visitor sees of a page: its profile, and whether the search page and the API find the query."""
    profile = client.get(page.url)
    api = client.get("/api/v1/search/", {"q": query}).json()
    search = client.get("/search/", {"q": query})
    return {
        "profile": profile.content.decode() if profile.status_code == 200 else profile.status_code,
        "api": [item["slug"] for item in api["results"]],
        "search": page.title in BeautifulSoup(search.content, "html.parser").select_one("section.results").get_text(),
    }


@pytest.mark.usefixtures("records")
def test_working_group_member_edits_own_pillar_only(client, site_roles):
    pillars, pages = site_roles
    own = CollectionPageFactory(parent=pages["protecting-vulnerable-populations"])
    other = CollectionPageFactory(parent=pages["disrupting-illicit-markets"])
    other_product = KnowledgeProductPageFactory(parent=pages["disrupting-illicit-markets"])
    member = UserFactory(groups=[working_group_name(pillars["protecting-vulnerable-populations"])])
    assert own.permissions_for_user(member).can_edit() and own.permissions_for_user(member).can_publish()
    assert not other.permissions_for_user(member).can_edit()
    assert not other_product.permissions_for_user(member).can_edit()
    assert not intervention().permissions_for_user(member).can_edit()

    client.force_login(member)
    assert client.get(edit_url(own)).status_code == 200
    assert client.get(edit_url(other)).status_code in (302, 403)
    data = form_values(client.get(edit_url(own)).content.decode()) | {
        "title": "Taken over",
        "action-publish": "action-publish",
    }
    assert client.post(edit_url(other), data).status_code in (302, 403)
    other.refresh_from_db()
    assert other.title != "Taken over"


@pytest.mark.usefixtures("records")
def test_editor_cannot_publish_and_a_reviewer_publishes_after_review(client, site_roles):
    editor = UserFactory(groups=[EDITORS])
    reviewer = UserFactory(groups=[REVIEWERS])
    page = intervention()
    original_summary = page.summary
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(editor).can_publish()
    assert not page.permissions_for_user(editor).can_unpublish()

    client.force_login(editor)
    data = form_values(client.get(edit_url(page)).content.decode())
    data["summary"] = f"{original_summary} {MARKER}"
    client.post(edit_url(page), data | {"action-publish": "action-publish"})
    page.refresh_from_db()
    assert page.summary == original_summary and page.has_unpublished_changes  # kept as a draft, not published

    client.post(edit_url(page), data | {"action-submit": "action-submit"})
    page.refresh_from_db()
    state = page.workflow_states.get(status="in_progress")
    assert state.workflow.name == REVIEW_WORKFLOW
    client.logout()
    seen = public_view(client, page)
    assert MARKER not in seen["profile"] and seen["api"] == [] and not seen["search"]

    client.force_login(reviewer)
    task_state = state.current_task_state
    action = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    assert client.post(action).status_code in (200, 302)
    page.refresh_from_db()
    assert page.summary == f"{original_summary} {MARKER}"
    client.logout()
    seen = public_view(client, page)
    assert MARKER in seen["profile"] and seen["api"] == [page.slug] and seen["search"]


@pytest.mark.usefixtures("records")
def test_a_draft_never_reaches_the_public(client):
    page = intervention("anonymous-tip-line")
    page.summary = f"{page.summary} {MARKER}"
    page.save_revision()
    seen = public_view(client, intervention("anonymous-tip-line"))
    assert MARKER not in seen["profile"] and seen["api"] == [] and not seen["search"]


@pytest.mark.usefixtures("records")
def test_a_scheduled_change_appears_only_when_its_time_comes(client):
    page = intervention("summer-jobs")
    page.summary = f"{page.summary} {MARKER}"
    page.go_live_at = timezone.now() + timedelta(days=1)
    revision = page.save_revision()
    revision.publish()
    page = intervention("summer-jobs")
    assert page.live and MARKER not in page.summary
    seen = public_view(client, page)
    assert MARKER not in seen["profile"] and seen["api"] == [] and not seen["search"]

    # The time comes: the scheduled revision's date is now in the past.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled", verbosity=0)
    seen = public_view(client, intervention("summer-jobs"))
    assert MARKER in seen["profile"] and seen["api"] == ["summer-jobs"] and seen["search"]


def test_a_scheduled_new_page_stays_hidden_until_published(client):
    product = KnowledgeProductPageFactory(parent=PillarPageFactory(), title=f"Guide {MARKER}", publish=False)
    product.go_live_at = timezone.now() + timedelta(days=1)
    product.save_revision().publish()
    product.refresh_from_db()
    assert not product.live
    assert client.get(product.url or f"/{product.slug}/").status_code == 404
    assert client.get("/api/v1/search/", {"q": MARKER}).json()["count"] == 0
