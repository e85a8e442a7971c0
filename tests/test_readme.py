"""README.md begins with the two commands; the demo setup they run loads the real records and an admin."""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from interventions.models import InterventionPage

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_begins_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", text, re.S)[:2]
    before_first = text[: text.index("```")]
    assert before_first.count("\n#") == 0 and text.startswith("# ")
    assert commands[0].endswith("manage.py setup_demo && .venv/bin/python manage.py runserver")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    assert all(
        command.startswith("python3 -m venv .venv && .venv/bin/pip install -r requirements.txt") for command in commands
    )


def test_the_images_the_readme_shows_are_in_the_repository():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert images and all((README.parent / image).is_file() for image in images), images


@pytest.mark.django_db
def test_setup_demo_loads_records_and_an_admin_with_the_given_password(monkeypatch, fixture_document):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "chosen-password-123")
    stdout = io.StringIO()
    call_command("setup_demo", stdout=stdout)
    output = stdout.getvalue()
    records = len(fixture_document["interventions"])
    assert f"Demo records: {records} created, 0 updated, 0 unchanged" in output
    assert "Thesaurus: " in output
    assert "password: chosen-password-123" in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("chosen-password-123")
    assert InterventionPage.objects.live().filter(locale__language_code="en").count() == records


@pytest.mark.django_db
def test_setup_demo_creates_pillar_pages_roles_and_a_collection_the_records_fill(client, fixture_document):
    call_command("setup_demo", stdout=io.StringIO())
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Editors",
        "Reviewers",
        "Working group: Protecting vulnerable populations",
    }
    collection = client.get("/es/protecting-vulnerable-populations/effective-and-promising/")
    assert collection.status_code == 200
    soup = BeautifulSoup(collection.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "Intervenciones efectivas y prometedoras"
    expected = {
        record["slug"]
        for record in fixture_document["interventions"]
        if "protecting-vulnerable-populations" in record["pillars"]
        and record["evidence_rating"] in ("effective", "promising")
    }
    listed = {link["href"].rstrip("/").rsplit("/", 1)[-1] for link in soup.select("ul.collection-search > li > a")}
    assert listed == expected


@pytest.mark.django_db
def test_setup_demo_generates_and_prints_a_password(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    stdout = io.StringIO()
    call_command("setup_demo", stdout=stdout)
    password = re.search(r"password: (\S+)", stdout.getvalue()).group(1)
    assert get_user_model().objects.get(username="admin").check_password(password)
