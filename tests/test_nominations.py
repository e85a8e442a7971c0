"""Public nominations: the form and its spam protection, and the editors' triage in the Wagtail admin, from a status
change (which emails the nominator) to accepting one as a draft that goes through the review workflow."""

import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from home.roles import EDITORS, REVIEWERS, setup_roles
from interventions.models import InterventionPage
from nominations.models import Nomination
from nominations.spam import form_started_token

from .admin_forms import edit_url, form_values
from .factories import NominationFactory, OutcomeFactory, RecordFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('nominated')</script>"


def opened_long_ago():
    return form_started_token(at=time.time() - 60)


def nomination_data(**overrides):
    """What a visitor sends for a new intervention, a minute after opening the form."""
    return {
        "kind": "intervention",
        "name": "Barrio Seguro",
        "country": "DO",
        "description": "Community policing and social programmes in high-crime neighbourhoods of Santo Domingo.",
        "citation": "Ramírez, J. (2020). Barrio Seguro: an evaluation. Journal of Tests.",
        "doi": "https://doi.org/10.1234/barrio.2020",
        "url": "",
        "nominator_name": "Ana Pérez",
        "organisation": "Observatorio de Seguridad",
        "email": "ana@example.org",
        "consent_to_contact": "on",
        "website": "",
        "started": opened_long_ago(),
        **overrides,
    }


def form_field(html, name):
    return BeautifulSoup(html, "html.parser").find("form", class_="nomination-form").find(attrs={"name": name})


def field_value(html, name):
    field = form_field(html, name)
    if field.name == "textarea":
        return field.text.strip()
    if field.name == "select":
        selected = field.find("option", selected=True)
        return selected.get("value") if selected else None
    return field.get("value")


def errors_of(html, name):
    """The error messages shown with a field (Django's form renders them before its input, in the same group)."""
    group = form_field(html, name).find_parent("div", class_="field")
    return [item.get_text() for item in group.select(".errorlist li")]


def test_the_form_speaks_each_language(client):
    for prefix, heading in [
        ("", "Nominate an intervention or a study"),
        ("/es", "Proponer una intervención o un estudio"),
        ("/pt", "Indicar uma intervenção ou um estudo"),
        ("/fr", "Proposer une intervention ou une étude"),
    ]:
        response = client.get(f"{prefix}/nominate/")
        assert response.status_code == 200
        assert BeautifulSoup(response.content, "html.parser").h1.get_text() == heading


def test_a_valid_nomination_is_stored_and_thanked(client):
    response = client.post("/es/nominate/", nomination_data(), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 302 and response["Location"] == "/es/nominate/thanks/"
    nomination = Nomination.objects.get()
    assert nomination.name == "Barrio Seguro" and nomination.country.code == "DO"
    assert nomination.doi == "10.1234/barrio.2020"  # the address form of the DOI, stored as the DOI itself
    assert nomination.status == Nomination.Status.NEW and nomination.language == "es"
    assert nomination.consent_to_contact
    thanks = client.get(response["Location"])
    assert "Gracias por su propuesta" in thanks.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": "ana-at-example"}, "email", "Enter a valid email address."),
        ({"doi": "doi 1234/barrio"}, "doi", "A DOI starts with '10.'"),
        ({"url": "barrio seguro report"}, "url", "Enter a valid URL."),
        ({"citation": "", "doi": "", "url": ""}, "citation", "Give the evaluation's citation, DOI or web address"),
        ({"kind": "study"}, "intervention", "Choose the intervention that the study or the correction is about."),
        ({"country": ""}, "country", "Choose the country where it was implemented or evaluated."),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, overrides, field, message):
    response = client.post("/nominate/", nomination_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert any(error.startswith(message) for error in errors_of(html, field)), errors_of(html, field)
    assert field_value(html, "description") == nomination_data()["description"]
    assert field_value(html, "nominator_name") == "Ana Pérez"
    assert field_value(html, "country") == overrides.get("country", "DO") or None
    assert Nomination.objects.count() == 0


def intervention_choices(client, url):
    form = BeautifulSoup(client.get(url).content, "html.parser")
    return {option.get("value"): option.get_text() for option in form.select("select[name=intervention] option")}


def test_a_study_names_the_intervention_chosen_by_its_title_in_the_visitors_language(client, import_records):
    page, _other = import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Cognitive behavioural therapy for young people",
            translations={"es": {"title": "Terapia cognitivo-conductual para jóvenes"}},
        ),
        RecordFactory(slug="street-lighting", title="Street lighting"),
    )
    assert intervention_choices(client, "/nominate/")[str(page.pk)] == "Cognitive behavioural therapy for young people"
    assert intervention_choices(client, "/es/nominate/")[str(page.pk)] == "Terapia cognitivo-conductual para jóvenes"
    response = client.post("/nominate/", nomination_data(kind="study", intervention=str(page.pk), country=""))
    assert response.status_code == 302
    assert Nomination.objects.get().intervention == page


