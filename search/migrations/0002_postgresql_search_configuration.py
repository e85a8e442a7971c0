from django.db import migrations

# Accent-insensitive, stemmed full text on PostgreSQL: unaccent runs before the Snowball stemmer, so that
# "denuncia" finds "Denúncia". SQLite's FTS5 tokenizer already folds diacritics; Elasticsearch has its analyzers.
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_search",
    "CREATE TEXT SEARCH CONFIGURATION kb_search (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION kb_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
]


def create_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_search")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_configuration, drop_configuration)]
