"""The search thesaurus: the shipped file, its import (validate everything, then write everything) and editors'
concepts added in the Wagtail admin, which take effect on the next search."""

import io
import json
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from search.models import SearchDataVersion, ThesaurusConcept, ThesaurusLabel
from search.thesaurus_file import thesaurus_errors

from .conftest import REPO
from .factories import ThesaurusConceptFactory, ThesaurusEntryFactory, thesaurus_document

pytestmark = pytest.mark.django_db

THESAURUS_FILE = REPO / "fixtures" / "thesaurus.json"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def token():
    return SearchDataVersion.objects.values_list("token", flat=True).first()


def run_import(path):
    out = io.StringIO()
    call_command("import_thesaurus", str(path), stdout=out)
    return out.getvalue()


def write(tmp_path, data):
    path = tmp_path / "thesaurus.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped():
    return json.loads(THESAURUS_FILE.read_text(encoding="utf-8"))


def test_shipped_file_is_valid_and_broad(shipped):
    assert thesaurus_errors(shipped) == []
    assert 200 <= len(shipped["concepts"]) <= 300
    for concept in shipped["concepts"]:
        assert set(concept["labels"]) == set(LANGUAGES), concept["name"]


def test_shipped_file_gives_no_label_to_two_concepts_of_a_language(shipped):
    concepts_of = defaultdict(set)
    for concept in shipped["concepts"]:
        for language, labels in concept["labels"].items():
            for label in labels:
                concepts_of[language, label.casefold()].add(concept["name"])
    assert {key: names for key, names in concepts_of.items() if len(names) > 1} == {}


def test_shipped_file_includes_the_project_vocabularies(shipped):
    vocabulary = json.loads((REPO / "fixtures" / "vocabulary.json").read_text(encoding="utf-8"))
    concepts = {concept["name"]: concept for concept in shipped["concepts"]}
    for terms in vocabulary.values():
        for slug, labels in terms.items():
            assert concepts[slug]["source"] == "project-vocabulary"
            assert {language: concepts[slug]["labels"][language][0] for language in labels} == labels


def test_shipped_file_imports_cleanly(shipped):
    before = token()
    assert f"{len(shipped['concepts'])} concepts created, 0 updated, 0 unchanged" in run_import(THESAURUS_FILE)
    assert token() != before
    source_titles = {source["title"] for source in shipped["sources"]}
    concepts = ThesaurusConcept.objects.prefetch_related("labels")
    assert concepts.count() == len(shipped["concepts"])
    for concept in concepts:
        labels = list(concept.labels.all())
        assert labels, concept.name
        assert concept.source in source_titles
        assert {label.language for label in labels} <= set(LANGUAGES)
        for language in LANGUAGES:
            preferred = [label.label for label in labels if label.language == language and label.preferred]
            assert len(preferred) == 1, (concept.name, language)
    firearm = ThesaurusConcept.objects.get(name="firearm")
    english = firearm.labels.filter(language="en").order_by("sort_order").values_list("label", flat=True)
    assert list(english)[:3] == ["firearm", "firearms", "gun"]


def test_a_bad_file_reports_every_error_with_its_path_and_writes_nothing(tmp_path):
    data = thesaurus_document(
        ThesaurusEntryFactory(name="firearm"),
        ThesaurusEntryFactory(name="firearm"),
        ThesaurusEntryFactory(labels={"en": ["gun"], "xx": ["pistolo"]}),
        ThesaurusEntryFactory(labels={"es": ["arma", "  "], "pt": []}),
        ThesaurusEntryFactory(source="eurovoc"),
    )
    before = token()
    err = io.StringIO()
    with pytest.raises(CommandError, match="5 error"):
        call_command("import_thesaurus", str(write(tmp_path, data)), stdout=io.StringIO(), stderr=err)
    errors = err.getvalue()
    assert "concepts[1].name: duplicate concept 'firearm'" in errors
    assert "concepts[2].labels.xx: unknown language 'xx'" in errors
    assert "concepts[3].labels.es[1]: expected a non-empty text" in errors
    assert "concepts[3].labels.pt: expected a non-empty list" in errors
    assert "concepts[4].source: unknown source 'eurovoc'" in errors
    assert not ThesaurusConcept.objects.exists()
    assert token() == before