def test_the_trap_field_drops_a_nomination_without_telling(client):
    response = client.post("/nominate/", nomination_data(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/nominate/thanks/"
    assert Nomination.objects.count() == 0


def test_a_form_sent_too_fast_is_refused_with_its_values(client):
    response = client.post("/nominate/", nomination_data(started=form_started_token()))
    assert response.status_code == 400
    assert "sent very quickly" in response.content.decode()
    assert field_value(response.content.decode(), "name") == "Barrio Seguro"
    assert Nomination.objects.count() == 0


def test_a_forged_time_is_refused_and_replaced(client):
    response = client.post("/nominate/", nomination_data(started="1"))
    assert response.status_code == 400
    assert "please send it again" in response.content.decode()
    # The form goes back with a time of its own, so that sending it again (after a moment) works.
    assert field_value(response.content.decode(), "started") != "1"


def test_an_address_may_send_a_few_nominations_an_hour(client, settings):
    settings.NOMINATION_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post("/nominate/", nomination_data(), REMOTE_ADDR="198.51.100.7").status_code == 302
    refused = client.post("/nominate/", nomination_data(name="Third"), REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert "Many nominations have come from your address recently" in refused.content.decode()
    assert field_value(refused.content.decode(), "name") == "Third"
    assert client.post("/nominate/", nomination_data(), REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Nomination.objects.count() == 3


@pytest.fixture
def roles():
    setup_roles()
    return UserFactory(groups=[EDITORS]), UserFactory(groups=[REVIEWERS])


def admin_url(name, *args):
    return reverse(f"nominations:{name}", args=args)


def test_what_a_visitor_sent_is_escaped_in_the_listing_and_the_edit_view(client, roles):
    nomination = NominationFactory(name=SCRIPT, description=SCRIPT, nominator_name=SCRIPT, organisation=SCRIPT)
    client.force_login(roles[0])
    for url in (admin_url("index"), admin_url("edit", nomination.pk)):
        html = client.get(url).content.decode()
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#x27;nominated&#x27;)&lt;/script&gt;" in html


def test_editors_filter_the_listing_by_status_kind_and_reviewer(client, roles):
    editor, reviewer = roles
    NominationFactory(name="Waiting one")
    NominationFactory(name="Assigned study", kind="study", status="in_review", reviewer=reviewer)
    client.force_login(editor)

    def listed(**filters):
        html = client.get(admin_url("index"), filters).content.decode()
        return {name for name in ("Waiting one", "Assigned study") if name in html}

    assert listed() == {"Waiting one", "Assigned study"}
    assert listed(status="in_review") == {"Assigned study"}
    assert listed(kind="intervention") == {"Waiting one"}
    assert listed(reviewer=reviewer.pk) == {"Assigned study"}


def test_a_status_change_emails_the_nominator_in_their_language(client, roles, django_capture_on_commit_callbacks):
    editor, reviewer = roles
    nomination = NominationFactory(language="pt", email="joao@example.org")
    client.force_login(editor)
    url = admin_url("edit", nomination.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "in_review", "reviewer": reviewer.pk, "editor_notes": "Looks good."})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "in_review" and nomination.reviewer == reviewer
    [email] = mail.outbox
    assert email.to == ["joao@example.org"]
    assert "em revisão" in email.subject
    assert "Um editor está analisando" in email.body and "Looks good." not in email.body

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "in_review", "reviewer": "", "editor_notes": "Only the notes change."})
    assert len(mail.outbox) == 1  # no change of status, no email


def accept(client, nomination, django_capture_on_commit_callbacks):
    assert client.get(admin_url("accept", nomination.pk)).status_code == 200  # asks first, changes nothing
    assert Nomination.objects.get(pk=nomination.pk).status == "new"
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(admin_url("accept", nomination.pk))


def test_accepting_a_new_intervention_drafts_it_and_it_is_published_after_review(
    client, roles, django_capture_on_commit_callbacks
):
    editor, reviewer = roles
    nomination = NominationFactory(
        name="Barrio Seguro", country="DO", doi="10.1234/barrio.2020", url="https://example.org/barrio.pdf"
    )
    client.force_login(editor)
    response = accept(client, nomination, django_capture_on_commit_callbacks)

    page = InterventionPage.objects.get(title="Barrio Seguro")
    assert response.status_code == 302 and response["Location"] == edit_url(page)
    assert not page.live and page.get_parent().specific_class.__name__ == "InterventionIndexPage"
    draft = page.get_latest_revision_as_object()
    assert draft.summary == nomination.description and draft.countries == ["DO"]
    [study] = draft.studies.all()
    assert (study.citation, study.doi, study.url) == (nomination.citation, "10.1234/barrio.2020", nomination.url)
    nomination.refresh_from_db()
    assert nomination.status == "accepted" and nomination.page_id == page.pk
    assert len(mail.outbox) == 1 and "accepted" in mail.outbox[0].subject
    assert page.url is None or client.get(page.url).status_code == 404  # nothing public yet

    # The editor completes what the nominator could not know, and submits the draft for review.
    values = form_values(client.get(edit_url(page)).content.decode())
    assert values["evidence_rating"] == "" and values["studies-0-design"] == ""
    values |= {"evidence_rating": "promising", "studies-0-design": "quasi-experimental", "pillars": ["1"]}
    values["pillars"] = [str(pk) for pk in page.pillars.model.objects.values_list("pk", flat=True)[:1]]
    client.post(edit_url(page), values | {"action-submit": "action-submit"})
    page.refresh_from_db()
    state = page.workflow_states.get(status="in_progress")

    client.force_login(reviewer)
    action = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk])
    client.post(action)
    page.refresh_from_db()
    assert page.live and page.evidence_rating == "promising" and page.studies.get().design == "quasi-experimental"


