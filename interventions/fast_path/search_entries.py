"""The search index entries of many intervention pages at once, as the database search backends write them.

Modelsearch's database backends (`add_items`) read every search field of a page once for each column they fill
(title, body, autocomplete, and on PostgreSQL the plain title and body texts too): up to five times the rich text
converted to text and the vocabulary labels gathered. On PostgreSQL they also compile one Django expression per text
of every page. Here each page's fields are read once, with modelsearch's own ObjectIndexer, and PostgreSQL gets the
SQL those expressions compile to, written out directly. The rows are the same (tests/test_search_entries.py compares
them); other backends (Elasticsearch) get their own add_bulk.
"""

from django.db import connection
from django.db.models import Count, F, Sum
from django.db.models.functions import Length
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.utils import balanced_reduce, get_content_type_pk


def add_to_search_index(backend, model, objects):
    """What `backend.add_bulk(model, objects)` does."""
    # Imported here, as modelsearch itself imports them: each backend's module only loads on its own database.
    if connection.vendor == "postgresql":
        from modelsearch.backends.database.postgres import postgres

        if isinstance(backend, postgres.PostgresSearchBackend):
            return add_postgres_entries(backend, postgres.ObjectIndexer, model, objects)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite import sqlite

        if isinstance(backend, sqlite.SQLiteSearchBackend):
            return add_sqlite_entries(backend, sqlite.ObjectIndexer, model, objects)
    backend.add_bulk(model, objects)


def prepared_fields(indexer):
    """What the indexer's prepare_field yields for each of its object's search fields, read once."""
    return [prepared for field in indexer.search_fields for prepared in indexer.prepare_field(indexer.obj, field)]


def is_title(field):
    return isinstance(field, SearchField) and field.field_name == "title"


def is_body(field):
    return isinstance(field, SearchField) and field.field_name != "title"


def is_autocomplete(field):
    return isinstance(field, AutocompleteField)


def add_sqlite_entries(backend, object_indexer, model, objects):
    """SQLiteIndex.add_items, then its _refresh_title_norms: entries already there are updated together (modelsearch
    updates them one by one), new ones inserted together (the FTS table follows through modelsearch's triggers).
    Modelsearch inserts new entries with a title norm of 1.0 and then updates every entry that has 1.0, which makes
    the triggers tokenize each new entry a second time; here new entries are inserted with the norm that update would
    give them, and only older entries with 1.0 are updated."""
    if not model.get_search_fields() or not objects:
        return
    index = backend.get_index_for_model(model)
    content_type_pk = get_content_type_pk(model)
    texts = {}
    for obj in objects:
        indexer = object_indexer(obj, backend)
        fields = prepared_fields(indexer)
        texts[indexer.id] = {
            column: " ".join(value for field, value in fields if belongs(field))
            for column, belongs in [("title", is_title), ("autocomplete", is_autocomplete), ("body", is_body)]
        }
    entries = index.entries.filter(content_type_id=content_type_pk)
    indexed = {
        object_id: index.entries.model(pk=pk, **texts[object_id])
        for pk, object_id in entries.filter(object_id__in=texts).values_list("pk", "object_id")
    }
    entries.bulk_update(indexed.values(), ["title", "autocomplete", "body"])
    new_entries = {object_id: columns for object_id, columns in texts.items() if object_id not in indexed}
    average = average_title_length(index.entries, [columns["title"] for columns in new_entries.values()])
    refresh_first_title_norms(index.entries, average)
    index.entries.bulk_create(
        index.entries.model(
            content_type_id=content_type_pk,
            object_id=object_id,
            title_norm=average / len(columns["title"]) if columns["title"] else 1.0,
            **columns,
        )
        for object_id, columns in new_entries.items()
    )


def refresh_first_title_norms(entries, average):
    """What _refresh_title_norms does to entries that still have the first norm, 1.0, given the average title
    length."""
    titled = entries.annotate(title_length=Length("title")).filter(title_length__gt=0)
    titled.filter(title_norm=1.0).update(title_norm=average / F("title_length"))


def average_title_length(entries, new_titles):
    """The average length of the non-empty titles once `new_titles` join `entries`, as the database computes it
    (an exact sum of whole numbers divided by their count)."""
    stored = (
        entries.annotate(title_length=Length("title"))
        .filter(title_length__gt=0)
        .aggregate(total=Sum("title_length"), count=Count("pk"))
    )
    lengths = [len(title) for title in new_titles if title]
    count = stored["count"] + len(lengths)
    return ((stored["total"] or 0) + sum(lengths)) / count if count else None


