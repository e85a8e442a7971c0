"""The JSON formatter every production log line goes through.

A module of its own, importing nothing of the project's: Django configures logging before the apps are loaded, so
a formatter next to code that reads models could not be imported then.
"""

import json
import logging
from datetime import UTC, datetime


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
