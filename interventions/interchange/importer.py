"""Intervention records into the knowledge base: an import validates the whole file before it writes anything, then
writes every record in one transaction, under the interventions index of each language (see page_tree)."""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale

from ..fast_path import NewPage, index_pages, publish_imported, publish_new_pages
from ..indexing import deferred_indexing
from ..json_files import PageImportReport
from ..models import InterventionPage, OutcomeDomain
from ..page_tree import intervention_index
from ..sanitize import sanitize_html
from .exporter import export_record, normalize_record
from .mapping import CHILDREN, RICH_TEXT_FIELDS, VOCABULARY_FIELDS, build_child, set_page_fields
from .validation import InvalidFile, parse, validate


@dataclass
class ImportReport(PageImportReport):
    new_terms: list = field(default_factory=list)

    def summary(self):
        return f"{super().summary()}; {len(self.new_terms)} new vocabulary terms"


def import_document(document, dry_run=False):
    """Validates everything, then creates or updates every record in one transaction. Raises InvalidFile, or
    MissingPageTree when the site has no interventions index in a language of the records."""
    return Importer(document).run(dry_run=dry_run)


def import_text(text, dry_run=False):
    return import_document(parse(text), dry_run=dry_run)


class Importer:
    """One import of a document's records, and what it has found and written so far."""

    def __init__(self, document):
        self.records = document["interventions"]
        self.document = document
        self.report = ImportReport()
        self.terms = {}  # vocabulary model -> {slug: term}
        self.indexes = {}  # language code -> interventions index page
        self.existing = {}  # (language code, slug) -> the page the record already has
        self.new_pages = []  # NewPage of every page not written yet, published together (fast_path)
        self.updated = []  # pages that existed and were written again

    def run(self, dry_run=False):
        with garbage_collection_paused():
            errors = validate(self.document)
            if errors:
                raise InvalidFile(errors)
            with transaction.atomic():
                self.indexes = self.intervention_indexes()
                self.terms = self.ensure_vocabulary()
                self.existing = self.existing_pages()
                with deferred_indexing():
                    for record in self.records:
                        self.write_record(record)
                    publish_new_pages(self.new_pages)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    index_pages(self.updated)
        return self.report

    def intervention_indexes(self):
        """The index page of each language the records are written in. Raises MissingPageTree."""
        codes = {record.get("locale", "en") for record in self.records}
        codes.update(code for record in self.records for code in record.get("translations", {}))
        return {code: intervention_index(Locale.objects.get(language_code=code)) for code in sorted(codes)}

    def ensure_vocabulary(self):
        """The vocabulary terms the records use, creating those the site does not have yet."""
        wanted = {model: set() for model in [*VOCABULARY_FIELDS.values(), OutcomeDomain]}
        for record in self.records:
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
                self.report.new_terms.append(f"{model._meta.verbose_name}: {slug}")
            terms[model] = existing
        return terms

    def existing_pages(self):
        slugs = defaultdict(list)
        for record in self.records:
            slugs[record.get("locale", "en")].append(record["slug"])
        return {
            (code, page.slug): page
            for code, code_slugs in slugs.items()
            for page in InterventionPage.objects.child_of(self.indexes[code]).filter(slug__in=code_slugs)
        }

    def write_record(self, record):
        """Updates the record's page and its translations, or adds those that do not exist yet to `new_pages`."""
        index = self.indexes[record.get("locale", "en")]
        page = self.existing.get((index.locale.language_code, record["slug"]))
        translations = record.get("translations", {})
        if page is not None and normalize_record(export_record(page, translations.keys())) == normalize_record(record):
            self.report.unchanged.append(record["slug"])
            return
        if page is None:
            page = InterventionPage(locale=index.locale)
            self.fill_page(page, record)
            self.new_pages.append(NewPage(page, index, is_translation=False))
            self.report.created.append(record["slug"])
        else:
            self.fill_page(page, record)
            publish_imported(page)
            self.updated.append(page)
            self.report.updated.append(record["slug"])
        for language_code, translation in translations.items():
            self.write_translation(page, record, self.indexes[language_code], translation)
            self.report.translations += 1

    def write_translation(self, source, record, index, translation):
        # A page not written yet has no translations yet.
        page = source.get_translation_or_none(index.locale) if source.pk else None
        if page is None:
            page = InterventionPage(locale=index.locale, translation_key=source.translation_key)
            self.fill_page(page, record, translation)
            self.new_pages.append(NewPage(page, index, is_translation=True))
            return
        page = page.specific
        self.fill_page(page, record, translation)
        publish_imported(page)
        self.updated.append(page)

    def fill_page(self, page, record, translation=None):
        set_page_fields(page, record, translation)
        # Sanitized here, not in validation: no rule of the page reads the rich texts, and sanitizing is the dearest
        # step of writing a record.
        for rich_text in RICH_TEXT_FIELDS:
            setattr(page, rich_text.attribute, sanitize_html(getattr(page, rich_text.attribute)))
        for key, model in VOCABULARY_FIELDS.items():
            getattr(page, key).set([self.terms[model][slug] for slug in record.get(key, [])])
        children = {key: [build_child(key, item) for item in record.get(key, [])] for key in CHILDREN}
        for outcome, item in zip(children["outcomes"], record.get("outcomes", []), strict=True):
            outcome.domain = self.terms[OutcomeDomain][item["domain"]]
        translated_measures = (translation or {}).get("outcome_measures", [])
        for outcome, measure in zip(children["outcomes"], translated_measures, strict=False):
            outcome.measure = measure
        for key, items in children.items():
            setattr(page, key, in_order(items))


def in_order(children):
    """Keeps the file's order: without a sort order, databases return children in any order they like."""
    for position, child in enumerate(children):
        child.sort_order = position
    return children


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
