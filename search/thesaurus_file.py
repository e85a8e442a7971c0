"""The thesaurus file (fixtures/thesaurus.json) read into ThesaurusConcept rows:

    {"sources": [{"key": "iccs", "title": "UNODC, ...", "url": "https://..."}],
     "concepts": [{"name": "firearm", "source": "iccs", "labels": {"en": ["firearm", "gun"], "es": [...]}}]}

The first label of each language is the preferred one. `thesaurus_errors` checks the whole file and names each error
by its JSON path; `import_thesaurus` then writes it in one transaction. Concepts are matched by name, and those that
editors added in the admin and the file does not name are left alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .models import ThesaurusConcept, ThesaurusLabel
from .snapshot import mark_changed

NAME_LENGTH = ThesaurusConcept._meta.get_field("name").max_length
SOURCE_LENGTH = ThesaurusConcept._meta.get_field("source").max_length
LABEL_LENGTH = ThesaurusLabel._meta.get_field("label").max_length


def is_text(value, max_length=None):
    return isinstance(value, str) and bool(value.strip()) and (max_length is None or len(value) <= max_length)


def thesaurus_errors(data):
    """Every error of the file, each prefixed with its JSON path; an empty list when it can be imported."""
    if not isinstance(data, dict):
        return ["$: expected an object with 'sources' and 'concepts'"]
    errors = [f"{key}: unknown field" for key in data if key not in ("sources", "concepts")]
    source_keys = source_errors(data.get("sources"), errors)
    concept_errors(data.get("concepts"), source_keys, errors)
    return errors


def source_errors(sources, errors):
    """Checks the sources; returns the keys of those that concepts may cite."""
    if not isinstance(sources, list):
        errors.append("sources: expected a list of sources")
        return set()
    keys = set()
    for index, source in enumerate(sources):
        path = f"sources[{index}]"
        if not isinstance(source, dict):
            errors.append(f"{path}: expected an object with 'key', 'title' and 'url'")
            continue
        errors.extend(f"{path}.{field}: unknown field" for field in source if field not in ("key", "title", "url"))
        key = source.get("key")
        if not is_text(key):
            errors.append(f"{path}.key: expected a non-empty text")
        elif key in keys:
            errors.append(f"{path}.key: duplicate source '{key}'")
        else:
            keys.add(key)
        # The title is what a concept's `source` field holds, so it must fit there.
        if not is_text(source.get("title"), SOURCE_LENGTH):
            errors.append(f"{path}.title: expected a non-empty text of at most {SOURCE_LENGTH} characters")
        if "url" in source and not (
            isinstance(source["url"], str) and source["url"].startswith(("http://", "https://"))
        ):
            errors.append(f"{path}.url: expected an http(s) address")
    return keys


def concept_errors(concepts, source_keys, errors):
    if not isinstance(concepts, list):
        errors.append("concepts: expected a list of concepts")
        return
    languages = dict(settings.LANGUAGES)
    names = set()
    for index, concept in enumerate(concepts):
        path = f"concepts[{index}]"
        if not isinstance(concept, dict):
            errors.append(f"{path}: expected an object with 'name', 'source' and 'labels'")
            continue
        errors.extend(
            f"{path}.{field}: unknown field" for field in concept if field not in ("name", "source", "labels")
        )
        name = concept.get("name")
        if not is_text(name, NAME_LENGTH):
            errors.append(f"{path}.name: expected a non-empty text of at most {NAME_LENGTH} characters")
        elif name in names:
            errors.append(f"{path}.name: duplicate concept '{name}'")
        else:
            names.add(name)
        source = concept.get("source")
        if not isinstance(source, str) or source not in source_keys:
            errors.append(f"{path}.source: unknown source {source!r}; expected one of the keys of 'sources'")
        labels = concept.get("labels")
        if not isinstance(labels, dict) or not labels:
            errors.append(f"{path}.labels: expected an object of labels by language")
            continue
        for language, language_labels in labels.items():
            label_path = f"{path}.labels.{language}"
            if language not in languages:
                errors.append(f"{label_path}: unknown language {language!r}; expected one of {', '.join(languages)}")
                continue
            if not isinstance(language_labels, list) or not language_labels:
                errors.append(f"{label_path}: expected a non-empty list of labels, the preferred one first")
                continue
            seen = set()
            for label_index, label in enumerate(language_labels):
                if not is_text(label, LABEL_LENGTH):
                    errors.append(
                        f"{label_path}[{label_index}]: expected a non-empty text of at most {LABEL_LENGTH} characters"
                    )
                elif label.strip() != label:
                    errors.append(f"{label_path}[{label_index}]: leading or trailing spaces in {label!r}")
                elif label.casefold() in seen:
                    errors.append(f"{label_path}[{label_index}]: duplicate label {label!r}")
                else:
                    seen.add(label.casefold())


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self):
        return bool(self.created or self.updated)

    def summary(self):
        counts = f"{self.created} concepts created, {self.updated} updated, {self.unchanged} unchanged"
        return counts if self.changed else f"{counts}: nothing changed"


def labels_of(concept_data):
    """(language, label, preferred) in the order the concept's labels are kept: languages as in settings.LANGUAGES,
    each language's labels as in the file, its first one preferred."""
    labels = concept_data["labels"]
    return [
        (language, label, position == 0)
        for language, _name in settings.LANGUAGES
        for position, label in enumerate(labels.get(language, ()))
    ]


@transaction.atomic
def import_thesaurus(data):
    """Creates or updates the file's concepts by name, their labels replaced by the file's; returns an ImportReport.
    Validate with thesaurus_errors first."""
    source_titles = {source["key"]: source["title"] for source in data["sources"]}
    existing = {concept.name: concept for concept in ThesaurusConcept.objects.prefetch_related("labels")}
    report = ImportReport()
    new_concepts, changed_concepts, wanted_labels = [], [], {}
    for concept_data in data["concepts"]:
        name, source = concept_data["name"], source_titles[concept_data["source"]]
        labels = labels_of(concept_data)
        wanted_labels[name] = labels
        concept = existing.get(name)
        if concept is None:
            new_concepts.append(ThesaurusConcept(name=name, source=source))
            report.created += 1
        elif (
            concept.source != source
            or [(label.language, label.label, label.preferred) for label in concept.labels.all()] != labels
        ):
            concept.source = source
            changed_concepts.append(concept)
            report.updated += 1
        else:
            report.unchanged += 1
    if not report.changed:
        return report

    # Written in bulk: saving hundreds of concepts one by one would also mark the search data changed each time.
    ThesaurusConcept.objects.bulk_create(new_concepts)
    ThesaurusConcept.objects.bulk_update(changed_concepts, ["source"])
    ThesaurusLabel.objects.filter(concept__in=changed_concepts).delete()
    written = ThesaurusConcept.objects.filter(name__in=[c.name for c in new_concepts + changed_concepts])
    ThesaurusLabel.objects.bulk_create(
        ThesaurusLabel(concept=concept, language=language, label=label, preferred=preferred, sort_order=order)
        for concept in written
        for order, (language, label, preferred) in enumerate(wanted_labels[concept.name])
    )
    # The search process reloads the thesaurus when the version token changes.
    mark_changed()
    return report