def tsvector_sql(texts, config):
    """The SQL and parameters of ObjectIndexer.as_vector(texts): each text weighted, joined with `||` in the
    balanced order of modelsearch's ADD."""
    texts = [(text.strip(), weight) for text, weight in texts]
    texts = [(text, weight) for text, weight in texts if text]
    if not texts:
        return "''::tsvector", []
    to_tsvector = "to_tsvector(%s::regconfig, %s)" if config else "to_tsvector(%s)"
    fragments = [f"setweight({to_tsvector}, %s)"] * len(texts)
    params = [param for text, weight in texts for param in ([config, text, weight] if config else [text, weight])]
    return balanced_reduce(lambda left, right: f"({left} || {right})", fragments), params


def plain_text(texts):
    """ObjectIndexer.title_text and body_text: the texts for fuzzy search."""
    return " ".join(text for text in (value.strip() for value, _weight in texts) if text)


def add_postgres_entries(backend, object_indexer, model, objects):
    """PostgresIndex.add_items, then its _refresh_title_norms, in one statement that reads nothing back (so that it
    can be sent in a pipeline): each entry is inserted, or updated, with the title norm that refresh would give it
    (the average title length, over the index with these entries in it, divided by its own), and the older entries
    that still have the first norm, 1.0, get theirs. Modelsearch writes 1.0 and then updates every entry that has
    it, which writes each new row again with its four full text indexes."""
    if not model.get_search_fields() or not objects:
        return
    index = backend.get_index_for_model(model)
    content_type_pk = get_content_type_pk(model)
    rows, params = [], []
    for obj in objects:
        indexer = object_indexer(obj, backend)
        fields = prepared_fields(indexer)
        title = [(value, weight) for field, weight, value in fields if is_title(field)]
        body = [(value, weight) for field, weight, value in fields if is_body(field)]
        autocomplete = [(value, weight) for field, weight, value in fields if is_autocomplete(field)]
        vectors = [
            tsvector_sql(title, backend.config),
            tsvector_sql(autocomplete, backend.autocomplete_config),
            tsvector_sql(body, backend.config),
        ]
        rows.append(f"(%s, %s, {', '.join(sql for sql, _params in vectors)}, %s, %s)")
        params += [content_type_pk, indexer.id]
        params += [param for _sql, vector_params in vectors for param in vector_params]
        params += [plain_text(title), plain_text(body)]
    table = index.entries.model._meta.db_table
    with index.write_connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH new (content_type_id, object_id, title, autocomplete, body, title_text, body_text) AS (
                VALUES {", ".join(rows)}
            ),
            average AS (
                -- Through a double and back, as Django's Avg gives modelsearch a float that it sends as a decimal.
                SELECT AVG(title_length)::float8::text::numeric AS title_length
                FROM (
                    SELECT length(title) AS title_length
                    FROM {table} entry
                    WHERE NOT EXISTS (
                        SELECT FROM new
                        WHERE new.content_type_id = entry.content_type_id AND new.object_id = entry.object_id
                    )
                    UNION ALL
                    SELECT length(title) FROM new
                ) lengths
                WHERE title_length > 0
            ),
            refreshed AS (
                -- A statement may change a row only once: the new and replaced entries get theirs below.
                UPDATE {table} entry
                SET title_norm = (SELECT title_length FROM average) / length(entry.title)
                WHERE entry.title_norm = 1.0 AND length(entry.title) > 0 AND NOT EXISTS (
                    SELECT FROM new
                    WHERE new.content_type_id = entry.content_type_id AND new.object_id = entry.object_id
                )
            )
            INSERT INTO {table}
                (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
            SELECT content_type_id, object_id, title, autocomplete, body,
                   CASE WHEN length(title) > 0 THEN (SELECT title_length FROM average) / length(title) ELSE 1.0 END,
                   title_text, body_text
            FROM new
            ON CONFLICT (content_type_id, object_id)
            DO UPDATE SET title = EXCLUDED.title,
                          title_norm = EXCLUDED.title_norm,
                          autocomplete = EXCLUDED.autocomplete,
                          body = EXCLUDED.body,
                          title_text = EXCLUDED.title_text,
                          body_text = EXCLUDED.body_text
            """,  # noqa: S608 - only the table's name and placeholders are spelled into the SQL
            params,
        )
