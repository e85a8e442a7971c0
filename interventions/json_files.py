"""JSON files given to the importers: reading them, and naming what is wrong in them by its JSON path."""

import json
import math
from dataclasses import dataclass, field

from django.core.management.base import CommandError


@dataclass
class PageImportReport:
    """What an import of pages did, by slug, and how many translations it wrote."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    translations: int = 0

    def summary(self):
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{self.translations} translations written"
        )


def json_path(parts):
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "$"


def unstorable_value_errors(data, path=()):
    """Each value of `data` that no database column can hold, as 'json.path: message': a NUL character in a text
    (PostgreSQL refuses it) and NaN or ±Infinity, which Python's json reads although JSON has no such numbers."""
    if isinstance(data, str):
        return [f"{json_path(path)}: expected text without a NUL character (\\u0000)"] if "\x00" in data else []
    if isinstance(data, float) and not math.isfinite(data):
        return [f"{json_path(path)}: expected a finite number, not {json.dumps(data)}"]
    if isinstance(data, list):
        return [error for index, item in enumerate(data) for error in unstorable_value_errors(item, (*path, index))]
    if isinstance(data, dict):
        errors = []
        for key, value in data.items():
            if "\x00" in key:
                errors.append(
                    f"{json_path(path)}: expected names without a NUL character (\\u0000), not {json.dumps(key)}"
                )
            else:
                errors.extend(unstorable_value_errors(value, (*path, key)))
        return errors
    return []


def read_valid_json(file, find_errors, stderr):
    """The data of a JSON file given to a management command, once nothing in it is unstorable and
    `find_errors(data)` finds nothing wrong; otherwise every error is written to `stderr` and the command stops,
    having written nothing."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"Cannot read {file}: {error}") from error
    errors = unstorable_value_errors(data) or find_errors(data)
    if errors:
        for error in errors:
            stderr.write(error)
        raise CommandError(f"{file} is not valid: {len(errors)} error(s); nothing was written.")
    return data
