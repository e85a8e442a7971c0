"""One JSON line per request (written by operations.log_format.JsonFormatter in production).

A request's line holds its method, path, status, duration and the search backend that answered it, and nothing
about the person: no query string (searches and filters are typed there), no address, user, cookie or header.
"""

import logging
import time

from search.health import backend_used, forget_backend_used

logger = logging.getLogger(__name__)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forget_backend_used()
        started = time.perf_counter()
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "search_backend": backend_used(),
        }
        logger.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": fields})
        return response
