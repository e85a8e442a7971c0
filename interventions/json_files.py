import json

from django.core.management.base import CommandError


def read_valid_json(file, find_errors, stderr):
    """The data of a JSON file given to a management command, once `find_errors(data)` finds nothing wrong in it;
    otherwise every error is written to `stderr` and the command stops, having written nothing."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"Cannot read {file}: {error}") from error
    errors = find_errors(data)
    if errors:
        for error in errors:
            stderr.write(error)
        raise CommandError(f"{file} is not valid: {len(errors)} error(s); nothing was written.")
    return data
