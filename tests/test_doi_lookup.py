"""The DOI lookup: Crossref's answers (recorded in tests/data/crossref/, see its README) fill a study's structured
citation when the intervention editor is saved, never over what the editor typed; without Crossref the editor is told
to type the fields and loses nothing."""

import io
import json
import socket
import urllib.error
import urllib.parse
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.http import QueryDict
from django.urls import reverse
from wagtail.users.models import UserProfile

from interventions import crossref
from interventions.doi_lookup import fill_studies, messages_for
from interventions.models import InterventionIndexPage, InterventionPage, Pillar

from .admin_forms import edit_url, form_values
from .factories import OutcomeFactory, RecordFactory, StudyFactory

RECORDED = Path(__file__).resolve().parent / "data" / "crossref"
RESPONSES = {
    "10.1093/qje/qjw033": "heller-2017.json",
    "10.1126/science.1257809": "heller-2014.json",
    "10.1126/science.aac4716": "open-science-collaboration-2015.json",
}
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "interventions.json"


def recorded_message(name):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))["message"]


class Crossref:
    """Answers as Crossref does from the recorded responses (a 404 for any other DOI), and keeps what it was asked."""

    def __init__(self):
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append((request, timeout))
        doi = urllib.parse.unquote(urllib.parse.urlsplit(request.full_url).path.removeprefix("/works/"))
        if doi not in RESPONSES:
            body = io.BytesIO((RECORDED / "not-found.txt").read_bytes())
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, body)
        return io.BytesIO((RECORDED / RESPONSES[doi]).read_bytes())


@pytest.fixture
def recorded_crossref(monkeypatch):
    answer = Crossref()
    monkeypatch.setattr(crossref, "urlopen", answer)
    return answer


@pytest.fixture
def offline(monkeypatch):
    attempts = []

    def unreachable(request, timeout):
        attempts.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(crossref, "urlopen", unreachable)
    return attempts


def structured_citation(study):
    """The fields the lookup fills, as they stand in an interchange record."""
    names = ["authors", "title", "publication_type", "venue", "volume", "issue", "pages", "year"]
    return {name: study[name] for name in names if study.get(name)}


def fixture_study(key):
    document = json.loads(FIXTURES.read_text(encoding="utf-8"))
    return next(study for record in document["interventions"] for study in record["studies"] if study["key"] == key)


# The client and the mapping.


def test_a_lookup_names_the_project_gives_the_mailto_and_waits_briefly(recorded_crossref, settings):
    settings.CROSSREF_MAILTO = "editors@example.org"
    settings.CROSSREF_TIMEOUT_SECONDS = 4
    message = crossref.fetch_work("10.1093/qje/qjw033")
    assert message["DOI"] == "10.1093/qje/qjw033"
    [(request, timeout)] = recorded_crossref.requests
    assert request.full_url == "https://api.crossref.org/works/10.1093/qje/qjw033?mailto=editors%40example.org"
    assert "WhatWorksCitizenSecurity" in request.get_header("User-agent")
    assert "mailto:editors@example.org" in request.get_header("User-agent")
    assert timeout == 4


def test_without_a_mailto_the_url_has_no_query(recorded_crossref, settings):
    settings.CROSSREF_MAILTO = ""
    crossref.fetch_work("10.1126/science.1257809")
    [(request, _timeout)] = recorded_crossref.requests
    assert request.full_url == "https://api.crossref.org/works/10.1126/science.1257809"


@pytest.mark.parametrize("key, response", [("heller-2017", "heller-2017.json"), ("heller-2014", "heller-2014.json")])
def test_a_journal_article_gives_the_structured_citation_the_editors_typed(key, response):
    # The knowledge base's own records of these studies were typed by editors from the articles.
    assert crossref.citation_fields(recorded_message(response)) == structured_citation(fixture_study(key))


def test_the_year_is_the_printed_issue_s_not_the_online_first():
    message = recorded_message("heller-2017.json") | {"issued": {"date-parts": [[2016, 8, 19]]}}
    assert crossref.citation_fields(message)["year"] == 2017
    del message["published-print"]
    assert crossref.citation_fields(message)["year"] == 2016


def test_an_organisation_author_is_its_name():
    fields = crossref.citation_fields(recorded_message("open-science-collaboration-2015.json"))
    assert fields["authors"] == ["Open Science Collaboration"]
    assert (fields["venue"], fields["volume"], fields["issue"], fields["pages"], fields["year"]) == (
        "Science",
        "349",
        "6251",
        "aac4716",
        2015,
    )


