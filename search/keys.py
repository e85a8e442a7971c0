"""Sets of keys to and from the database: as one SQL parameter for `pk__in`, and read straight from the cursor."""

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


def rows_of(queryset):
    """The rows of a `values_list` queryset as tuples, read straight from the database cursor: for the thousands of
    rows a search reads, Django's row-by-row iteration costs more than the query. Values come as the database driver
    gives them, without Django's conversions (booleans may be 0 and 1)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
