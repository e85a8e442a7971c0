"""A hung or stopped Elasticsearch: searches wait a short timeout at most, the circuit breaker then skips
Elasticsearch for a while and says so, and writes succeed with their Elasticsearch updates queued until the index
worker can send them. A hung Elasticsearch is a real socket that accepts connections and never answers, a stopped one
a closed port; Elasticsearch back is the stub client of test_elasticsearch."""

import io
import logging
import socket
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from search import circuit
from search.circuit import elasticsearch_circuit
from search.elasticsearch import Elasticsearch9SearchBackend
from search.health import backend_status, backend_used
from search.index_updates import TASK_BACKEND
from search.service import SearchParams, search_records
from tests.factories import RecordFactory
from tests.test_elasticsearch import StubClient, closed_port_url, elasticsearch_backend

pytestmark = pytest.mark.django_db

FAILURES = 2
COOL_OFF = 30


@pytest.fixture
def hung_server():
    """A hung Elasticsearch: accepts every connection and never answers. Yields its URL and the connections it has
    accepted, one per request a client sent it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    accepted = []
    stopping = threading.Event()

    def accept():
        while not stopping.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    stopping.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def elasticsearch_at(url):
    """The settings of a site whose search is on Elasticsearch at this URL, with a short search timeout and a
    circuit that opens after FAILURES failures for COOL_OFF seconds."""
    return override_settings(
        ELASTICSEARCH_URL=url,
        WAGTAILSEARCH_BACKENDS={"default": elasticsearch_backend(url), "database": settings.DATABASE_SEARCH_BACKEND},
        ELASTICSEARCH_TIMEOUT=0.2,
        ELASTICSEARCH_CIRCUIT_FAILURES=FAILURES,
        ELASTICSEARCH_CIRCUIT_COOL_OFF=COOL_OFF,
    )


@pytest.fixture
def clock(monkeypatch):
    """The circuit's clock, which a test moves on by hand."""
    now = {"seconds": 1000.0}
    monkeypatch.setattr(circuit, "monotonic", lambda: now["seconds"])
    return now


def answer_with(monkeypatch, stub):
    """Every client the Elasticsearch backend builds from now on is the stub, which records its requests."""
    monkeypatch.setattr(Elasticsearch9SearchBackend, "client_class", staticmethod(lambda **options: stub))
    return stub


@pytest.fixture
def elasticsearch_back(monkeypatch):
    """Elasticsearch answers: the stub client."""
    return answer_with(monkeypatch, StubClient())


def circuit_logs(caplog):
    return [record for record in caplog.records if record.name == "search.circuit"]


def database_slugs(query):
    with override_settings(WAGTAILSEARCH_BACKENDS={"default": settings.DATABASE_SEARCH_BACKEND}):
        return [hit.slug for hit in search_records(SearchParams(q=query)).hits]


def queued_keys():
    """The keys of the pages whose Elasticsearch update waits in the queue, due or not."""
    queued = DBTaskResult.objects.filter(backend_name=TASK_BACKEND, status=TaskResultStatus.READY)
    return {int(key) for task in queued for key in task.args_kwargs["args"][1]}


