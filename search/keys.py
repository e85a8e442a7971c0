"""A set of primary keys as one SQL parameter, for `pk__in`."""

import json

from django.db import connection
from django.db.models.expressions import RawSQL


def key_set(keys):
    """What `pk__in` takes for a list of primary keys, sent as one parameter: Django spells a list out as one
    parameter per key, which takes longer to compile than the query takes to run when thousands of pages match (and
    SQLite bounds the number of parameters)."""
    keys = [int(key) for key in keys]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::integer[])", [keys])  # noqa: S611
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(keys)])  # noqa: S611
