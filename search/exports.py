"""The results of a search as files: CSV for spreadsheets, interventions-v1 JSON for other systems.

Both are streamed: the keys of the interventions found are ranked in memory (the search snapshot), then the pages
are read and written a batch at a time, so that a download of thousands of records holds one batch, and its first
bytes leave before its last record is read. A file holds at most settings.SEARCH_EXPORT_MAX_RECORDS interventions;
`offset` and `limit` choose which (search.params.parse_export_window).
"""

import csv
import io
from dataclasses import dataclass

from django.utils import translation

from interventions.interchange.exporter import (
    EXPORT_BATCH_SIZE,
    batches,
    document_text,
    export_records,
    source_pages,
)
from interventions.models import InterventionPage

from .models import VisiblePage
from .params import InvalidParameter
from .service import all_intervention_keys

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


@dataclass
class ExportSlice:
    """The interventions one export file holds: `keys`, in the results' order, from `offset` of the `total` found."""

    keys: list
    offset: int
    total: int

    @property
    def next_offset(self):
        """Where the next file starts, or None when this one holds the last of the results."""
        end = self.offset + len(self.keys)
        return end if end < self.total else None

    def filename(self, extension):
        """interventions.csv for all the results; a part is named by the positions of its first and last."""
        if self.offset == 0 and self.next_offset is None:
            return f"interventions.{extension}"
        return f"interventions-{self.offset + 1}-{self.offset + len(self.keys)}.{extension}"


def export_slice(params, offset, limit):
    """The interventions found by a search that an export file holds. An offset past them is an InvalidParameter
    (offset 0 always exists, even without results)."""
    keys = all_intervention_keys(params)
    if offset and offset >= len(keys):
        raise InvalidParameter("offset", f"less than {len(keys)}, the number of interventions found")
    return ExportSlice(keys=keys[offset : offset + limit], offset=offset, total=len(keys))


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def choice_labels(field_name):
    """{value: label} of a field's choices in the active language, worked out once for a whole file (a model's
    get_FOO_display works them out again for every row)."""
    return {value: str(label) for value, label in InterventionPage._meta.get_field(field_name).flatchoices}


def results_csv(keys, request, language):
    """The CSV text of the interventions with these keys, in their order: the header, then a batch of rows at a
    time, labels, country names and URLs in `language`."""
    output = io.StringIO()
    writer = csv.writer(output)
    # The byte-order mark tells Excel the file is UTF-8: without it, Excel on Windows reads "Denúncia" as "DenÃºncia".
    output.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    yield drained(output)
    with translation.override(language):
        ratings, designs = choice_labels("evidence_rating"), choice_labels("strongest_design")
    for batch in batches(keys, EXPORT_BATCH_SIZE):
        with translation.override(language):
            pages = InterventionPage.objects.prefetch_related("pillars").in_bulk(batch)
            for page in (pages[key] for key in batch if key in pages):
                row = [
                    page.slug,
                    page.title,
                    request.build_absolute_uri(page.get_url(request)),
                    ratings.get(page.evidence_rating, page.evidence_rating),
                    "; ".join(pillar.label for pillar in page.pillars.all()),
                    "; ".join(page.country_names),
                    designs.get(page.strongest_design, page.strongest_design),
                    page.study_count,
                    page.bcr_low,
                    page.bcr_high,
                    page.cost_amount,
                    page.cost_currency,
                    page.cost_year,
                    page.summary,
                ]
                writer.writerow([as_text(value) for value in row])
        yield drained(output)


def drained(output):
    """What was written to a StringIO since it was last drained."""
    text = output.getvalue()
    output.seek(0)
    output.truncate()
    return text


def results_document(keys):
    """The interventions-v1 text of the records of the interventions with these keys, in their order, each in its
    original language with its translations: only the versions that the search shows in some language, so that none
    behind a view restriction goes out (a record whose original is private is left out, as one whose original is
    unpublished)."""
    originals = (page for batch in batches(keys, EXPORT_BATCH_SIZE) for page in originals_in_order(batch))
    return document_text(export_records(originals, shown=shown_pages()))


def shown_pages():
    """The keys of the pages the search shows in some language."""
    return VisiblePage.objects.values("page_id")


def originals_in_order(keys):
    """The originals of the pages with these keys (the pages themselves, or those they translate), in the keys'
    order."""
    translation_keys = dict(InterventionPage.objects.filter(pk__in=keys).values_list("pk", "translation_key"))
    originals = {
        page.translation_key: page
        for page in source_pages().filter(translation_key__in=translation_keys.values(), pk__in=shown_pages())
    }
    return [originals[translation_keys[key]] for key in keys if translation_keys.get(key) in originals]
