"""Editors see an intervention with its studies and outcomes in the Wagtail admin, and can save edits."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from interventions.models import OutcomeDomain, Pillar
from interventions.page_tree import ensure_home_page

from .admin_forms import edit_url, form_values
from .factories import OutcomeFactory, RecordFactory, StudyFactory

pytestmark = pytest.mark.django_db


YOUTH_CBT = "Cognitive behavioural therapy for young people"


@pytest.fixture
def youth_cbt(import_records):
    """An intervention as much as an editor fills in: three studies, four outcomes, ages, cost, a benefit-cost ratio,
    the EMMIE texts and a translation."""
    (page,) = import_records(
        RecordFactory(
            slug="youth-cbt",
            title=YOUTH_CBT,
            summary="Weekly group sessions at school for boys in high-violence neighbourhoods.",
            pillars=["protecting-vulnerable-populations"],
            evidence_rating="effective",
            intervention_types=["cognitive-behavioural-therapy", "school-based-prevention"],
            settings=["school"],
            target_groups=["at-risk-youth"],
            age_min=12,
            age_max=17,
            countries=["US"],
            cost_per_participant={"amount": 1500, "currency": "USD", "year": 2020},
            benefit_cost_ratio={"low": 3, "high": 10, "source_study": "cost-study"},
            mechanism_html="<p>Sessions teach boys to slow down before they react.</p>",
            transferability_html="<p>Not yet tried in the region.</p>",
            studies=[
                StudyFactory(key="first-trial", design="rct"),
                StudyFactory(key="second-trial", design="rct"),
                StudyFactory(key="cost-study", design="cost-benefit-analysis"),
            ],
            outcomes=[
                OutcomeFactory(study="first-trial", measure="Violent-crime arrests during the programme year"),
                OutcomeFactory(study="first-trial", domain="education", measure="Graduation on time"),
                OutcomeFactory(study="second-trial", measure="Violent-crime arrests in the year after"),
                OutcomeFactory(study="second-trial", domain="recidivism", measure="Readmission to detention"),
            ],
            translations={"es": {"title": "Terapia cognitivo-conductual para jóvenes"}},
        )
    )
    return page


@pytest.fixture
def listed_records(youth_cbt, import_records):
    """Records that each differ from the youth programme in one thing the listing filters on."""
    import_records(
        RecordFactory(
            slug="trafficking-victim-identification",
            title="Training to identify trafficking victims",
            pillars=["disrupting-illicit-markets"],
            countries=["US"],
        ),
        RecordFactory(
            slug="prison-visits-for-youth",
            title="Prison visits to deter young people",
            evidence_rating="harmful",
            countries=["US"],
        ),
        RecordFactory(
            slug="anonymous-tip-line",
            title="Anonymous crime tip line",
            pillars=["strengthening-institutions"],
            countries=["BR"],
        ),
    )
    return youth_cbt


def test_editor_shows_studies_and_outcomes_in_tabs(editor_client, youth_cbt):
    response = editor_client.get(edit_url(youth_cbt))
    assert response.status_code == 200
    html = response.content.decode()
    for tab in ["Overview", "Evidence", "Cost", "Context", "Sources"]:
        assert f">{tab}<" in html or f"{tab}\n" in html
    for study in youth_cbt.studies.all():
        assert study.key in html
    for outcome in youth_cbt.outcomes.all():
        assert outcome.measure[:40] in html


def test_saving_an_edit_publishes_it(editor_client, youth_cbt):
    values = form_values(editor_client.get(edit_url(youth_cbt)).content.decode())
    values["summary"] = "An edited summary."
    values["action-publish"] = "action-publish"
    response = editor_client.post(edit_url(youth_cbt), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    youth_cbt.refresh_from_db()
    assert youth_cbt.summary == "An edited summary."
    assert youth_cbt.studies.count() >= 2 and youth_cbt.outcomes.count() >= 4


def draftail(text):
    """What Wagtail's rich text editor submits for one paragraph."""
    block = {"key": "a1b2c", "text": text, "type": "unstyled", "depth": 0, "inlineStyleRanges": [], "entityRanges": []}
    return json.dumps({"blocks": [block], "entityMap": {}})


