"""Rows written many at a time without a model instance each, for tables whose values need no conversion on the way
to the database (keys, slugs, short texts): an import writes tens of thousands of such rows, and building, preparing
and compiling an instance per row cost more than the database's own work."""

from django.db import connections, router


def insert_rows(model, field_names, rows):
    """Inserts `rows`, tuples of values in the order of `field_names`, into the model's table."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    columns = ", ".join(quote(field.column) for field in fields)
    # Only quoted names of the model's own table and columns, and their types, are spelled into the SQL; the values
    # are parameters.
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement with a column of values per field: executemany would send, parse and plan one per row.
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            values = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(f"{insert} SELECT * FROM unnest({arrays})", values)  # noqa: S608
        else:
            cursor.executemany(f"{insert} VALUES ({', '.join(['%s'] * len(fields))})", rows)  # noqa: S608