def test_markup_suffixes_subtitles_and_publishers_are_read():
    # Constructed, not a real work: 10.5555 is Crossref's prefix for examples.
    message = {
        "DOI": "10.5555/example",
        "type": "report",
        "title": ["Cash transfers and <i>crime</i> &amp; violence"],
        "subtitle": ["A review"],
        "author": [
            {"given": "Charles R.", "family": "Henderson", "suffix": "Jr.", "sequence": "first"},
            {"family": "Nobody", "sequence": "additional"},
            "not an author",
        ],
        "publisher": "Inter-American Development Bank",
        "container-title": [],
        "issued": {"date-parts": [[None]]},
    }
    assert crossref.citation_fields(message) == {
        "authors": ["Henderson, Charles R., Jr.", "Nobody"],
        "title": "Cash transfers and crime & violence: A review",
        "publication_type": "report",
        "venue": "Inter-American Development Bank",
    }
    assert crossref.citation_fields({"type": "something-new", "author": {"given": "x"}}) == {}


def test_a_doi_crossref_does_not_know_is_not_found(recorded_crossref):
    with pytest.raises(crossref.LookupFailed) as failure:
        crossref.fetch_work("10.5555/no-such-work")
    assert failure.value.reason == crossref.LookupFailed.NOT_FOUND


def test_without_the_network_the_lookup_says_there_was_no_answer(offline):
    with pytest.raises(crossref.LookupFailed) as failure:
        crossref.fetch_work("10.1093/qje/qjw033")
    assert failure.value.reason == crossref.LookupFailed.NO_ANSWER and len(offline) == 1


@pytest.mark.parametrize("error", [TimeoutError("timed out"), ConnectionRefusedError(111, "refused")])
def test_a_timeout_or_a_refused_connection_is_no_answer(monkeypatch, error):
    def fail(request, timeout):
        raise error

    monkeypatch.setattr(crossref, "urlopen", fail)
    with pytest.raises(crossref.LookupFailed) as failure:
        crossref.fetch_work("10.1093/qje/qjw033")
    assert failure.value.reason == crossref.LookupFailed.NO_ANSWER


def test_a_server_error_is_no_answer(monkeypatch):
    def fail(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 503, "Service Unavailable", {}, io.BytesIO(b""))

    monkeypatch.setattr(crossref, "urlopen", fail)
    with pytest.raises(crossref.LookupFailed) as failure:
        crossref.fetch_work("10.1093/qje/qjw033")
    assert failure.value.reason == crossref.LookupFailed.NO_ANSWER


@pytest.mark.parametrize(
    "body", [b"<html>Bad gateway</html>", b'{"status": "ok", "message-type": "work-list", "message": {}}', b"\xff"]
)
def test_an_answer_that_is_not_a_work_is_unreadable(monkeypatch, body):
    monkeypatch.setattr(crossref, "urlopen", lambda request, timeout: io.BytesIO(body))
    with pytest.raises(crossref.LookupFailed) as failure:
        crossref.fetch_work("10.1093/qje/qjw033")
    assert failure.value.reason == crossref.LookupFailed.UNREADABLE


@pytest.mark.parametrize(
    "typed, doi",
    [
        ("10.1093/qje/qjw033", "10.1093/qje/qjw033"),
        (" https://doi.org/10.1093/qje/qjw033 ", "10.1093/qje/qjw033"),
        ("http://dx.doi.org/10.1126/science.1257809", "10.1126/science.1257809"),
        ("doi: 10.1126/science.1257809", "10.1126/science.1257809"),
        ("qjw033", ""),
        ("", ""),
    ],
)
def test_a_pasted_doi_link_is_the_doi(typed, doi):
    assert crossref.normalise_doi(typed) == doi


# Filling the submitted form.


def study_data(**studies):
    """Editor form data for studies given as prefix index -> fields."""
    data = QueryDict(mutable=True)
    data["studies-TOTAL_FORMS"] = str(len(studies))
    for index, fields in enumerate(studies.values()):
        for name, value in fields.items():
            data[f"studies-{index}-{name}"] = value
    return data


def test_only_empty_fields_are_filled_and_deleted_studies_are_skipped(recorded_crossref):
    data = study_data(
        typed={"doi": "10.1093/qje/qjw033", "title": "My own title", "volume": "", "authors": "  "},
        deleted={"doi": "10.1126/science.1257809", "DELETE": "on"},
        complete={"doi": "10.1126/science.aac4716", "authors": "A", "title": "T", "publication_type": "report"}
        | {"venue": "V", "year": "2015"},
    )
    filled, lookups = fill_studies(data)
    assert filled["studies-0-title"] == "My own title"
    assert filled["studies-0-authors"].splitlines()[0] == "Heller, Sara B."
    assert (filled["studies-0-volume"], filled["studies-0-pages"], filled["studies-0-year"]) == ("132", "1–54", "2017")
    assert [lookup.doi for lookup in lookups] == ["10.1093/qje/qjw033"]
    assert "title" not in lookups[0].filled and "authors" in lookups[0].filled
    assert "studies-1-authors" not in filled and "studies-2-issue" not in filled  # neither asked about
    assert len(recorded_crossref.requests) == 1
    assert data["studies-0-authors"] == "  "  # the submitted data itself is left as it was


