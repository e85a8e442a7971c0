"""Labels of vocabulary terms in every interface language, loaded from a JSON file:
{"intervention_types": {"<slug>": {"en": "...", "es": "...", "pt": "...", "fr": "..."}}, "outcome_domains": {...}},
in the languages of settings.LANGUAGES."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .interchange.mapping import VOCABULARY_FIELDS
from .models import OutcomeDomain, slug_validator

VOCABULARIES = {**VOCABULARY_FIELDS, "outcome_domains": OutcomeDomain}


def label_errors(data):
    if not isinstance(data, dict):
        return ["$: expected an object of vocabularies"]
    languages = [code for code, _name in settings.LANGUAGES]
    default = settings.LANGUAGE_CODE
    errors = []
    for vocabulary, terms in data.items():
        if vocabulary not in VOCABULARIES:
            errors.append(f"{vocabulary}: unknown vocabulary; expected one of {', '.join(VOCABULARIES)}")
            continue
        if not isinstance(terms, dict):
            errors.append(f"{vocabulary}: expected an object of terms by slug")
            continue
        for slug, labels in terms.items():
            try:
                slug_validator(slug)
            except ValidationError as error:
                errors.append(f"{vocabulary}.{slug}: {error.messages[0]}")
            if not isinstance(labels, dict) or not isinstance(labels.get(default), str) or not labels[default].strip():
                errors.append(f"{vocabulary}.{slug}: needs a label in the default language ('{default}')")
                continue
            for language, label in labels.items():
                if language not in languages or not isinstance(label, str) or len(label) > 255:
                    errors.append(
                        f"{vocabulary}.{slug}.{language}: expected a label of at most 255 characters in "
                        f"one of {', '.join(languages)}"
                    )
    return errors


@transaction.atomic
def import_labels(data):
    """Creates or relabels the terms; returns (created, updated) counts. Validate with label_errors first.

    A term whose labels are already these is left alone: saving a term re-indexes every page that uses it."""
    created = updated = 0
    for vocabulary, terms in data.items():
        model = VOCABULARIES[vocabulary]
        existing = {term.slug: term for term in model.objects.filter(slug__in=list(terms))}
        for slug, labels in terms.items():
            values = {language: label.strip() for language, label in labels.items() if label.strip()}
            term = existing.get(slug)
            if term is None:
                model.objects.create(slug=slug, labels=values)
                created += 1
            elif term.labels != values:
                term.labels = values
                term.save()
                updated += 1
    return created, updated
