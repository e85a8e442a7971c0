"""The interchange format (interventions-v1): reading, validating, writing and exporting intervention records.

An import validates the whole file before it writes anything, then writes every record in one transaction.
"""

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import islice
from pathlib import Path

import jsonschema
import jsonschema_rs
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from wagtail.models import Locale, Page

from .fast_path import NewPage, index_pages, publish_imported, publish_new_pages
from .indexing import deferred_indexing
from .json_files import PageImportReport, json_path, unstorable_value_errors
from .models import (
    EMMIE_FIELDS,
    ExternalRating,
    InterventionLink,
    InterventionPage,
    InterventionType,
    Outcome,
    OutcomeDomain,
    Pillar,
    Setting,
    Study,
    TargetGroup,
    study_reference_errors,
)
from .page_tree import intervention_index
from .sanitize import sanitize_html

FORMAT = "interventions-v1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / f"{FORMAT}.schema.json"

# Record key -> vocabulary model, for the many-to-many terms of an intervention.
VOCABULARY_FIELDS = {
    "pillars": Pillar,
    "intervention_types": InterventionType,
    "settings": Setting,
    "target_groups": TargetGroup,
}
# Record keys stored as they are on InterventionPage, with their value when the record leaves them out.
PLAIN_FIELDS = {
    "summary": "",
    "also_known_as": [],
    "age_min": None,
    "age_max": None,
    "genders": [],
    "countries": [],
    "places": [],
    "start_year": None,
    "implementers": [],
    "evidence_rating": "",
    "tags": [],
}
STUDY_FIELDS = {
    "key": "",
    "citation": "",
    "year": None,
    "design": "",
    "maryland_sms": None,
    "sample_size": None,
    "countries": [],
    "doi": "",
    "url": "",
    "authors": [],
    "title": "",
    "publication_type": "",
    "venue": "",
    "volume": "",
    "issue": "",
    "pages": "",
}
# Record key -> InterventionPage field, for the rich texts: sanitized on import, and translated.
RICH_TEXT_FIELDS = {"description_html": "description", **{f"{name}_html": name for name in EMMIE_FIELDS}}
EXTERNAL_RATING_FIELDS = {"source": "", "rating": "", "url": "", "assessed_year": None}
LINK_FIELDS = {"title": "", "url": ""}
# Where a model field's validation error belongs in a record, when the names differ.
PAGE_ERROR_PATHS = {
    **{name: key for key, name in RICH_TEXT_FIELDS.items()},
    "ongoing": "end_year",
    "cost_amount": "cost_per_participant.amount",
    "cost_currency": "cost_per_participant.currency",
    "cost_year": "cost_per_participant.year",
    "bcr_low": "benefit_cost_ratio.low",
    "bcr_high": "benefit_cost_ratio.high",
    "bcr_source_study": "benefit_cost_ratio.source_study",
}
OUTCOME_ERROR_PATHS = {
    "effect_metric": "effect_size.metric",
    "effect_value": "effect_size.value",
    "ci_low": "effect_size.ci_low",
    "ci_high": "effect_size.ci_high",
    "study_key": "study",
}
# What an exported record reads beyond the page's own row, prefetched a batch of pages at a time.
EXPORTED_RELATIONS = [
    *VOCABULARY_FIELDS,
    "studies",
    Prefetch("outcomes", queryset=Outcome.objects.select_related("domain")),
    "links",
    "external_ratings",
]
EXPORT_BATCH_SIZE = 200
PAGE_TREE_FIELDS = [f.name for f in Page._meta.get_fields() if f.concrete and f.name != "title"]