def test_accepting_a_new_study_adds_it_to_a_draft_of_the_intervention(
    client, roles, django_capture_on_commit_callbacks, import_records
):
    (page,) = import_records(
        RecordFactory(
            slug="youth-cbt",
            title="Cognitive behavioural therapy for young people",
            studies=[StudyFactory(key="first-trial"), StudyFactory(key="follow-up-trial", design="quasi-experimental")],
            outcomes=[OutcomeFactory(study="first-trial")],
        )
    )
    live_studies = list(page.studies.values_list("key", flat=True))
    nomination = NominationFactory(kind="study", intervention=page, name="A new trial", doi="10.5555/new.trial")
    client.force_login(roles[0])
    response = accept(client, nomination, django_capture_on_commit_callbacks)

    assert response["Location"] == edit_url(page)
    page.refresh_from_db()
    assert page.live and page.has_unpublished_changes
    assert list(page.studies.values_list("key", flat=True)) == live_studies  # the public page is unchanged
    draft_studies = page.get_latest_revision_as_object().studies.all()
    assert [study.key for study in draft_studies] == [*live_studies, f"nomination-{nomination.pk}"]
    assert draft_studies[len(live_studies)].doi == "10.5555/new.trial"
    # Accepting again opens the same draft, without another study or another email.
    client.post(admin_url("accept", nomination.pk))
    assert len(page.get_latest_revision_as_object().studies.all()) == len(live_studies) + 1
    assert len(mail.outbox) == 1


def test_triage_without_page_permissions_cannot_accept(client, roles):
    """Accepting writes pages: a user who may triage nominations but not add interventions is refused."""
    triage_only = Group.objects.create(name="Triage only")
    triage_only.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_nomination")
    )
    nomination = NominationFactory(name="Refused nomination")
    client.force_login(UserFactory(groups=["Triage only"]))
    assert client.get(admin_url("edit", nomination.pk)).status_code == 200
    # The admin answers a refusal by sending the user to its dashboard with a message, not to the page editor.
    assert client.post(admin_url("accept", nomination.pk))["Location"] == reverse("wagtailadmin_home")
    assert Nomination.objects.get(pk=nomination.pk).status == "new"
    assert not InterventionPage.objects.filter(title="Refused nomination").exists()