def test_once_crossref_does_not_answer_it_is_not_asked_again_in_the_same_save(offline):
    data = study_data(a={"doi": "10.1093/qje/qjw033"}, b={"doi": "10.1126/science.1257809"})
    filled, lookups = fill_studies(data)
    assert len(offline) == 1
    assert [lookup.failure for lookup in lookups] == [crossref.LookupFailed.NO_ANSWER] * 2
    assert filled.dict() == data.dict()
    [(level, message)] = messages_for(lookups)[:1]
    assert level == "warning" and "could not be reached" in message and "10.1093/qje/qjw033" in message


def test_messages_say_what_was_filled_and_what_was_not_found(recorded_crossref):
    data = study_data(a={"doi": "10.1126/science.1257809", "title": "Typed"}, b={"doi": "10.5555/none"})
    _filled, lookups = fill_studies(data)
    (ok_level, ok), (missing_level, missing) = messages_for(lookups)
    assert ok_level == "success"
    assert ok == (
        "Filled from Crossref for DOI 10.1126/science.1257809: Authors, Publication type, Journal or publisher, "
        "Volume, Issue, Pages, Year. Check them against the publication."
    )
    assert missing_level == "warning" and "Crossref has no record of DOI 10.5555/none" in missing


# In the admin.


@pytest.fixture
def studied_intervention(import_records):
    """An intervention whose study of DOI 10.1093/qje/qjw033 (the one recorded in heller-2017.json) has its
    structured citation typed in, with a study without a DOI beside it."""
    (page,) = import_records(
        RecordFactory(
            slug="school-group-therapy",
            title="Group therapy at school",
            summary="Weekly group sessions at school for boys in high-violence neighbourhoods.",
            studies=[
                StudyFactory(key="cost-study", design="cost-benefit-analysis"),
                StudyFactory(
                    key="heller-2017",
                    design="rct",
                    year=2017,
                    doi="10.1093/qje/qjw033",
                    citation=(
                        "Heller, S. B., Shah, A. K., Guryan, J., Ludwig, J., Mullainathan, S., & Pollack, H. A. "
                        "(2017). Thinking, fast and slow? Some field experiments to reduce crime and dropout in "
                        "Chicago. The Quarterly Journal of Economics, 132(1), 1–54."
                    ),
                    authors=[
                        "Heller, Sara B.",
                        "Shah, Anuj K.",
                        "Guryan, Jonathan",
                        "Ludwig, Jens",
                        "Mullainathan, Sendhil",
                        "Pollack, Harold A.",
                    ],
                    title="Thinking, Fast and Slow? Some Field Experiments to Reduce Crime and Dropout in Chicago",
                    publication_type="journal-article",
                    venue="The Quarterly Journal of Economics",
                    volume="132",
                    issue="1",
                    pages="1–54",
                ),
            ],
            outcomes=[OutcomeFactory(study="heller-2017")],
            translations={"es": {"title": "Terapia de grupo en la escuela"}},
        )
    )
    return page


def with_lookup_studies(values):
    """The editor empties the structured citation of Heller 2017 but for a title of their own, and adds Heller 2014
    by its doi.org link only."""
    index = next(key for key, value in values.items() if value == "heller-2017").split("-")[1]
    for name in ["authors", "publication_type", "venue", "volume", "issue", "pages", "year"]:
        values[f"studies-{index}-{name}"] = ""
    values[f"studies-{index}-title"] = "Thinking, fast and slow? (typed by the editor)"
    new = int(values["studies-TOTAL_FORMS"])
    values["studies-TOTAL_FORMS"] = str(new + 1)
    values.update(
        {
            f"studies-{new}-key": "heller-2014",
            f"studies-{new}-design": "rct",
            f"studies-{new}-citation": "Heller (2014), Science.",
            f"studies-{new}-doi": "https://doi.org/10.1126/science.1257809",
            f"studies-{new}-ORDER": str(new + 1),
        }
    )
    return values


