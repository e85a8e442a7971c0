"""Crossref's REST API (https://api.crossref.org/works/<doi>): a work's metadata by its DOI, and the fields of a study's
structured citation that metadata gives.

`fetch_work` asks Crossref and returns the response's `message`, or raises `LookupFailed` saying why (no network or
no answer in time, no such DOI, an answer that is not a work). `citation_fields` is a pure function of that message,
so tests and other callers need no network. Only the standard library is used.
"""

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from .vocabularies import PublicationType

API_URL = "https://api.crossref.org/works/"
USER_AGENT = "WhatWorksCitizenSecurity/1.0 (DOI lookup for the editors of a what-works knowledge base)"
# A work's record is a few kilobytes, tens with its references: anything far larger is not the answer expected.
MAX_RESPONSE_BYTES = 5 * 1024 * 1024

# Crossref's work types (https://api.crossref.org/types) and the publication type each is cited as; any other type
# leaves the editor's choice empty.
PUBLICATION_TYPES = {
    "journal-article": PublicationType.JOURNAL_ARTICLE,
    "posted-content": PublicationType.WORKING_PAPER,
    "report": PublicationType.REPORT,
    "report-component": PublicationType.REPORT,
    "report-series": PublicationType.REPORT,
    "book": PublicationType.BOOK,
    "monograph": PublicationType.BOOK,
    "edited-book": PublicationType.BOOK,
    "reference-book": PublicationType.BOOK,
    "book-chapter": PublicationType.BOOK_CHAPTER,
    "book-section": PublicationType.BOOK_CHAPTER,
    "book-part": PublicationType.BOOK_CHAPTER,
    "reference-entry": PublicationType.BOOK_CHAPTER,
    "dissertation": PublicationType.THESIS,
    "dataset": PublicationType.DATASET,
}
# Works published inside another (an article in a journal, a chapter in a book) are cited with that container as
# their venue; the others with their publisher (the organisation of a report, a thesis's university).
CONTAINED_TYPES = {
    "journal-article",
    "book-chapter",
    "book-section",
    "book-part",
    "reference-entry",
    "proceedings-article",
}
# The year a work is cited with is that of its issue: an article published online first ("issued", the earliest
# date) carries the year of the issue it was printed in.
DATE_KEYS = ["published-print", "issued", "published", "published-online"]

DOI_PATTERN = re.compile(r"^10\.[0-9]{4,9}/\S+$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


class LookupFailed(Exception):
    """Crossref gave no work for the DOI; `reason` is one of the REASONS below."""

    NO_ANSWER = "no-answer"  # no network, a refused connection, a timeout or a server error
    NOT_FOUND = "not-found"  # Crossref has no work with this DOI (404)
    UNREADABLE = "unreadable"  # an answer that is not a work in JSON

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def urlopen(request, timeout):
    """The one call that touches the network: tests replace it with recorded responses or an unreachable network."""
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (the URL is always API_URL's, https)


def normalise_doi(text):
    """The DOI itself from what an editor may paste: a doi.org link or "doi:10…"; "" when it is no DOI."""
    doi = DOI_PREFIXES.sub("", (text or "").strip())
    return doi if DOI_PATTERN.match(doi) else ""


def work_url(doi):
    query = {"mailto": settings.CROSSREF_MAILTO} if settings.CROSSREF_MAILTO else {}
    url = API_URL + urllib.parse.quote(doi, safe="/")
    return f"{url}?{urllib.parse.urlencode(query)}" if query else url


def fetch_work(doi, timeout=None):
    """The `message` of Crossref's answer for this DOI: the work's metadata."""
    user_agent = USER_AGENT
    if settings.CROSSREF_MAILTO:
        user_agent = f"{USER_AGENT[:-1]}; mailto:{settings.CROSSREF_MAILTO})"
    request = urllib.request.Request(  # noqa: S310 (https://api.crossref.org only)
        work_url(doi), headers={"User-Agent": user_agent, "Accept": "application/json"}
    )
    try:
        with urlopen(request, timeout=timeout or settings.CROSSREF_TIMEOUT_SECONDS) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        reason = LookupFailed.NOT_FOUND if error.code == 404 else LookupFailed.NO_ANSWER
        raise LookupFailed(reason, f"HTTP {error.code}") from error
    except OSError as error:  # URLError, a timeout, a refused or reset connection
        raise LookupFailed(LookupFailed.NO_ANSWER, str(error)) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise LookupFailed(LookupFailed.UNREADABLE, "response too large")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise LookupFailed(LookupFailed.UNREADABLE, str(error)) from error
    if not (
        isinstance(document, dict)
        and document.get("status") == "ok"
        and document.get("message-type") == "work"
        and isinstance(document.get("message"), dict)
    ):
        raise LookupFailed(LookupFailed.UNREADABLE, "not a work")
    return document["message"]


def plain(text):
    """Crossref's titles may carry JATS or HTML markup (<i>, <sub>) and entities: the text alone, on one line."""
    if not isinstance(text, str):
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def first(values):
    """The first non-empty text of one of Crossref's lists (titles, container titles)."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return ""
    return next((plain(value) for value in values if plain(value)), "")


def author_name(author):
    """'Family, Given' (with a suffix: 'Family, Given, Jr.'), an organisation by its name, as the study editor asks."""
    if not isinstance(author, dict):
        return ""
    family, given, suffix = plain(author.get("family")), plain(author.get("given")), plain(author.get("suffix"))
    if not family:
        return plain(author.get("name")) or given
    return ", ".join(part for part in (family, given, suffix) if part)


def year_of(message):
    for key in DATE_KEYS:
        try:
            year = message[key]["date-parts"][0][0]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(year, int) and 1000 <= year <= 9999:
            return year
    return None


def citation_fields(message):
    """A study's structured-citation fields (and its year) from a Crossref work, those Crossref has only:
    authors (list), title, publication_type, venue, volume, issue, pages, year."""
    work_type = message.get("type") if isinstance(message.get("type"), str) else ""
    title = first(message.get("title"))
    subtitle = first(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    if work_type in CONTAINED_TYPES:
        venue = first(message.get("container-title"))
    else:
        venue = plain(message.get("publisher")) or first(message.get("container-title"))
    authors = message.get("author") if isinstance(message.get("author"), list) else []
    fields = {
        "authors": [name for name in map(author_name, authors) if name],
        "title": title,
        "publication_type": PUBLICATION_TYPES.get(work_type, ""),
        "venue": venue or plain(message.get("publisher")),
        "volume": plain(message.get("volume")),
        "issue": plain(message.get("issue")),
        # Page ranges as the citations write them, with an en dash: "1–54".
        "pages": re.sub(r"\s*-+\s*", "–", plain(message.get("page"))),
        "year": year_of(message),
    }
    return {name: value for name, value in fields.items() if value}
