"""The DOI lookup of the intervention editor: when the page form is saved, each study with a DOI whose structured
citation is missing a part gets the parts it is missing from Crossref (interventions.crossref).

It works on the submitted form data, before the form reads it, so that it needs no JavaScript and whatever the
form does next (save, or show errors) shows the filled fields; a field the editor typed is never replaced. When
Crossref cannot be asked, the data is left as it was sent and the editor is told to type the fields.
"""

from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import crossref
from .models import Study

# The parts of a study's citation that the lookup fills, in the editor's order.
FILLED_FIELDS = ["authors", "title", "publication_type", "venue", "volume", "issue", "pages", "year"]
# Any study has these: one of them empty asks Crossref. Volume, issue and pages alone do not, since many works
# (reports, books) have none, and asking again on every save would only wait on Crossref.
EXPECTED_FIELDS = ["authors", "title", "publication_type", "venue", "year"]
STUDIES_PREFIX = "studies"


@dataclass
class Lookup:
    """What the lookup did for one study: the fields it filled, or why Crossref gave nothing."""

    doi: str
    filled: list = field(default_factory=list)
    failure: str = ""  # a crossref.LookupFailed reason


def study_form_prefixes(data, prefix=STUDIES_PREFIX):
    """The prefix of each study form in the submitted data that is not being deleted."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        return []
    # The formset's own limit: a tampered count is not a reason to loop.
    total = min(total, 1000)
    return [f"{prefix}-{i}" for i in range(total) if not data.get(f"{prefix}-{i}-DELETE")]


def as_form_value(name, value):
    if name == "authors":
        return "\n".join(value)
    return str(value)


def fill_studies(data, fetch=crossref.fetch_work, look_up=True):
    """A copy of the submitted form data with the missing citation fields of each study with a DOI filled from
    Crossref, and a Lookup for each study it asked about. Each DOI is asked once; once Crossref has not answered, the
    others are not asked either (each would wait for the timeout again). Without `look_up`, DOIs are only read out
    of pasted links."""
    data = data.copy()
    lookups, works, unreachable = [], {}, None
    for form in study_form_prefixes(data):
        typed = data.get(f"{form}-doi", "")
        doi = crossref.normalise_doi(typed)
        if not doi:
            continue
        if doi != typed:
            # A pasted https://doi.org/… link or "doi:…" is kept as the DOI it names.
            data[f"{form}-doi"] = doi
        empty = [name for name in FILLED_FIELDS if not data.get(f"{form}-{name}", "").strip()]
        if not look_up or not set(empty) & set(EXPECTED_FIELDS):
            continue
        lookup = Lookup(doi)
        lookups.append(lookup)
        if unreachable:
            lookup.failure = unreachable
            continue
        if doi not in works:
            try:
                works[doi] = crossref.citation_fields(fetch(doi))
            except crossref.LookupFailed as error:
                works[doi] = error
                if error.reason == crossref.LookupFailed.NO_ANSWER:
                    unreachable = error.reason
        found = works[doi]
        if isinstance(found, crossref.LookupFailed):
            lookup.failure = found.reason
            continue
        for name in empty:
            if name in found:
                data[f"{form}-{name}"] = as_form_value(name, found[name])
                lookup.filled.append(name)
    return data, lookups


def field_label(name):
    return str(capfirst(Study._meta.get_field(name).verbose_name))


def messages_for(lookups):
    """(level, message) for the editor about each lookup: "success", "info" or "warning"."""
    failures = {
        crossref.LookupFailed.NO_ANSWER: _(
            "Crossref could not be reached to look up DOI %(doi)s. Type the study's structured citation yourself: "
            "everything you entered has been kept."
        ),
        crossref.LookupFailed.NOT_FOUND: _(
            "Crossref has no record of DOI %(doi)s. Check the DOI, or type the study's structured citation "
            "yourself: everything you entered has been kept."
        ),
        crossref.LookupFailed.UNREADABLE: _(
            "Crossref's answer for DOI %(doi)s could not be read. Type the study's structured citation yourself: "
            "everything you entered has been kept."
        ),
    }
    result = []
    for lookup in lookups:
        if lookup.failure:
            result.append(("warning", failures[lookup.failure] % {"doi": lookup.doi}))
        elif lookup.filled:
            fields = ", ".join(field_label(name) for name in lookup.filled)
            result.append(
                (
                    "success",
                    _("Filled from Crossref for DOI %(doi)s: %(fields)s. Check them against the publication.")
                    % {"doi": lookup.doi, "fields": fields},
                )
            )
        else:
            result.append(
                ("info", _("Crossref has nothing to add to the citation of DOI %(doi)s.") % {"doi": lookup.doi})
            )
    return result
