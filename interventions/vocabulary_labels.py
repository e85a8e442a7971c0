"""Labels of vocabulary terms in every interface language, loaded from a JSON file:
{"intervention_types": {"<slug>": {"en": "...", "es": "...", "pt": "...", "fr": "..."}}, "outcome_domains": {...}}."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .interchange import VOCABULARY_FIELDS
from .models import OutcomeDomain, slug_validator

VOCABULARIES = {**VOCABULARY_FIELDS, "outcome_domains": OutcomeDomain}
LANGUAGES = ("en", "es", "pt", "fr")


def label_errors(data):
    if not isinstance(data, dict):
        return ["$: expected an object of vocabularies"]
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
            if not isinstance(labels, dict) or not isinstance(labels.get("en"), str) or not labels["en"].strip():
                errors.append(f"{vocabulary}.{slug}: needs an English label ('en')")
                continue
            for language, label in labels.items():
                if language not in LANGUAGES or not isinstance(label, str) or len(label) > 255:
                    errors.append(
                        f"{vocabulary}.{slug}.{language}: expected a label of at most 255 characters in "
                        f"one of {', '.join(LANGUAGES)}"
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
            values = {f"label_{language}": labels.get(language, "") for language in LANGUAGES}
            term = existing.get(slug)
            if term is None:
                model.objects.create(slug=slug, **values)
                created += 1
            elif any(getattr(term, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(term, field, value)
                term.save()
                updated += 1
    return created, updated