def run_index_worker():
    """Runs every due update as `manage.py db_worker --backend search_index --batch` does, one task after another
    (its loop holds a transaction of its own, which a test's transaction cannot)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name=TASK_BACKEND,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    while (due := DBTaskResult.objects.ready().filter(backend_name=TASK_BACKEND).first()) is not None:
        due.claim(worker.worker_id)
        worker.run_task(due)


def test_a_search_asks_elasticsearch_with_the_short_timeout_and_never_again(elasticsearch_back):
    with elasticsearch_at("http://elasticsearch.invalid:9200"):
        search_records(SearchParams(q="denuncia"))
    assert backend_used() == "elasticsearch"
    assert elasticsearch_back.options_given
    assert all(options == {"request_timeout": 0.2, "max_retries": 0} for options in elasticsearch_back.options_given)


def test_a_hung_elasticsearch_opens_the_circuit_after_a_few_failures_and_is_then_skipped(hung_server, caplog):
    url, accepted = hung_server
    expected = database_slugs("denuncia")
    with elasticsearch_at(url), caplog.at_level(logging.INFO, logger="search.circuit"):
        for _search in range(5):
            assert [hit.slug for hit in search_records(SearchParams(q="denuncia")).hits] == expected
            assert backend_used() == "database"
    # One request per failing search (no retry), then none while the circuit is open.
    assert len(accepted) == FAILURES
    assert [(record.levelno, record.getMessage()) for record in circuit_logs(caplog)] == [
        (logging.INFO, "Elasticsearch failed (Connection timed out): 1 of 2 failures before it is left alone."),
        (
            logging.WARNING,
            "Elasticsearch failed 2 times in a row (last: Connection timed out): the circuit opens; for 30 s searches "
            "answer from the database search backend and index updates wait in their queue.",
        ),
    ]


def test_the_circuit_half_opens_after_the_cool_off_and_a_success_closes_it(hung_server, clock, monkeypatch, caplog):
    url, accepted = hung_server
    with elasticsearch_at(url), caplog.at_level(logging.INFO, logger="search.circuit"):
        for _search in range(FAILURES):
            search_records(SearchParams(q="denuncia"))
        clock["seconds"] += COOL_OFF - 1
        search_records(SearchParams(q="denuncia"))
        assert len(accepted) == FAILURES  # still open
        clock["seconds"] += 1
        search_records(SearchParams(q="denuncia"))  # the trial: it fails, the circuit opens again
        assert len(accepted) == FAILURES + 1
        assert elasticsearch_circuit.status() == {"circuit": "open", "retry_in_seconds": COOL_OFF}
        clock["seconds"] += COOL_OFF
        stub = answer_with(monkeypatch, StubClient())
        search_records(SearchParams(q="denuncia"))  # the trial succeeds
        assert stub.calls[0][0] == "open_point_in_time"
        assert backend_used() == "elasticsearch"
        assert elasticsearch_circuit.status() == {"circuit": "closed"}
        search_records(SearchParams(q="denuncia"))
        assert backend_used() == "elasticsearch"
    # Nothing while it is open, nor when a trial fails: a warning when it opened, an info when it closes.
    assert [record.levelno for record in circuit_logs(caplog)] == [logging.INFO, logging.WARNING, logging.INFO]
    assert circuit_logs(caplog)[-1].getMessage() == "Elasticsearch answers again: the circuit closes."


def test_backend_status_tells_the_circuits_state_and_the_queued_updates(clock):
    url = closed_port_url()
    with elasticsearch_at(url):
        assert backend_status() == {
            "configured": "elasticsearch",
            "answering": "elasticsearch",
            "circuit": "closed",
            "queued_index_updates": 0,
        }
        for _search in range(FAILURES):
            search_records(SearchParams(q="denuncia"))
        clock["seconds"] += 7
        assert backend_status() == {
            "configured": "elasticsearch",
            "answering": "database",
            "circuit": "open",
            "retry_in_seconds": COOL_OFF - 7,
            "queued_index_updates": 0,
        }
    assert backend_status() == {"configured": "database", "answering": "database"}


def test_publishing_with_elasticsearch_hung_succeeds_and_queues_the_update(hung_server, import_records):
    url, accepted = hung_server
    (page,) = import_records(
        RecordFactory(slug="crime-tip-hotline", title="Crime tip hotline", summary="Anonymous tips by telephone.")
    )
    assert queued_keys() == set()  # imported on the database backend: nothing waits for Elasticsearch yet
    page.summary = "Anonymous tips about zanzibarite smuggling."
    with elasticsearch_at(url):
        page.save_revision().publish()
        assert backend_status()["queued_index_updates"] >= 1
    assert not accepted  # the write never waited for Elasticsearch
    assert queued_keys() == {page.pk}
    # The database search backend has the page as published, to answer while Elasticsearch cannot.
    assert database_slugs("zanzibarite") == ["crime-tip-hotline"]


def test_an_import_with_elasticsearch_down_succeeds_and_the_worker_sends_it_once_elasticsearch_is_back(
    import_records, monkeypatch
):
    with elasticsearch_at(closed_port_url()):
        (page,) = import_records(RecordFactory(slug="queued-record", title="Quokka patrols"))
        assert queued_keys() == {page.pk}
        assert database_slugs("quokka") == ["queued-record"]
        stub = answer_with(monkeypatch, StubClient())
        run_index_worker()
    [(name, request)] = stub.calls
    assert name == "bulk"
    assert request["index"] == "kb_test_wagtailcore_page"
    header, document = request["operations"]
    assert header == {"index": {"_id": str(page.pk)}}
    assert document["title"] == "Quokka patrols"
    assert queued_keys() == set()


def test_while_elasticsearch_is_down_the_worker_queues_the_update_again_for_after_the_cool_off(import_records):
    with elasticsearch_at(closed_port_url()):
        (page,) = import_records(RecordFactory(slug="waiting-record"))
        run_index_worker()
    # The attempt is done; the update waits again, not due before the cool-off.
    attempt = DBTaskResult.objects.get(backend_name=TASK_BACKEND, status=TaskResultStatus.SUCCESSFUL)
    assert attempt.return_value["because"]
    retry = DBTaskResult.objects.get(backend_name=TASK_BACKEND, status=TaskResultStatus.READY)
    assert retry.args_kwargs["args"] == ["interventions.InterventionPage", [str(page.pk)]]
    assert (retry.run_after - attempt.finished_at).total_seconds() == pytest.approx(COOL_OFF, abs=5)
    assert not DBTaskResult.objects.ready().filter(backend_name=TASK_BACKEND).exists()


def test_a_deleted_page_is_deleted_from_elasticsearch_once_it_is_back(import_records, elasticsearch_back):
    (page,) = import_records(RecordFactory(slug="short-lived"))
    key = page.pk
    with elasticsearch_at(closed_port_url()):
        DBTaskResult.objects.all().delete()
        page.delete()
        assert queued_keys() == {key}
        run_index_worker()
    # Each of the page's rows (the page, and Wagtail's page it extends) asked for it: deleting twice does no harm.
    assert {(name, request["index"], request["id"]) for name, request in elasticsearch_back.calls} == {
        ("delete", "kb_test_wagtailcore_page", str(key))
    }


def test_embedding_with_elasticsearch_down_queues_the_pages_it_sends_again(import_records):
    with elasticsearch_at(closed_port_url()):
        (page,) = import_records(RecordFactory(slug="embedded-record", summary="Lanterns along the river path."))
        DBTaskResult.objects.all().delete()
        output = io.StringIO()
        call_command("embed_records", stdout=output)
    # The new record's, and those of the records no test had embedded yet.
    assert page.pk in queued_keys()
    assert f"Pages queued for Elasticsearch: {len(queued_keys())} " in output.getvalue()
