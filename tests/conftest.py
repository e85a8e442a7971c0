import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from interventions.interchange.importer import import_document
from interventions.models import InterventionPage
from interventions.page_tree import ensure_page_tree
from search.circuit import elasticsearch_circuit
from search.query_log import pending_counts

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# The flags a root user needs in this sandbox, and no calls home that the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIXTURE_FILE = REPO / "fixtures" / "interventions.json"
VOCABULARY_FILE = REPO / "fixtures" / "vocabulary.json"


@pytest.fixture(scope="session")
def fixture_document():
    return json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # What every site has before its first record: the vocabulary (the pillars and the terms records are filed
    # under) and the page tree. Tests build the records they need (tests/factories.py).
    with django_db_blocker.unblock():
        call_command("import_vocabulary", str(VOCABULARY_FILE), stdout=io.StringIO())
        ensure_page_tree()


@pytest.fixture(scope="module")
def shipped_records(django_db_setup, django_db_blocker):
    """The records the project ships (fixtures/interventions.json), for the checks of those records in
    tests/test_fixtures.py (code tests build their own): imported once per module, in a transaction rolled back
    after the module's last test, in which each test's transaction nests."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_interventions", str(FIXTURE_FILE), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def editor_client(client, django_user_model):
    """The test client, logged in to the admin as a user who may do everything."""
    client.force_login(django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-password"))
    return client


@pytest.fixture
def import_records(db):
    def run(*records):
        import_document({"format": "interventions-v1", "interventions": list(records)})
        slugs = [record["slug"] for record in records]
        return list(InterventionPage.objects.filter(slug__in=slugs, locale__language_code="en").order_by("pk"))

    return run


@pytest.fixture(autouse=True)
def default_language():
    """Requests under /es/, /pt/ or /fr/ leave their language active in the thread: each test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def closed_elasticsearch_circuit():
    """The circuit breaker in front of Elasticsearch keeps its state in the process: each test starts it closed."""
    elasticsearch_circuit.reset()


@pytest.fixture(autouse=True)
def empty_cache():
    """The response cache (search.response_cache) keeps answers in the process's memory: each test starts without
    those of the tests before it."""
    cache.clear()


@pytest.fixture(autouse=True)
def no_pending_search_counts():
    """Searches are counted in the process's memory until they are written (search.query_log): each test starts
    without the counts of the tests before it, and leaves none to be written outside its transaction."""
    pending_counts.take()
    yield
    pending_counts.take()


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by Playwright (tests/test_browser.py, tests/test_brief.py)."""
    # Playwright's synchronous API keeps an event loop on this thread; the database calls of the test are not
    # made from inside it. Only for this test: the deployment checks rightly refuse the variable.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
