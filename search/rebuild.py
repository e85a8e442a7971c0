"""Rebuilding, whole, what the search derives from the pages it finds: their facet rows, the visible pages, their
documents' versions and the search data's version, which makes every process build its snapshot and text index
again on its next search.

Signals keep these in step with each save, move, view restriction and vocabulary edit (signal_handlers). Writes that
bypass the signals (SQL run by hand, `loaddata` of raw rows, a restore of some tables) or a fault in a handler leave
them behind; `manage.py rebuild_search_data` puts them right. Wagtail's own search index entries are not derived
here: `manage.py update_index` rebuilds those, in the database backend and in Elasticsearch.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from wagtail.models import Page

from .models import FacetValue, VisiblePage
from .record_types import REGISTERED
from .signal_handlers import index_facet_values
from .snapshot import current_token
from .visibility import rebuild_visibility

# Pages per batch: bounds memory and the size of each `IN (...)` list.
BATCH_SIZE = 500


@dataclass
class RebuildReport:
    pages: dict  # record type -> how many pages of it
    facet_rows: int
    visible_rows: dict  # language code -> how many pages its visitors see
    token: object  # the search data's new version

    def lines(self):
        pages = ", ".join(f"{name} {count}" for name, count in self.pages.items())
        visible = ", ".join(f"{language} {count}" for language, count in sorted(self.visible_rows.items()))
        return [
            f"Pages: {pages}.",
            f"Facet rows: {self.facet_rows}.",
            f"Visible pages by language: {visible or 'none'}.",
            f"Document versions renewed: {sum(self.pages.values())}.",
            f"Search data version: {self.token}.",
        ]


@transaction.atomic
def rebuild_search_data():
    """Replaces the facet rows and the visible pages with what the pages have now, gives every page's document and
    the search data new versions, and reports what it wrote. Running it again writes the same rows."""
    FacetValue.objects.all().delete()
    pages = {}
    for name, record_type in REGISTERED.items():
        model = record_type.model
        keys = list(model.objects.order_by("pk").values_list("pk", flat=True))
        pages[name] = len(keys)
        for start in range(0, len(keys), BATCH_SIZE):
            batch = model.objects.filter(pk__in=keys[start : start + BATCH_SIZE])
            # Also gives the pages' documents, and the search data, new versions.
            index_facet_values(*batch.prefetch_related(*record_type.facet_relations))
    VisiblePage.objects.all().delete()
    rebuild_visibility(Page.objects.values("translation_key"))
    return RebuildReport(
        pages=pages,
        facet_rows=FacetValue.objects.count(),
        visible_rows=dict(VisiblePage.objects.values_list("language").annotate(count=Count("pk")).order_by()),
        token=current_token(),
    )
