"""What an operator reads: the health checks and the request log."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder

from operations.log_format import JsonFormatter

from .factories import UserFactory

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def request_log_lines(caplog):
    """The request log's records as the production formatter writes them, parsed back."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record)) for record in caplog.records if record.name == "operations.request_log"
    ]


def test_healthz_answers_without_being_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "ready",
        "failing": [],
        "checks": {
            "database": {"ok": True},
            "migrations": {"ok": True},
            "search": {"ok": True, "configured": "database", "answering": "database"},
        },
    }


def test_readyz_is_unavailable_while_a_migration_is_not_applied(client, monkeypatch):
    # As after a deploy whose new migration has not been run yet: the database has not recorded home's last one.
    recorded = MigrationRecorder.applied_migrations
    latest_home_migration = max(key for key in recorded(MigrationRecorder(connections["default"])) if key[0] == "home")

    def applied_without_the_latest(recorder):
        return {key: value for key, value in recorded(recorder).items() if key != latest_home_migration}

    monkeypatch.setattr(MigrationRecorder, "applied_migrations", applied_without_the_latest)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert (body["status"], body["failing"]) == ("unavailable", ["migrations"])
    assert body["checks"]["migrations"] == {"ok": False, "error": "1 migrations are not applied"}
    assert body["checks"]["database"] == {"ok": True}


def test_readyz_is_unavailable_when_the_database_does_not_answer(client, monkeypatch, caplog):
    def refuse():
        raise OperationalError('connection to server at "10.9.8.7", port 5432 failed: password for user "kb" refused')

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"]["database"] == {"ok": False, "error": "the database did not answer (see the server log)"}
    assert body["checks"]["search"]["ok"] is True
    # The database's own words (hosts, users) go to the server log, never to the public answer.
    assert "10.9.8.7" not in response.content.decode()
    assert any("10.9.8.7" in record.exc_text for record in caplog.records if record.name == "operations.health")


def test_health_checks_refuse_writes(client):
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405


def test_each_request_logs_one_line_with_the_search_backend_and_no_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="operations.request_log")
    response = client.get("/search/?q=gang+violence&country=CO")
    assert response.status_code == 200
    [line] = request_log_lines(caplog)
    assert line["logger"] == "operations.request_log"
    assert (line["method"], line["path"], line["status"], line["search_backend"]) == (
        "GET",
        "/search/",
        200,
        "database",
    )
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "violence" not in json.dumps(line) and "CO" not in json.dumps(line)


def test_the_search_backend_is_forgotten_by_the_next_request(client, caplog):
    caplog.set_level(logging.INFO, logger="operations.request_log")
    client.get("/api/v1/search/?q=gang")
    client.get("/healthz")
    assert [line["search_backend"] for line in request_log_lines(caplog)] == ["database", None]


def test_the_request_log_holds_nothing_about_the_person(client, caplog):
    caplog.set_level(logging.INFO, logger="operations.request_log")
    user = UserFactory(username="maria.perez", email="maria.perez@example.org", is_superuser=True, is_staff=True)
    client.force_login(user)
    client.cookies["tracking"] = "cookie-value-4711"
    response = client.get(
        "/admin/?next=/private/",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
        HTTP_USER_AGENT="Agent/9.9 maria-laptop",
        HTTP_REFERER="https://example.org/?email=maria.perez@example.org",
    )
    assert response.status_code == 200
    [line] = request_log_lines(caplog)
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "status",
        "duration_ms",
        "search_backend",
    }
    written = json.dumps(line)
    for personal in ("maria", "203.0.113.7", "198.51.100.23", "4711", "Agent", "sessionid", "next=", "private"):
        assert personal not in written


def test_a_server_error_is_logged_with_its_status_and_traceback(client, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="operations.request_log")

    def fail():
        raise RuntimeError("the readiness checks broke")

    monkeypatch.setattr("operations.views.readiness", fail)
    client.raise_request_exception = False
    assert client.get("/readyz").status_code == 500
    assert [(line["path"], line["status"]) for line in request_log_lines(caplog)] == [("/readyz", 500)]
    [error] = [record for record in caplog.records if record.name == "django.request"]
    logged = json.loads(JsonFormatter().format(error))
    assert (logged["level"], logged["message"]) == ("ERROR", "Internal Server Error: /readyz")
    assert "RuntimeError: the readiness checks broke" in logged["traceback"]


def test_production_logging_writes_requests_to_stdout_and_errors_to_stderr_as_json_lines():
    code = (
        "import django, logging\n"
        "django.setup()\n"
        "logging.getLogger('operations.request_log').info('GET / 200', extra={'fields': {'status': 200}})\n"
        "logging.getLogger('django.request').warning('Not Found: /missing')\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: /broken')\n"
    )
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "ELASTICSEARCH_URL")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "kb_site.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "kb.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120, check=True
    )
    [request] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (request["message"], request["status"]) == ("GET / 200", 200)
    # The 404 warning repeats the request line, so it is left out; the error comes with its traceback, on one line.
    [error] = [json.loads(line) for line in result.stderr.splitlines()]
    assert (error["level"], error["message"]) == ("ERROR", "Internal Server Error: /broken")
    assert error["traceback"].startswith("Traceback") and "ZeroDivisionError" in error["traceback"]


def test_probes_are_answered_over_plain_http_where_other_pages_are_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/search/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
