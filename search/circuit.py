"""A circuit breaker in front of Elasticsearch, so that a hung or stopped Elasticsearch costs a few requests their
timeout rather than every request.

After ELASTICSEARCH_CIRCUIT_FAILURES failures in a row (a timeout, a refused connection, a 5xx or 429 answer) the
circuit opens: for ELASTICSEARCH_CIRCUIT_COOL_OFF seconds nothing is sent to Elasticsearch, text searches answer from
the database search backend at once (search.text) and queued index updates wait (search.index_updates). Then one
request is let through (half-open): its success closes the circuit, its failure opens it for another cool-off.
A warning is logged when it opens and an info when it closes, never one per skipped request.

The state is each process's own (a web worker's, the index worker's), not kept in Django's cache: the breaker is
there because one service may hang, and reading its state from another (Redis) on every search would add a second
one that can. Not sharing it costs each process its own few failures before it opens, and its own trial request
after each cool-off: bounded, and each process's readiness check tells what that process does.
"""

import logging
import math
import threading
from time import monotonic

import elastic_transport
from django.conf import settings

logger = logging.getLogger(__name__)

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class ElasticsearchUnavailable(Exception):
    """Elasticsearch did not answer in time, could not be reached, answered that it cannot serve, or was not asked
    because the circuit is open."""


def is_unavailability(error):
    """Whether the error says Elasticsearch cannot serve now, rather than that a request was wrong (4xx)."""
    if isinstance(error, elastic_transport.ConnectionError | elastic_transport.ConnectionTimeout):
        return True
    return isinstance(error, elastic_transport.ApiError) and (error.status >= 500 or error.status == 429)


class CircuitBreaker:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        self.state = CLOSED
        self.failures = 0
        # When the circuit last opened, or when the trial request of a half-open circuit was let through.
        self.since = None

    def call(self, request):
        """What `request()` returns. Raises ElasticsearchUnavailable without calling it while the circuit is open,
        and in place of an error that says Elasticsearch is unavailable; other errors pass unchanged."""
        if not self._allow():
            raise ElasticsearchUnavailable("the circuit is open")
        try:
            result = request()
        except Exception as error:
            if not is_unavailability(error):
                raise
            self._failed(error)
            raise ElasticsearchUnavailable(str(error)) from error
        self._succeeded()
        return result

    def status(self):
        """{"circuit": "closed"}, or "open" or "half-open" with "retry_in_seconds": when the next trial request may
        go (0 when it may go now, or is under way)."""
        with self._lock:
            if self.state == CLOSED:
                return {"circuit": CLOSED}
            retry_in = max(0, math.ceil(self.since + settings.ELASTICSEARCH_CIRCUIT_COOL_OFF - monotonic()))
            return {"circuit": self.state, "retry_in_seconds": retry_in}

    def _allow(self):
        with self._lock:
            if self.state == CLOSED:
                return True
            # Open: a trial after the cool-off. Half-open: another trial if the last one never reported back.
            if monotonic() < self.since + settings.ELASTICSEARCH_CIRCUIT_COOL_OFF:
                return False
            self.state, self.since = HALF_OPEN, monotonic()
            return True

    def _failed(self, error):
        with self._lock:
            if self.state == HALF_OPEN:
                self.state, self.since = OPEN, monotonic()
            elif self.state == CLOSED:
                self.failures += 1
                threshold = settings.ELASTICSEARCH_CIRCUIT_FAILURES
                if self.failures < threshold:
                    logger.info(
                        "Elasticsearch failed (%s): %d of %d failures before it is left alone.",
                        error,
                        self.failures,
                        threshold,
                    )
                    return
                self.state, self.since = OPEN, monotonic()
                logger.warning(
                    "Elasticsearch failed %d times in a row (last: %s): the circuit opens; for %g s searches answer "
                    "from the database search backend and index updates wait in their queue.",
                    self.failures,
                    error,
                    settings.ELASTICSEARCH_CIRCUIT_COOL_OFF,
                )

    def _succeeded(self):
        with self._lock:
            if self.state != CLOSED:
                logger.info("Elasticsearch answers again: the circuit closes.")
            self.reset()


# The one breaker of this process for the configured Elasticsearch.
elasticsearch_circuit = CircuitBreaker()
