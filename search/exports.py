"""The results of a search as files: CSV for spreadsheets, interventions-v1 JSON for other systems."""

import csv
import io
from collections import defaultdict

from wagtail.models import Page

from interventions.interchange import export_document, source_pages

from .models import VisiblePage

CSV_COLUMNS = [
    "slug",
    "title",
    "url",
    "evidence_rating",
    "pillars",
    "countries",
    "strongest_design",
    "study_count",
    "bcr_low",
    "bcr_high",
    "cost_per_participant",
    "cost_currency",
    "cost_year",
    "summary",
]
# A cell starting with one of these is a formula to a spreadsheet: kept as text instead.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def results_csv(hits, request):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        row = [
            hit.slug,
            hit.title,
            request.build_absolute_uri(hit.get_url(request)),
            hit.get_evidence_rating_display(),
            "; ".join(pillar.label for pillar in hit.pillars.all()),
            "; ".join(hit.country_names),
            hit.get_strongest_design_display(),
            hit.study_count,
            hit.bcr_low,
            hit.bcr_high,
            hit.cost_amount,
            hit.cost_currency,
            hit.cost_year,
            hit.summary,
        ]
        writer.writerow([as_text(value) for value in row])
    return output.getvalue()


def results_document(hits):
    """The records of the hits, each in its original language with its translations, in the hits' order: only the
    versions that the search shows in some language, so that none behind a view restriction goes out (a record whose
    original is private is left out, as one whose original is unpublished)."""
    shown = Page.objects.filter(
        translation_key__in=[hit.translation_key for hit in hits], pk__in=VisiblePage.objects.values("page_id")
    )
    languages = defaultdict(set)
    for key, language in shown.values_list("translation_key", "locale__language_code"):
        languages[key].add(language)
    originals = {page.translation_key: page for page in source_pages().filter(pk__in=shown.values("pk"))}
    pages = [originals[hit.translation_key] for hit in hits if hit.translation_key in originals]
    return export_document(pages, translation_locales=languages)