class InvalidFile(Exception):
    """The file cannot be imported; `errors` lists every problem as 'json.path: message'."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportReport(PageImportReport):
    new_terms: list = field(default_factory=list)

    def summary(self):
        return f"{super().summary()}; {len(self.new_terms)} new vocabulary terms"


@cache
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def schema_validator():
    """jsonschema, the reference implementation: it says why a document is invalid."""
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())


@cache
def compiled_schema_validator():
    """A compiled validator of the same schema, a hundred times faster, for the documents that are valid (nearly
    every one, and the largest). Formats are left unchecked, as jsonschema leaves "uri" unchecked without its
    optional packages; the models check URLs."""
    return jsonschema_rs.validator_for(schema(), validate_formats=False)


def parse(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidFile([f"$: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]) from None


def validate(document):
    """Every reason the document cannot be imported: values no database can store first, then the schema, then the
    rules of the domain."""
    errors = unstorable_value_errors(document)
    if errors:
        return errors
    if compiled_schema_validator().is_valid(document):
        schema_errors = []
    else:
        schema_errors = sorted(schema_validator().iter_errors(document), key=lambda error: list(map(str, error.path)))
    if schema_errors:
        return [f"{json_path(error.absolute_path)}: {error.message}" for error in schema_errors]
    errors = []
    seen = {}
    for position, record in enumerate(document["interventions"]):
        path = f"interventions[{position}]"
        identity = (record.get("locale", "en"), record["slug"])
        if identity in seen:
            errors.append(f"{path}.slug: '{record['slug']}' is also the slug of interventions[{seen[identity]}]")
        seen[identity] = position
        if identity[0] in record.get("translations", {}):
            errors.append(f"{path}.translations.{identity[0]}: a record cannot translate itself into its own locale")
        errors.extend(translation_errors(record, path))
        errors.extend(record_errors(record, path))
    return errors


def translation_errors(record, path):
    """A translation's outcome measures stand for the record's outcomes one by one, in their order."""
    outcomes = len(record.get("outcomes", []))
    for language_code, translation in record.get("translations", {}).items():
        if "outcome_measures" in translation and (measures := len(translation["outcome_measures"])) != outcomes:
            yield (
                f"{path}.translations.{language_code}.outcome_measures: {measures} measure(s) for {outcomes} "
                "outcome(s); give one translated measure per outcome, in the order of the outcomes"
            )


def record_errors(record, path):
    """Checks one schema-valid record against the models' own validation, without touching the database."""
    page = InterventionPage()
    set_page_fields(page, record)
    errors = model_errors(partial(page.clean_fields, exclude=PAGE_TREE_FIELDS), path, PAGE_ERROR_PATHS)
    errors += model_errors(page.check_consistency, path, PAGE_ERROR_PATHS)
    children = [
        ("studies", build_study, {}),
        ("outcomes", build_outcome, OUTCOME_ERROR_PATHS),
        ("external_ratings", build_external_rating, {}),
        ("links", build_link, {}),
    ]
    for key, build_child, error_paths in children:
        for position, item in enumerate(record.get(key, [])):
            child = build_child(item)
            check = partial(child.full_clean, exclude=["page", "domain"])
            errors += model_errors(check, f"{path}.{key}[{position}]", error_paths)
    references = study_reference_errors(
        [study["key"] for study in record.get("studies", [])],
        [outcome.get("study") for outcome in record.get("outcomes", [])],
        record.get("benefit_cost_ratio", {}).get("source_study"),
    )
    for key, position, message in references:
        location = {
            "studies": f"studies[{position}].key",
            "outcomes": f"outcomes[{position}].study",
            "bcr_source_study": "benefit_cost_ratio.source_study",
        }[key]
        errors.append(f"{path}.{location}: {message}")
    return errors