def test_editors_write_emmie_texts_last_reviewed_and_structured_citations(editor_client, youth_cbt):
    html = editor_client.get(edit_url(youth_cbt)).content.decode()
    assert "How it works" in html and "Structured citation" in html
    values = form_values(html)
    values.update(
        mechanism=draftail("Slowing down automatic responses."),
        transferability=draftail("Adapted in Medellín schools."),
        last_reviewed="2026-12-02",
    )
    values.update(
        {
            "studies-0-authors": "Heller, Sara B.\nPollack, Harold A.",
            "studies-0-title": "Preventing Youth Violence and Dropout",
            "studies-0-publication_type": "working-paper",
            "studies-0-venue": "NBER Working Paper",
            "studies-0-issue": "19014",
        }
    )
    values["action-publish"] = "action-publish"
    response = editor_client.post(edit_url(youth_cbt), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    youth_cbt.refresh_from_db()
    assert youth_cbt.mechanism == '<p data-block-key="a1b2c">Slowing down automatic responses.</p>'
    assert youth_cbt.transferability == '<p data-block-key="a1b2c">Adapted in Medellín schools.</p>'
    assert youth_cbt.last_reviewed.isoformat() == "2026-12-02"
    study = youth_cbt.studies.order_by("sort_order").first()
    assert study.authors == ["Heller, Sara B.", "Pollack, Harold A."]
    assert (study.publication_type, study.venue, study.issue) == ("working-paper", "NBER Working Paper", "19014")


def test_validation_errors_stand_next_to_their_fields(editor_client, youth_cbt):
    values = form_values(editor_client.get(edit_url(youth_cbt)).content.decode())
    values.update(age_min="18", age_max="10", bcr_source_study="no-such-study")
    response = editor_client.post(edit_url(youth_cbt), values)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")

    def error_near(field_name):
        field = soup.find(attrs={"name": field_name})
        wrapper = field.find_parent(attrs={"data-field-wrapper": True}) or field.find_parent("div")
        return wrapper.get_text(" ", strip=True)

    assert "The maximum age (10) is below the minimum age (18)." in error_near("age_max")
    assert "No study of this intervention has the key 'no-such-study'." in error_near("bcr_source_study")


def test_outcome_citing_a_study_missing_from_the_page_is_refused(editor_client, youth_cbt):
    values = form_values(editor_client.get(edit_url(youth_cbt)).content.decode())
    values["outcomes-0-study_key"] = "not-on-this-page"
    response = editor_client.post(edit_url(youth_cbt), values)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    field = soup.find(attrs={"name": "outcomes-0-study_key"})
    assert "No study of this intervention has the key 'not-on-this-page'." in field.find_parent(
        attrs={"data-field-wrapper": True}
    ).get_text(" ", strip=True)


def test_vocabularies_are_managed_in_the_admin(editor_client):
    response = editor_client.get("/admin/snippets/interventions/outcomedomain/")
    assert response.status_code == 200
    assert "Homicide" in response.content.decode()


def test_a_term_is_labelled_in_each_language_of_the_settings(editor_client):
    add = "/admin/snippets/interventions/outcomedomain/add/"
    fields = BeautifulSoup(editor_client.get(add).content, "html.parser").select("input[name^=label_]")
    assert [field["name"] for field in fields] == ["label_en", "label_es", "label_pt", "label_fr"]
    labels = {"label_en": "Cattle theft", "label_es": "Abigeato", "label_pt": "", "label_fr": " Vol de bétail "}
    response = editor_client.post(add, {"slug": "cattle-theft", **labels})
    assert response.status_code == 302, response.content.decode()
    term = OutcomeDomain.objects.get(slug="cattle-theft")
    assert term.labels == {"en": "Cattle theft", "es": "Abigeato", "fr": "Vol de bétail"}
    edit = f"/admin/snippets/interventions/outcomedomain/edit/{term.pk}/"
    form = BeautifulSoup(editor_client.get(edit).content, "html.parser")
    assert form.find("input", {"name": "label_es"})["value"] == "Abigeato"
    response = editor_client.post(add, {"slug": "no-english", "label_es": "Sin inglés"})
    assert response.status_code == 200 and not OutcomeDomain.objects.filter(slug="no-english").exists()
    listing = BeautifulSoup(editor_client.get("/admin/snippets/interventions/outcomedomain/").content, "html.parser")
    assert "Abigeato" in listing.get_text() and "Spanish" in [th.get_text(strip=True) for th in listing.select("th")]


def listed(client, **filters):
    response = client.get(reverse("intervention_listing:index"), filters)
    assert response.status_code == 200
    return response.content.decode()


def test_intervention_listing_filters_by_pillar_rating_country_cost_and_status(editor_client, listed_records):
    youth_cbt = listed_records
    disrupting = Pillar.objects.get(slug="disrupting-illicit-markets")
    html = listed(editor_client, pillar=disrupting.pk)
    assert "Training to identify trafficking victims" in html and YOUTH_CBT not in html
    html = listed(editor_client, evidence_rating="harmful")
    assert "Prison visits to deter young people" in html and YOUTH_CBT not in html
    html = listed(editor_client, country="BR")
    assert "Anonymous crime tip line" in html and YOUTH_CBT not in html
    assert YOUTH_CBT in listed(editor_client, has_cost_data="true")
    assert "Anonymous crime tip line" not in listed(editor_client, has_cost_data="true")
    assert YOUTH_CBT not in listed(editor_client, has_cost_data="false")
    assert "Anonymous crime tip line" in listed(editor_client, has_cost_data="false")

    assert YOUTH_CBT not in listed(editor_client, status="scheduled")
    youth_cbt.go_live_at = timezone.now() + timedelta(days=1)
    youth_cbt.save_revision().publish()
    assert YOUTH_CBT in listed(editor_client, status="scheduled")
    assert YOUTH_CBT in listed(editor_client, status="changed")
    assert YOUTH_CBT not in listed(editor_client, status="draft")


@pytest.mark.usefixtures("listed_records")
def test_intervention_listing_searches_within_its_filters(editor_client):
    # The admin searches titles as they are typed (Wagtail's autocomplete: the start of a word finds it), which on
    # PostgreSQL keeps accents: the word searched for has none.
    html = listed(editor_client, q="anonym")
    assert "Anonymous crime tip line" in html and YOUTH_CBT not in html
    assert "Anonymous crime tip line" in listed(editor_client, q="anonym", country="BR")
    assert "Anonymous crime tip line" not in listed(editor_client, q="anonym", country="US")


def test_admin_strings_of_the_editorial_models_are_in_spanish(editor_client, django_user_model):
    user = django_user_model.objects.get(username="editor")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "es"
    profile.save()
    html = listed(editor_client)
    for spanish in ("Calificación de la evidencia", "Con datos de costo", "Estado", "En revisión", "Programado"):
        assert spanish in html
    chooser = editor_client.get(
        reverse("wagtailadmin_pages:add_subpage", args=[ensure_home_page(Locale.get_default()).pk])
    )
    assert "Página de pilar" in chooser.content.decode() or "página de pilar" in chooser.content.decode()


def test_the_admin_carries_the_platforms_name_and_logo_and_asks_gravatar_for_nothing(editor_client):
    visitor = Client()
    login = visitor.get("/admin/login/").content.decode()
    assert "Sign in to What works in citizen security" in login and "Sign in to Wagtail" not in login
    assert "home/favicon.svg" in login
    dashboard = editor_client.get("/admin/").content.decode()
    assert "home/favicon.svg" in dashboard and "gravatar" not in dashboard.lower()
