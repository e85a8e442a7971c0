"""Writing many rows at a time: rows without a model instance each, instances under keys given in advance, and
statements sent without waiting for each to finish.

An import writes tens of thousands of rows. Building, preparing and compiling an instance per row cost more than the
database's own work, and so did waiting for the database after each statement: on PostgreSQL the server then idles
while Python prepares the next statement, and Python idles while the server runs it.
"""

from contextlib import contextmanager

import psycopg
from django.db import connections, router


def insert_rows(model, field_names, rows):
    """Inserts `rows`, tuples of values in the order of `field_names`, into the model's table: for tables whose
    values need no conversion on the way to the database (keys, slugs, short texts)."""
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


def allocate_keys(model, count):
    """`count` new primary keys of the model's table, which no other writer can take and the table would never have
    given before (keys of deleted rows are not given again: history and revisions outlive their pages).

    Rows inserted under keys known in advance need no `RETURNING` read back after each insert, so their inserts can
    be sent without waiting (see `pipelined`), and rows that point at them (a page's latest revision) can be written
    with them.
    """
    if count < 1:
        return []
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [key for (key,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # Django's SQLite tables count their keys with AUTOINCREMENT in sqlite_sequence. Moving the counter
            # takes the database's write lock until the transaction ends, so no other writer can use these keys.
            cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table])
            if not cursor.rowcount:
                # A table that never had a row has no counter yet.
                quote = connection.ops.quote_name
                cursor.execute(
                    f"INSERT INTO sqlite_sequence (name, seq) "  # noqa: S608 - only the quoted table and column
                    f"SELECT %s, COALESCE(MAX({quote(column)}), 0) + %s FROM {quote(table)}",
                    [table, count],
                )
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            (last,) = cursor.fetchone()
            return list(range(last - count + 1, last + 1))
    raise NotImplementedError(f"Keys cannot be allocated in advance on {connection.vendor}.")


def insert_objects(objects, model=None, fields=None):
    """Inserts model instances, primary keys included (see `allocate_keys`), and reads nothing back: what bulk_create
    does, without the `RETURNING` read that would wait for the database. `model` is the instances' own by default,
    or a model they inherit from, whose table gets their rows as Model.save_base inserts them; `fields` default to
    the columns of the model's own table. The instances count as saved afterwards."""
    if not objects:
        return
    model = model or type(objects[0])
    fields = fields or model._meta.local_concrete_fields
    using = router.db_for_write(model)
    batch_size = connections[using].ops.bulk_batch_size(fields, objects)
    for start in range(0, len(objects), batch_size):
        model._base_manager._insert(objects[start : start + batch_size], fields=fields, using=using)
    for instance in objects:
        instance._state.adding, instance._state.db = False, using


def refuse_row_counts(execute, sql, params, many, context):
    if sql.lstrip()[:6].upper() in {"UPDATE", "DELETE"}:
        raise RuntimeError(
            "An UPDATE or DELETE cannot be sent in a pipeline: Django reads its row count, which is not known until "
            "the pipeline ends. Send it before or after."
        )
    return execute(sql, params, many, context)


@contextmanager
def pipelined(using="default"):
    """Statements executed inside are sent at once, one after another, without waiting for each to finish: on
    PostgreSQL (pipeline mode) the server runs them while Python prepares the next. They still run in order, in the
    same transaction. Reading a result (a SELECT's rows) waits for every statement before it; an error of any
    statement is raised when the block ends at the latest, and the transaction is then rolled back as usual.

    UPDATE and DELETE are refused inside: Django reads their row counts (an update-or-insert save decides on it),
    and those are only known when the pipeline ends. On other databases the statements run one by one as usual.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not psycopg.Pipeline.is_supported():
        yield
        return
    connection.ensure_connection()
    with (
        connection.execute_wrapper(refuse_row_counts),
        connection.wrap_database_errors,
        connection.connection.pipeline(),
    ):
        yield