def model_errors(check, path, error_paths):
    """Runs a model validation and places each of its messages at the record path of its field."""
    try:
        check()
    except ValidationError as error:
        return [
            f"{path}.{error_paths.get(name, name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def set_page_fields(page, record, translation=None):
    """Copies a record's own fields onto a page; a translation overrides the texts it translates."""
    translation = translation or {}
    for key, default in PLAIN_FIELDS.items():
        setattr(page, key, record.get(key, default))
    page.title = translation.get("title") or record["title"]
    page.draft_title = page.title
    page.slug = record["slug"]
    page.summary = translation.get("summary") or record["summary"]
    for key, name in RICH_TEXT_FIELDS.items():
        setattr(page, name, translation.get(key) or record.get(key, ""))
    page.last_reviewed = date_value(record.get("last_reviewed"))
    page.ongoing = "end_year" in record and record["end_year"] is None
    page.end_year = record.get("end_year")
    cost = record.get("cost_per_participant", {})
    page.cost_amount, page.cost_currency, page.cost_year = (
        cost.get("amount"),
        cost.get("currency", ""),
        cost.get("year"),
    )
    ratio = record.get("benefit_cost_ratio", {})
    page.bcr_low, page.bcr_high = ratio.get("low"), ratio.get("high")
    page.bcr_source_study = ratio.get("source_study", "")


def date_value(text):
    """The date a record gives, or its text as it is when it is no date, for the model's validation to report."""
    if text is None:
        return None
    try:
        return InterventionPage._meta.get_field("last_reviewed").to_python(text)
    except ValidationError:
        return text


def build(model, fields, item, **extra):
    return model(**{key: item.get(key, default) for key, default in fields.items()}, **extra)


def build_study(item):
    return build(Study, STUDY_FIELDS, item)


def build_external_rating(item):
    return build(ExternalRating, EXTERNAL_RATING_FIELDS, item)


def build_link(item):
    return build(InterventionLink, LINK_FIELDS, item)


def build_outcome(item, domains=None):
    effect = item.get("effect_size", {})
    return Outcome(
        domain=domains[item["domain"]] if domains else None,
        measure=item["measure"],
        direction=item["direction"],
        effect_metric=effect.get("metric", ""),
        effect_value=effect.get("value"),
        ci_low=effect.get("ci_low"),
        ci_high=effect.get("ci_high"),
        significant=item.get("significant"),
        follow_up_months=item.get("follow_up_months"),
        study_key=item.get("study", ""),
    )


@contextmanager
def garbage_collection_paused():
    """Pauses Python's cycle collector, which otherwise spends a fifth of an import walking the millions of objects
    it allocates (reference counting still frees them); resumed, if it ran, when the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_document(document, dry_run=False):
    """Validates everything, then creates or updates every record in one transaction, under the index pages of the
    page tree (see page_tree.ensure_page_tree). Raises InvalidFile, or MissingPageTree."""
    with garbage_collection_paused():
        errors = validate(document)
        if errors:
            raise InvalidFile(errors)
        report = ImportReport()
        with transaction.atomic():
            indexes = intervention_indexes(document["interventions"])
            terms = ensure_vocabulary(document["interventions"], report)
            existing = existing_pages(document["interventions"], indexes)
            with deferred_indexing():
                new_pages = []
                updated = [
                    page
                    for record in document["interventions"]
                    for page in write_record(record, terms, indexes, existing, report, new_pages)
                ]
                publish_new_pages(new_pages)
            if dry_run:
                transaction.set_rollback(True)
            else:
                index_pages(updated)
    return report


def import_text(text, dry_run=False):
    return import_document(parse(text), dry_run=dry_run)


def ensure_vocabulary(records, report):
    """The vocabulary terms the records use, creating those the site does not have yet."""
    wanted = {model: set() for model in [*VOCABULARY_FIELDS.values(), OutcomeDomain]}
    for record in records:
        for key, model in VOCABULARY_FIELDS.items():
            wanted[model].update(record.get(key, []))
        wanted[OutcomeDomain].update(outcome["domain"] for outcome in record.get("outcomes", []))
    terms = {}
    for model, slugs in wanted.items():
        existing = {term.slug: term for term in model.objects.filter(slug__in=slugs)}
        for slug in sorted(slugs - existing.keys()):
            existing[slug] = model.objects.create(
                slug=slug, labels={settings.LANGUAGE_CODE: model.label_from_slug(slug)}
            )
            report.new_terms.append(f"{model._meta.verbose_name}: {slug}")
        terms[model] = existing
    return terms


def intervention_indexes(records):
    """The index page of each language the records are written in, by language code. Raises MissingPageTree."""
    codes = {record.get("locale", "en") for record in records}
    codes.update(code for record in records for code in record.get("translations", {}))
    return {code: intervention_index(Locale.objects.get(language_code=code)) for code in sorted(codes)}


def existing_pages(records, indexes):
    """The pages the records already have in their own locale, by (language code, slug)."""
    slugs = defaultdict(list)
    for record in records:
        slugs[record.get("locale", "en")].append(record["slug"])
    return {
        (code, page.slug): page
        for code, code_slugs in slugs.items()
        for page in InterventionPage.objects.child_of(indexes[code]).filter(slug__in=code_slugs)
    }


def write_record(record, terms, indexes, existing, report, new_pages):
    """Updates the record's page and its translations, or adds those that do not exist yet to `new_pages` for
    `publish_new_pages`; returns the pages it updated."""
    index = indexes[record.get("locale", "en")]
    locale = index.locale
    page = existing.get((locale.language_code, record["slug"]))
    if page is not None and normalize_record(export_record(page, record.get("translations", {}).keys())) == (
        normalize_record(record)
    ):
        report.unchanged.append(record["slug"])
        return []
    updated = []
    if page is None:
        page = InterventionPage(locale=locale)
        fill_page(page, record, terms)
        new_pages.append(NewPage(page, index, is_translation=False))
        report.created.append(record["slug"])
    else:
        fill_page(page, record, terms)
        publish_imported(page)
        updated.append(page)
        report.updated.append(record["slug"])
    for language_code, translation in record.get("translations", {}).items():
        updated += write_translation(page, record, terms, indexes[language_code], translation, new_pages)
        report.translations += 1
    return updated


def write_translation(source, record, terms, index, translation, new_pages):
    """Updates the translation, returning it in a list, or adds it to `new_pages`, returning an empty list."""
    # A page not written yet has no translations yet.
    page = source.get_translation_or_none(index.locale) if source.pk else None
    if page is None:
        page = InterventionPage(locale=index.locale, translation_key=source.translation_key)
        fill_page(page, record, terms, translation)
        new_pages.append(NewPage(page, index, is_translation=True))
        return []
    page = page.specific
    fill_page(page, record, terms, translation)
    publish_imported(page)
    return [page]


def fill_page(page, record, terms, translation=None):
    set_page_fields(page, record, translation)
    # Sanitized here, not in validation: no rule of the page reads the rich texts, and sanitizing is the dearest
    # step of writing a record.
    for name in RICH_TEXT_FIELDS.values():
        setattr(page, name, sanitize_html(getattr(page, name)))
    for key, model in VOCABULARY_FIELDS.items():
        getattr(page, key).set([terms[model][slug] for slug in record.get(key, [])])
    page.studies = in_order([build_study(item) for item in record.get("studies", [])])
    outcomes = [build_outcome(item, terms[OutcomeDomain]) for item in record.get("outcomes", [])]
    for outcome, measure in zip(outcomes, (translation or {}).get("outcome_measures", []), strict=False):
        outcome.measure = measure
    page.outcomes = in_order(outcomes)
    page.external_ratings = in_order([build_external_rating(item) for item in record.get("external_ratings", [])])
    page.links = in_order([build_link(item) for item in record.get("links", [])])


def in_order(children):
    """Keeps the file's order: without a sort order, databases return children in any order they like."""
    for position, child in enumerate(children):
        child.sort_order = position
    return children


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
    record = {"slug": page.slug, "locale": page.locale.language_code, "title": page.title}
    for key in PLAIN_FIELDS:
        record[key] = getattr(page, key)
    for key, name in RICH_TEXT_FIELDS.items():
        record[key] = getattr(page, name)
    if page.last_reviewed is not None:
        record["last_reviewed"] = page.last_reviewed.isoformat()
    for key in VOCABULARY_FIELDS:
        record[key] = sorted(term.slug for term in getattr(page, key).all())
    if page.ongoing:
        record["end_year"] = None
    elif page.end_year is not None:
        record["end_year"] = page.end_year
    if page.cost_amount is not None:
        record["cost_per_participant"] = {
            "amount": page.cost_amount,
            "currency": page.cost_currency,
            "year": page.cost_year,
        }
    if page.bcr_low is not None:
        record["benefit_cost_ratio"] = {
            "low": page.bcr_low,
            "high": page.bcr_high,
            "source_study": page.bcr_source_study,
        }
    record["studies"] = [export_fields(study, STUDY_FIELDS) for study in page.studies.all()]
    record["outcomes"] = [export_outcome(outcome) for outcome in page.outcomes.all()]
    record["links"] = [export_fields(link, LINK_FIELDS) for link in page.links.all()]
    record["external_ratings"] = [
        export_fields(rating, EXTERNAL_RATING_FIELDS) for rating in page.external_ratings.all()
    ]
    if translations is None:
        translations = page.get_translations().live().select_related("locale")
    record["translations"] = export_translations(page, translations, translation_locales)
    return prune(record)


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
            "summary": translated.summary if translated.summary != page.summary else "",
            **{
                key: getattr(translated, name) if getattr(translated, name) != getattr(page, name) else ""
                for key, name in RICH_TEXT_FIELDS.items()
            },
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


def export_outcome(outcome):
    return {
        "domain": outcome.domain.slug,
        "measure": outcome.measure,
        "direction": outcome.direction,
        "effect_size": {
            "metric": outcome.effect_metric,
            "value": outcome.effect_value,
            "ci_low": outcome.ci_low,
            "ci_high": outcome.ci_high,
        },
        "significant": outcome.significant,
        "follow_up_months": outcome.follow_up_months,
        "study": outcome.study_key,
    }


def export_fields(instance, fields):
    return {key: getattr(instance, key) for key in fields}


def normalize_record(record):
    """A record as the knowledge base keeps it: comparable with an export, whatever optional parts it spelled out."""
    normalized = json.loads(json.dumps(record))
    normalized.setdefault("locale", "en")
    measures = [outcome["measure"] for outcome in normalized.get("outcomes", [])]
    for key in RICH_TEXT_FIELDS:
        if key in normalized:
            normalized[key] = sanitize_html(normalized[key])
    for translation in normalized.get("translations", {}).values():
        if translation.get("summary") == normalized["summary"]:
            translation.pop("summary")
        for key in RICH_TEXT_FIELDS:
            if key in translation:
                translation[key] = sanitize_html(translation[key])
                if translation[key] == normalized.get(key, ""):
                    translation.pop(key)
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
