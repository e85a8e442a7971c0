"""Adding a language to the site is settings, a locale folder and the data: no code and no migration. Proved in a
process of its own, whose settings add German to the four languages."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FIVE_LANGUAGES = """
from kb_site.settings.test import *  # noqa: F403

LANGUAGES = [*LANGUAGES, ("de", "Deutsch")]  # noqa: F405
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
"""

# What an editor and a visitor do with the new language, run inside the site with five languages.
USE_THE_NEW_LANGUAGE = """
import json
from django.test import Client
from django.utils import translation
from wagtail.models import Locale
from interventions.models import OutcomeDomain, VocabularyTermForm
from interventions.vocabulary_labels import import_labels, label_errors
from search.models import ThesaurusConcept, ThesaurusLabel

Locale.objects.get_or_create(language_code="de")
labels = {"outcome_domains": {"homicide": {"en": "Homicide", "es": "Homicidios", "de": "Tötungsdelikte"}}}
errors = label_errors(labels)
import_labels(labels)
with translation.override("de"):
    label = OutcomeDomain.objects.get(slug="homicide").label
concept = ThesaurusConcept.objects.create(name="homicide")
ThesaurusLabel(concept=concept, language="de", label="Mord").full_clean(exclude=["concept"])
client = Client()
page = client.get("/de/search/?q=Mord")
api = client.get("/api/v1/search/", {"q": "Mord", "lang": "de"})
print(json.dumps({
    "errors": errors,
    "label": label,
    "form_fields": [name for name in VocabularyTermForm.base_fields if name.startswith("label_")],
    "page": page.status_code,
    "page_language": 'lang="de"' in page.content.decode(),
    "switcher": "Deutsch" in page.content.decode(),
    "api": api.status_code,
}))
"""


def manage(*args, env):
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, capture_output=True, text=True, check=True
    ).stdout


def test_a_fifth_language_needs_settings_and_data_only(tmp_path):
    (tmp_path / "five_languages.py").write_text(FIVE_LANGUAGES, encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "five_languages",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'five.sqlite3'}",
    }
    assert "No changes detected" in manage("makemigrations", "--check", "--dry-run", env=env)
    manage("migrate", "-v0", env=env)
    used = json.loads(manage("shell", "-c", USE_THE_NEW_LANGUAGE, env=env).strip().splitlines()[-1])
    assert used == {
        "errors": [],
        "label": "Tötungsdelikte",
        "form_fields": ["label_en", "label_es", "label_pt", "label_fr", "label_de"],
        "page": 200,
        "page_language": True,
        "switcher": True,
        "api": 200,
    }
