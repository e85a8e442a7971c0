"""`manage.py serve_production` serves a fresh clone with the production settings, gunicorn and WhiteNoise.

The server keeps its own SQLite database in a temporary file, on SQLite and PostgreSQL runs alike: the suite's
DATABASE_URL names a database that the suite's own tests use, which a server migrating and writing sessions into
it from another process must not touch. What it proves (static files, the app server, the settings) does not depend
on the database engine.
"""

import gzip
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import brotli
import pytest

from operations.management.commands.serve_production import local_secret_key, loopback_environment

REPO = Path(__file__).resolve().parent.parent
# Migrating a fresh database and compressing every static file take about a minute on a busy 2-core machine.
STARTUP_SECONDS = 300


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, **headers):
    """(status, headers, body) without following redirects or decoding the body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("production")
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "STATIC_ROOT": str(directory / "static"),
        # Given, so that the test leaves no .secret_key in the checkout.
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    stdout = (directory / "stdout.log").open("w")
    stderr = (directory / "stderr.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_production", "--port", str(port), "--workers", "1"],
        cwd=REPO,
        env=environment,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve_production stopped:\n{(directory / 'stderr.log').read_text()}")
            try:
                if fetch(f"{base_url}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve_production did not answer in {STARTUP_SECONDS} s")
            time.sleep(0.5)
        yield {
            "url": base_url,
            "stdout": directory / "stdout.log",
            "static": directory / "static",
            "database": directory / "db.sqlite3",
            "master": process.pid,
        }
    finally:
        # The command became gunicorn; its workers are in the same session, so the whole group is stopped.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stdout.close()
        stderr.close()


@pytest.fixture(scope="module")
def admin_css_url(server):
    status, _, body = fetch(f"{server['url']}/admin/login/")
    assert status == 200
    # The manifest's hashed name: the file may be kept forever, since a change gives it a new name.
    [url] = re.findall(r'href="(/static/wagtailadmin/css/core\.[0-9a-f]{12}\.css)"', body.decode())
    return server["url"] + url


def test_the_home_page_and_the_admin_login_answer(server):
    assert fetch(f"{server['url']}/")[0] == 200
    status, headers, _ = fetch(f"{server['url']}/admin/login/")
    assert status == 200
    # Plain HTTP on loopback: no redirect to HTTPS, no HSTS.
    assert "Strict-Transport-Security" not in headers


def test_static_files_have_hashed_names_and_far_future_cache_headers(admin_css_url):
    status, headers, body = fetch(admin_css_url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b"{" in body


@pytest.mark.parametrize(("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_static_files_are_compressed_when_asked(admin_css_url, encoding, decompress):
    _, _, plain = fetch(admin_css_url)
    status, headers, compressed = fetch(admin_css_url, **{"Accept-Encoding": encoding})
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert len(compressed) < len(plain)
    assert decompress(compressed) == plain


def test_readiness_and_the_request_log(server):
    status, headers, body = fetch(f"{server['url']}/readyz")
    assert status == 200
    assert json.loads(body)["status"] == "ready"
    assert fetch(f"{server['url']}/search/?q=zanzibar+secret+words")[0] == 200
    lines = [json.loads(line) for line in server["stdout"].read_text().splitlines() if line.startswith("{")]
    searches = [line for line in lines if line["path"] == "/search/"]
    assert [(line["method"], line["status"], line["search_backend"]) for line in searches] == [("GET", 200, "database")]
    assert "zanzibar" not in server["stdout"].read_text()


def test_a_worker_that_stops_writes_the_searches_it_counted(server):
    """Searches are counted in each worker's memory (search.query_log): a worker that gunicorn stops writes them."""
    for _ in range(2):
        assert fetch(f"{server['url']}/api/v1/search/?q=zzcounted")[0] == 200
    [worker] = Path(f"/proc/{server['master']}/task/{server['master']}/children").read_text().split()
    os.kill(int(worker), signal.SIGTERM)
    deadline = time.monotonic() + 60
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with closing(sqlite3.connect(server["database"])) as database:
        counted = database.execute(
            "SELECT searches FROM search_dailyqueryresults JOIN wagtailsearchpromotions_query AS query"
            " ON query.id = query_id WHERE query_string = 'zzcounted'"
        ).fetchall()
    assert counted == [(2,)]


def test_the_local_secret_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".secret_key"
    key = local_secret_key(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret_key(path) == key


def test_the_loopback_environment_keeps_the_operators_key_and_serves_plain_http():
    environment = loopback_environment(8130, {"SECRET_KEY": "the-operators-key", "SECURE_SSL_REDIRECT": "true"})
    assert environment["SECRET_KEY"] == "the-operators-key"
    assert environment["DJANGO_SETTINGS_MODULE"] == "kb_site.settings.production"
    assert environment["GUNICORN_BIND"] == "127.0.0.1:8130"
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    assert environment["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
