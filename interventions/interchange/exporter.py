"""Intervention records out of the knowledge base, in the interchange format: whole documents, record by record, in
batches of any size."""

import json
from collections import defaultdict
from itertools import islice

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from ..models import InterventionPage, Outcome
from ..sanitize import sanitize_html
from .mapping import (
    CHILDREN,
    FORMAT,
    RICH_TEXT_FIELDS,
    TRANSLATED_FIELDS,
    VOCABULARY_FIELDS,
    page_record,
    record_fields,
)

# What an exported record reads beyond the page's own row, prefetched a batch of pages at a time.
EXPORTED_RELATIONS = [
    *VOCABULARY_FIELDS,
    "studies",
    Prefetch("outcomes", queryset=Outcome.objects.select_related("domain")),
    "links",
    "external_ratings",
]
EXPORT_BATCH_SIZE = 200


def export_document(pages=None):
    """Every live intervention in its original locale, with its translations (or the records of these pages)."""
    return {"format": FORMAT, "interventions": list(export_records(source_pages() if pages is None else pages))}


def source_pages():
    """The live originals, each of which an export writes with its translations."""
    return InterventionPage.objects.live().filter(is_translation=False).select_related("locale").order_by("path")


def export_records(pages, batch_size=EXPORT_BATCH_SIZE, shown=None):
    """The records of the pages, in their order, read a batch of pages at a time with the batch's terms, children
    and translations in one query each: an export of any size makes a few queries per batch, not per record, and
    holds one batch in memory (a queryset is read in chunks, not whole). Given `shown` (a query of page keys), only
    the translations among those are written."""
    if isinstance(pages, QuerySet):
        pages = pages.iterator(chunk_size=batch_size)
    for batch in batches(pages, batch_size):
        prefetch_related_objects(batch, *EXPORTED_RELATIONS)
        translations = live_translations(batch, shown)
        for page in batch:
            yield export_record(page, translations=translations[page.pk])


def batches(items, size):
    """Lists of `size` items (the last one shorter) taken from any iterable as they come."""
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def live_translations(pages, shown=None):
    """{page key: the page's live translations (among `shown`, a query of page keys, if given)}, read in one query
    for all the pages."""
    by_translation_key = defaultdict(list)
    translated_pages = InterventionPage.objects.live().select_related("locale").prefetch_related("outcomes")
    if shown is not None:
        translated_pages = translated_pages.filter(pk__in=shown)
    for translated in translated_pages.filter(translation_key__in=[page.translation_key for page in pages]):
        by_translation_key[translated.translation_key].append(translated)
    return {
        page.pk: [translated for translated in by_translation_key[page.translation_key] if translated.pk != page.pk]
        for page in pages
    }


def export_record(page, translation_locales=None, translations=None):
    """The record of a page, in the interchange format, leaving out what the page does not have. `translations`
    are the page's live translations when they have been read already (export_records reads them by batch)."""
    record = page_record(page)
    for key in VOCABULARY_FIELDS:
        record[key] = sorted(term.slug for term in getattr(page, key).all())
    for key, (_model, fields) in CHILDREN.items():
        record[key] = [record_fields(child, fields) for child in getattr(page, key).all()]
    for outcome, item in zip(page.outcomes.all(), record["outcomes"], strict=True):
        item["domain"] = outcome.domain.slug
    if translations is None:
        translations = page.get_translations().live().select_related("locale")
    record["translations"] = export_translations(page, translations, translation_locales)
    return prune(record)


def own_text(translated, page, attribute):
    """The translation's text, or nothing where it shows the original's."""
    text = getattr(translated, attribute)
    return text if text != getattr(page, attribute) else ""


def export_translations(page, translations, locales=None):
    exported = {}
    measures = [outcome.measure for outcome in page.outcomes.all()]
    for translated in translations:
        language_code = translated.locale.language_code
        if locales is not None and language_code not in locales:
            continue
        outcome_measures = [outcome.measure for outcome in translated.outcomes.all()]
        # A translation shows the original wherever it has no text of its own.
        exported[language_code] = {
            "title": translated.title,
            **{field.path: own_text(translated, page, field.attribute) for field in TRANSLATED_FIELDS},
            "outcome_measures": outcome_measures if outcome_measures != measures else [],
        }
    return dict(sorted(exported.items()))


def document_text(records, indent=None):
    """The text of an interventions-v1 document of these records, yielded record by record, exactly as
    json.dumps(document, ensure_ascii=False, indent=indent) writes the whole: a file of any size is written holding
    one record at a time."""
    if indent is None:
        yield f'{{"format": "{FORMAT}", "interventions": ['
        for position, record in enumerate(records):
            yield (", " if position else "") + json.dumps(record, ensure_ascii=False)
        yield "]}"
        return
    pad = " " * indent
    yield f'{{\n{pad}"format": "{FORMAT}",\n{pad}"interventions": ['
    written = False
    for record in records:
        # A record sits two levels deep: each of its lines moves right by two indents.
        text = json.dumps(record, ensure_ascii=False, indent=indent).replace("\n", "\n" + pad * 2)
        yield ("," if written else "") + "\n" + pad * 2 + text
        written = True
    # An empty list is written "[]", on one line.
    yield ("\n" + pad if written else "") + "]\n}"


def normalize_record(record):
    """A record as the knowledge base keeps it: comparable with an export, whatever optional parts it spelled out."""
    normalized = json.loads(json.dumps(record))
    normalized.setdefault("locale", "en")
    measures = [outcome["measure"] for outcome in normalized.get("outcomes", [])]
    for field in RICH_TEXT_FIELDS:
        if field.path in normalized:
            normalized[field.path] = sanitize_html(normalized[field.path])
    for translation in normalized.get("translations", {}).values():
        for field in TRANSLATED_FIELDS:
            if field.path in translation:
                if field.rich_text:
                    translation[field.path] = sanitize_html(translation[field.path])
                if translation[field.path] == normalized.get(field.path, ""):
                    translation.pop(field.path)
        if translation.get("outcome_measures") == measures:
            translation.pop("outcome_measures")
    for key in VOCABULARY_FIELDS:
        if key in normalized:
            normalized[key] = sorted(normalized[key])
    return prune(normalized)


def prune(value):
    """Leaves out what a record does not have; `end_year: null` stays, because it says the intervention runs on."""
    if isinstance(value, dict):
        pruned = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not is_empty(item) or (key, item) == ("end_year", None)}
    if isinstance(value, list):
        return [prune(item) for item in value]
    # Whole numbers are written without a decimal point, as they were most likely given.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_empty(value):
    return value is None or (isinstance(value, (str, list, dict)) and not value)
