from django.db import migrations

# Wagtail's PostgreSQL backend matches `title || body` of each index entry. Its own GIN indexes cover each column
# alone, so every match read and concatenated every entry's body (kilobytes, TOASTed): tens of milliseconds per
# thousand interventions and per query. This index answers the match without touching the bodies.
CREATE = (
    "CREATE INDEX IF NOT EXISTS search_indexentry_title_body_gin "
    "ON wagtailsearch_indexentry USING gin ((title || body))"
)
DROP = "DROP INDEX IF EXISTS search_indexentry_title_body_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_facet_values_of_any_page"), ("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(create_index, drop_index)]
