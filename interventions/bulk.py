"""Rows written many at a time without a model instance each, for tables whose values need no conversion on the way
to the database (keys, slugs, short texts): an import writes tens of thousands of such rows, and building, preparing
and compiling an instance per row cost more than the database's own work."""

from django.db import connections, router


def insert_rows(model, field_names, rows):
    """Inserts `rows`, tuples of values in the order of `field_names`, into the model's table with one executemany."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    # Only quoted names of the model's own table and columns are spelled into the SQL; the values are parameters.
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(insert, rows)
