import uuid
from collections import defaultdict

from django.conf import settings
from django.db import migrations
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr

RECORD_MODELS = ("interventions.InterventionPage", "pillars.KnowledgeProductPage")
# The code this migration needs, as it was when it was written (search.visibility at the time): a migration must
# not change when the application's code does.
VERSION_FIELDS = ["pk", "translation_key", "locale__language_code", "live", "is_translation", "restricted"]


def behind_view_restriction(restriction_model):
    """Whether a page is in a private section: a view restriction is set on it or on an ancestor, whose path is a
    prefix of its own (the condition of Wagtail's `PageQuerySet.not_public()`, which historical models lack)."""
    restrictions = restriction_model.objects.annotate(prefix=Substr(OuterRef("path"), 1, Length("page__path")))
    return Exists(restrictions.filter(page__path=F("prefix")))


def visible_languages(versions, language_codes):
    """{page key: the languages whose visitors the search shows it to}, for whole sets of translations."""
    sets = defaultdict(list)
    for version in versions:
        sets[version["translation_key"]].append(version)
    visible = {}
    for translations in sets.values():
        # A restricted translation is left out as an unpublished one is: its language shows the original instead.
        public = [version for version in translations if version["live"] and not version["restricted"]]
        translated = {version["locale__language_code"] for version in public}
        for version in public:
            language = version["locale__language_code"]
            own = [language] if language in language_codes else []
            fallback = [] if version["is_translation"] else [code for code in language_codes if code not in translated]
            visible[version["pk"]] = own + fallback
    return visible


def leave_out_private_pages(apps, schema_editor):
    """Rebuilds the rows of the sets of translations with a page behind a view restriction, which until now were
    listed as any other."""
    VisiblePage = apps.get_model("search", "VisiblePage")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    records = [
        apps.get_model(label).objects.annotate(restricted=behind_view_restriction(PageViewRestriction))
        for label in RECORD_MODELS
    ]
    translation_keys = {
        key
        for queryset in records
        for key in queryset.filter(restricted=True).values_list("translation_key", flat=True)
    }
    if not translation_keys:
        return
    versions = [
        version
        for queryset in records
        for version in queryset.filter(translation_key__in=translation_keys).values(*VERSION_FIELDS)
    ]
    languages = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    VisiblePage.objects.filter(page__translation_key__in=translation_keys).delete()
    VisiblePage.objects.bulk_create(
        VisiblePage(page_id=key, language=code)
        for key, codes in visible_languages(versions, languages).items()
        for code in codes
    )
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
