"""Which search backend answers: for the readiness check (`/readyz`) and the request log.

A text search notes the backend that answered it in a context variable, which the request log reads at the end of
the request; `backend_status()` says which backend is configured and which would answer now: on Elasticsearch, the
database backend while the circuit (search.circuit) is open.
"""

import contextvars

from django.conf import settings

from .circuit import CLOSED, elasticsearch_circuit
from .index_updates import queued_updates

_backend_used = contextvars.ContextVar("search_backend_used", default=None)


def note_backend_used(name):
    """Called by a text search with "elasticsearch" or "database", whichever answered it."""
    _backend_used.set(name)


def backend_used():
    """The backend that answered this request's text search, or None when it made none."""
    return _backend_used.get()


def forget_backend_used():
    """Called when a request starts, so that a thread's next request does not report its last one's backend."""
    _backend_used.set(None)


def backend_status():
    """{"configured": the production backend, "answering": the one that would answer a search now}; on
    Elasticsearch also "circuit" ("closed", "open" or "half-open"), "retry_in_seconds" while it is not closed, and
    "queued_index_updates", the updates the index worker has yet to send, e.g.
    {"configured": "elasticsearch", "answering": "database", "circuit": "open", "retry_in_seconds": 23,
    "queued_index_updates": 4}."""
    if not settings.ELASTICSEARCH_URL:
        return {"configured": "database", "answering": "database"}
    circuit = elasticsearch_circuit.status()
    return {
        "configured": "elasticsearch",
        "answering": "elasticsearch" if circuit["circuit"] == CLOSED else "database",
        **circuit,
        "queued_index_updates": queued_updates(),
    }
