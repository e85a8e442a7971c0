"""One JSON line per request, and the JSON formatter every production log line goes through.

A request's line holds its method, path, status, duration and the search backend that answered it, and nothing
about the person: no query string (searches and filters are typed there), no address, user, cookie or header.
"""

import json
import logging
import time
from datetime import UTC, datetime

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


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, its `fields` if any, and its traceback if any.

    Django's request records carry the request object itself, which is left out: only `fields` are written.
    """

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