def test_saving_an_intervention_fills_its_studies_from_crossref(editor_client, studied_intervention, recorded_crossref):
    values = with_lookup_studies(form_values(editor_client.get(edit_url(studied_intervention)).content.decode()))
    response = editor_client.post(edit_url(studied_intervention), values | {"action-publish": "action-publish"})
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(message.startswith("Filled from Crossref for DOI 10.1093/qje/qjw033: Authors,") for message in shown)
    assert any(
        message.startswith("Filled from Crossref for DOI 10.1126/science.1257809: Authors, Title,") for message in shown
    )
    studies = {study.key: study for study in InterventionPage.objects.get(pk=studied_intervention.pk).studies.all()}
    heller_2017 = studies["heller-2017"]
    assert heller_2017.title == "Thinking, fast and slow? (typed by the editor)"
    assert heller_2017.authors[0] == "Heller, Sara B." and len(heller_2017.authors) == 6
    assert (heller_2017.venue, heller_2017.volume, heller_2017.issue, heller_2017.pages, heller_2017.year) == (
        "The Quarterly Journal of Economics",
        "132",
        "1",
        "1–54",
        2017,
    )
    heller_2014 = studies["heller-2014"]
    assert heller_2014.doi == "10.1126/science.1257809"
    assert heller_2014.title == "Summer jobs reduce violence among disadvantaged youth"
    assert (heller_2014.publication_type, heller_2014.venue, heller_2014.year) == ("journal-article", "Science", 2014)
    assert heller_2014.citation == "Heller (2014), Science."


def test_offline_the_save_keeps_what_was_typed_and_says_to_type_the_fields(
    editor_client, studied_intervention, offline
):
    values = with_lookup_studies(form_values(editor_client.get(edit_url(studied_intervention)).content.decode()))
    response = editor_client.post(
        edit_url(studied_intervention), values, follow=True
    )  # "Save draft": back to the editor
    assert response.status_code == 200
    html = response.content.decode()
    assert "Crossref could not be reached to look up DOI 10.1093/qje/qjw033" in html
    assert "everything you entered has been kept" in html
    assert len(offline) == 1
    draft_values = form_values(html)
    titles = [value for key, value in draft_values.items() if key.endswith("-title")]
    assert "Thinking, fast and slow? (typed by the editor)" in titles
    assert "10.1126/science.1257809" in draft_values.values()
    draft = InterventionPage.objects.get(pk=studied_intervention.pk).get_latest_revision_as_object()
    heller_2014 = next(study for study in draft.studies.all() if study.key == "heller-2014")
    assert (heller_2014.citation, heller_2014.authors, heller_2014.title) == ("Heller (2014), Science.", [], "")


def test_the_offline_message_is_translated(editor_client, studied_intervention, offline, django_user_model):
    profile = UserProfile.get_for_user(django_user_model.objects.get(username="editor"))
    profile.preferred_language = "es"
    profile.save()
    values = with_lookup_studies(form_values(editor_client.get(edit_url(studied_intervention)).content.decode()))
    response = editor_client.post(edit_url(studied_intervention), values, follow=True)
    assert "No se pudo consultar Crossref para el DOI 10.1093/qje/qjw033" in response.content.decode()


def test_an_autosave_does_not_ask_crossref(editor_client, studied_intervention, offline):
    values = with_lookup_studies(form_values(editor_client.get(edit_url(studied_intervention)).content.decode()))
    response = editor_client.post(edit_url(studied_intervention), values, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["success"], response.content
    assert offline == []
    draft = InterventionPage.objects.get(pk=studied_intervention.pk).get_latest_revision_as_object()
    heller_2014 = next(study for study in draft.studies.all() if study.key == "heller-2014")
    assert (heller_2014.doi, heller_2014.title) == ("10.1126/science.1257809", "")  # the link read, nothing asked


def test_a_new_intervention_s_studies_are_filled_too(editor_client, recorded_crossref):
    index = InterventionIndexPage.objects.get(locale__language_code="en")
    add = reverse("wagtailadmin_pages:add", args=["interventions", "interventionpage", index.pk])
    values = form_values(editor_client.get(add).content.decode())
    values.update(
        {
            "title": "A new intervention",
            "slug": "a-new-intervention",
            "summary": "Summer jobs for young people.",
            "pillars": [str(Pillar.objects.get(slug="protecting-vulnerable-populations").pk)],
            "evidence_rating": "promising",
            "studies-TOTAL_FORMS": "1",
            "studies-0-key": "heller-2014",
            "studies-0-design": "rct",
            "studies-0-citation": "Heller (2014), Science.",
            "studies-0-doi": "10.1126/science.1257809",
            "studies-0-ORDER": "1",
            "action-publish": "action-publish",
        }
    )
    response = editor_client.post(add, values)
    assert response.status_code == 302, response.content.decode()[:3000]
    study = InterventionPage.objects.get(slug="a-new-intervention").studies.get()
    assert (study.authors, study.venue, study.pages) == (["Heller, Sara B."], "Science", "1219–1223")
    assert any(str(message).startswith("Filled from Crossref") for message in get_messages(response.wsgi_request))
