"""The results of a search as files: CSV for spreadsheets, interventions-v1 JSON for other systems."""

import csv
import io

from interventions.interchange import export_document, source_pages

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
    """The records of the hits, each in its original language with all its translations, in the hits' order."""
    originals = {
        page.translation_key: page
        for page in source_pages().filter(translation_key__in=[hit.translation_key for hit in hits])
    }
    return export_document([originals[hit.translation_key] for hit in hits if hit.translation_key in originals])
