"""Configuration comes from the environment; production settings pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_SCHEMA = REPO.parent / "shared" / "schema" / "interventions-v1.schema.json"


def run_python(code, **environment):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "ELASTICSEARCH_URL")}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def settings_value(expression, module="kb_site.settings.dev", **environment):
    code = (
        "import django, json, os\n"
        f"os.environ['DJANGO_SETTINGS_MODULE'] = {module!r}\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({expression}, default=str))"
    )
    return json.loads(run_python(code, **environment))


def test_database_defaults_to_sqlite_in_the_repo():
    database = settings_value("settings.DATABASES['default']")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == REPO / "db.sqlite3"


def test_database_url_selects_postgresql():
    database = settings_value(
        "settings.DATABASES['default']", DATABASE_URL="postgres://postgres@127.0.0.1:5432/somewhere"
    )
    assert (database["ENGINE"], database["NAME"], database["HOST"]) == (
        "django.db.backends.postgresql",
        "somewhere",
        "127.0.0.1",
    )


def test_search_backend_is_the_database_unless_elasticsearch_url_is_set():
    assert settings_value("settings.WAGTAILSEARCH_BACKENDS['default']['BACKEND']") == (
        "wagtail.search.backends.database"
    )
    backend = settings_value("settings.WAGTAILSEARCH_BACKENDS['default']", ELASTICSEARCH_URL="http://127.0.0.1:9200")
    assert backend["BACKEND"] == "search.elasticsearch.Elasticsearch9SearchBackend"
    assert backend["URLS"] == ["http://127.0.0.1:9200"]


PRODUCTION = {"SECRET_KEY": "a-long-random-production-secret-" + "x" * 40, "ALLOWED_HOSTS": "kb.example.org"}


def test_django_admin_is_left_out_of_production_unless_turned_on():
    mounted = "django.urls.resolve('/django-admin/').namespace == 'admin'"
    assert settings_value(mounted) is True
    assert settings_value(mounted, module="kb_site.settings.production", **PRODUCTION) is False
    assert settings_value(mounted, module="kb_site.settings.production", DJANGO_ADMIN_ENABLED="true", **PRODUCTION)


def test_login_throttling_is_configured_from_the_environment():
    throttling = "[settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), settings.CLIENT_IP_HEADER]"
    assert settings_value(throttling) == [5, 15 * 60, ""]
    assert settings_value(
        throttling, LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="60", CLIENT_IP_HEADER="X-Real-IP"
    ) == [3, 60 * 60, "X-Real-IP"]


def test_email_goes_to_the_console_unless_production_names_an_smtp_server():
    backend = "settings.EMAIL_BACKEND"
    assert settings_value(backend) == "django.core.mail.backends.console.EmailBackend"
    assert settings_value(backend, module="kb_site.settings.production", **PRODUCTION) == (
        "django.core.mail.backends.console.EmailBackend"
    )
    smtp = "[getattr(settings, name) for name in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS')]"
    assert settings_value(
        smtp,
        module="kb_site.settings.production",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="465",
        EMAIL_USE_TLS="false",
        **PRODUCTION,
    ) == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 465, False]


def test_production_settings_pass_the_deployment_checks():
    environment = {
        "DJANGO_SETTINGS_MODULE": "kb_site.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "kb.example.org",
    }
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | environment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env["DJANGO_SETTINGS_MODULE"] = "kb_site.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


PRODUCTION = {"SECRET_KEY": "a-long-random-production-secret-" + "x" * 40, "ALLOWED_HOSTS": "kb.example.org"}
HSTS = "[settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD]"


def test_hsts_subdomains_and_preload_are_on_unless_turned_off():
    production = "kb_site.settings.production"
    assert settings_value(HSTS, production, **PRODUCTION) == [31_536_000, True, True]
    assert settings_value(
        HSTS, production, SECURE_HSTS_INCLUDE_SUBDOMAINS="False", SECURE_HSTS_PRELOAD="false", **PRODUCTION
    ) == [31_536_000, False, False]
    assert settings_value(HSTS, production, SECURE_HSTS_PRELOAD="false", **PRODUCTION) == [31_536_000, True, False]


@pytest.mark.parametrize("name", ["SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"])
def test_a_production_flag_that_is_neither_true_nor_false_is_refused(name):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= PRODUCTION | {"DJANGO_SETTINGS_MODULE": "kb_site.settings.production", name: "no"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert f"Set the {name} environment variable to true or false, not 'no'." in result.stderr


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="../shared is not beside this checkout")
def test_schema_copy_matches_the_shared_contract():
    copy = REPO / "interventions" / "schema" / "interventions-v1.schema.json"
    assert json.loads(copy.read_text(encoding="utf-8")) == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


def test_django_admin_enabled_that_is_neither_true_nor_false_is_refused_in_development_too():
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "kb_site.settings.dev", "DJANGO_ADMIN_ENABLED": "no"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Set the DJANGO_ADMIN_ENABLED environment variable to true or false, not 'no'." in result.stderr
