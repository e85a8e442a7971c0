import uuid

from django.db import migrations

from search.visibility import behind_view_restriction, record_versions, visibility_rows

RECORD_MODELS = ("interventions.InterventionPage", "pillars.KnowledgeProductPage")


def leave_out_private_pages(apps, schema_editor):
    """Rebuilds the rows of the sets of translations with a page behind a view restriction, which until now were
    listed as any other."""
    VisiblePage = apps.get_model("search", "VisiblePage")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    records = [apps.get_model(label).objects.all() for label in RECORD_MODELS]
    restricted = behind_view_restriction(PageViewRestriction)
    translation_keys = {
        key for queryset in records for key in queryset.filter(restricted).values_list("translation_key", flat=True)
    }
    if not translation_keys:
        return
    versions = record_versions(
        [queryset.filter(translation_key__in=translation_keys) for queryset in records], PageViewRestriction
    )
    VisiblePage.objects.filter(page__translation_key__in=translation_keys).delete()
    VisiblePage.objects.bulk_create(visibility_rows(versions, VisiblePage))
    # The search processes hold the rows in memory until the version changes (search.snapshot.mark_changed).
    SearchDataVersion = apps.get_model("search", "SearchDataVersion")
    if not SearchDataVersion.objects.update(token=uuid.uuid4()):
        SearchDataVersion.objects.create()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_thesaurus_embeddings_query_log"),
        ("wagtailcore", "0031_add_page_view_restriction_types"),
    ]

    operations = [migrations.RunPython(leave_out_private_pages, migrations.RunPython.noop)]