def test_a_nul_character_is_reported_with_its_path_and_nothing_is_written(tmp_path):
    data = thesaurus_document(ThesaurusEntryFactory(name="firearm", labels={"en": ["firearm", "gun\x00"]}))
    before = token()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_thesaurus", str(write(tmp_path, data)), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == ["concepts[0].labels.en[1]: expected text without a NUL character (\\u0000)"]
    assert not ThesaurusConcept.objects.exists()
    assert token() == before


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "thesaurus.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(path)


def test_importing_the_same_file_again_changes_nothing():
    run_import(THESAURUS_FILE)
    before = token()
    output = run_import(THESAURUS_FILE)
    assert "0 concepts created, 0 updated" in output
    assert "nothing changed" in output
    assert token() == before


def test_a_changed_file_replaces_the_labels_of_its_concepts(tmp_path):
    entry = ThesaurusEntryFactory(name="robbery", labels={"en": ["robbery", "mugging"]})
    run_import(write(tmp_path, thesaurus_document(entry)))
    entry["labels"] = {"en": ["robbery", "holdup"], "fr": ["vol avec violence"]}
    before = token()
    assert "0 concepts created, 1 updated, 0 unchanged" in run_import(write(tmp_path, thesaurus_document(entry)))
    labels = ThesaurusConcept.objects.get(name="robbery").labels.order_by("sort_order")
    assert [(label.language, label.label, label.preferred) for label in labels] == [
        ("en", "robbery", True),
        ("en", "holdup", False),
        ("fr", "vol avec violence", True),
    ]
    assert token() != before


def test_an_editors_concept_survives_reimport(tmp_path):
    concept = ThesaurusConceptFactory(name="sextortion", labels={"en": ["sextortion"], "es": ["sextorsión"]})
    run_import(write(tmp_path, thesaurus_document(ThesaurusEntryFactory())))
    run_import(write(tmp_path, thesaurus_document(ThesaurusEntryFactory())))
    labels = ThesaurusLabel.objects.filter(concept=concept).values_list("label", flat=True)
    assert set(labels) == {"sextortion", "sextorsión"}


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-password")
    client.force_login(user)
    return client


def label_forms(*labels):
    data = {
        "labels-TOTAL_FORMS": str(len(labels)),
        "labels-INITIAL_FORMS": "0",
        "labels-MIN_NUM_FORMS": "0",
        "labels-MAX_NUM_FORMS": "1000",
    }
    for index, (language, label, preferred) in enumerate(labels):
        data |= {
            f"labels-{index}-language": language,
            f"labels-{index}-label": label,
            f"labels-{index}-ORDER": str(index + 1),
            f"labels-{index}-id": "",
            f"labels-{index}-DELETE": "",
        }
        if preferred:
            data[f"labels-{index}-preferred"] = "on"
    return data


def test_an_editor_adds_a_concept_in_the_admin_and_the_search_data_changes(admin_client):
    before = token()
    response = admin_client.post(
        reverse("wagtailsnippets_search_thesaurusconcept:add"),
        {
            "name": "loan-sharking",
            "source": "Editors",
            **label_forms(("en", "loan sharking", True), ("en", "payday lenders", False), ("es", "gota a gota", True)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concept = ThesaurusConcept.objects.get(name="loan-sharking")
    assert [(label.language, label.label, label.preferred) for label in concept.labels.order_by("sort_order")] == [
        ("en", "loan sharking", True),
        ("en", "payday lenders", False),
        ("es", "gota a gota", True),
    ]
    assert token() != before

    listing = admin_client.get(reverse("wagtailsnippets_search_thesaurusconcept:list"), {"q": "loan"})
    assert listing.status_code == 200
    assert "gota a gota" in listing.content.decode()


def test_editing_or_deleting_a_label_changes_the_search_data():
    concept = ThesaurusConceptFactory()
    before = token()
    label = ThesaurusLabel.objects.filter(concept=concept).first()
    label.label = "another term"
    label.save()
    after_edit = token()
    assert after_edit != before
    label.delete()
    assert token() != after_edit
