"""import_vocabulary: the labels of vocabulary terms in en, es, pt and fr."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from interventions.models import InterventionType, OutcomeDomain

from .conftest import VOCABULARY_FILE

pytestmark = pytest.mark.django_db


def run(tmp_path, data):
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    stdout = io.StringIO()
    call_command("import_vocabulary", str(path), stdout=stdout)
    return stdout.getvalue()


def test_demo_terms_have_labels_in_every_language():
    term = InterventionType.objects.get(slug="hot-spots-policing")
    assert set(term.labels) == {"en", "es", "pt", "fr"} and all(term.labels.values())
    with translation.override("es"):
        assert OutcomeDomain.objects.get(slug="homicide").label == "Homicidios"


def test_creates_and_relabels(tmp_path):
    output = run(
        tmp_path,
        {
            "outcome_domains": {
                "homicide": {"en": "Homicide", "es": "Homicidio", "pt": "Homicídio", "fr": "Homicide"},
                "extortion": {"en": "Extortion", "es": "Extorsión"},
            }
        },
    )
    assert output.strip() == "1 terms created, 1 relabelled."
    assert OutcomeDomain.objects.get(slug="extortion").labels == {"en": "Extortion", "es": "Extorsión"}
    assert OutcomeDomain.objects.get(slug="homicide").labels["es"] == "Homicidio"


def test_importing_the_same_labels_again_changes_nothing(tmp_path):
    data = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    with CaptureQueriesContext(connection) as queries:
        output = run(tmp_path, data)
    assert output.strip() == "0 terms created, 0 relabelled."
    assert not [query for query in queries if query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]


def test_invalid_labels_write_nothing(tmp_path):
    before = list(OutcomeDomain.objects.values_list("slug", "labels"))
    with pytest.raises(CommandError, match="3 error"):
        run(
            tmp_path,
            {
                "outcome_domains": {"extortion": {"en": "Extortion"}, "Bad Slug": {"es": "Sin inglés"}},
                "weapons": {},
            },
        )
    assert list(OutcomeDomain.objects.values_list("slug", "labels")) == before


def test_a_nul_character_or_nan_is_reported_with_its_path_and_nothing_is_written(tmp_path):
    path = tmp_path / "labels.json"
    data = {"outcome_domains": {"homicide": {"en": "Homi\x00cide", "es": float("nan")}}}
    path.write_text(json.dumps(data), encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_vocabulary", str(path), stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue().splitlines() == [
        "outcome_domains.homicide.en: expected text without a NUL character (\\u0000)",
        "outcome_domains.homicide.es: expected a finite number, not NaN",
    ]
    assert OutcomeDomain.objects.get(slug="homicide").labels["en"] == "Homicide"
