"""What the search reads of each page it finds, as plain text in three fields of falling weight: the title, then
other names and the summary, then the rest (description, EMMIE texts, tags, implementers, places, the labels of its
vocabulary terms in every language, study citations, outcome measures). Read for many pages at once, a few queries
per kind of page, for the lexical index and the sentence vectors the search snapshot holds."""

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field

from interventions.models import EMMIE_FIELDS, InterventionPage, Outcome, Study

from .record_types import REGISTERED

TAG = re.compile(r"<[^>]+>")
# Descriptions are embedded a passage at a time: the encoder reads about a paragraph well, a whole page poorly.
PASSAGE_LENGTH = 600


@dataclass
class Document:
    key: int
    language: str
    title: str
    summary: str
    names: list = field(default_factory=list)
    body: list = field(default_factory=list)  # texts of the lowest-weighted field
    description: str = ""

    @property
    def fields(self):
        """The texts of the title, names and summary, and the rest."""
        return (self.title, "\n".join([*self.names, self.summary]), "\n".join(self.body))

    def passages(self):
        """The texts whose sentence vectors stand for the page: its title with its summary, and its description
        in passages of about PASSAGE_LENGTH characters, cut between sentences."""
        passages = [f"{self.title}. {self.summary}".strip()]
        current = ""
        for sentence in re.split(r"(?<=[.!?])\s+", self.description):
            if current and len(current) + len(sentence) > PASSAGE_LENGTH:
                passages.append(current)
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            passages.append(current)
        return passages


def plain_text(rich_text):
    return html.unescape(TAG.sub(" ", rich_text or "")).strip()


def read_documents(keys):
    """{key: Document} of the pages of every kind the search lists with these keys."""
    documents = {}
    for record_type in REGISTERED.values():
        documents |= record_type.read_documents(keys)
    return documents


def term_labels(rows):
    """{page key: [labels]} from rows of (page key, {language: label})."""
    labels = defaultdict(list)
    for key, term_labels in rows:
        labels[key] += [label for label in term_labels.values() if label]
    return labels


def intervention_documents(keys):
    pages = InterventionPage.objects.filter(pk__in=keys)
    extra = defaultdict(list)
    for relation in ("pillars", "intervention_types", "settings", "target_groups"):
        through = getattr(InterventionPage, relation).through
        rows = through.objects.filter(interventionpage_id__in=pages.values("pk")).values_list(
            "interventionpage_id", f"{through_term_field(through)}__labels"
        )
        for key, labels in term_labels(rows).items():
            extra[key] += labels
    outcomes = Outcome.objects.filter(page_id__in=pages.values("pk"))
    for key, measure, labels in outcomes.values_list("page_id", "measure", "domain__labels"):
        extra[key] += [measure, *filter(None, labels.values())]
    for key, citation in Study.objects.filter(page_id__in=pages.values("pk")).values_list("page_id", "citation"):
        extra[key].append(citation)
    rows = pages.values_list(
        "pk",
        "locale__language_code",
        "title",
        "also_known_as",
        "summary",
        "description",
        "tags",
        "implementers",
        "places",
        *EMMIE_FIELDS,
    )
    documents = {}
    for key, language, title, names, summary, description, tags, implementers, places, *emmie in rows:
        description = plain_text(description)
        emmie = [plain_text(text) for text in emmie if text]
        body = [description, *emmie, *tags, *implementers, *places, *dict.fromkeys(extra[key])]
        documents[key] = Document(key, language, title, summary, list(names), body, description)
    return documents


def through_term_field(through):
    """The name of the term's foreign key on a many-to-many table of InterventionPage."""
    return next(
        field.name
        for field in through._meta.get_fields()
        if field.is_relation and field.related_model is not InterventionPage and field.many_to_one
    )
