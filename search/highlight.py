"""Snippets of a record's text with the searched words marked. Everything from the record and the query is
escaped; only the <mark> elements added here are markup."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

WORD = re.compile(r"\w+")


def fold(text):
    """Lowercase without accents, so that 'JOVENES' marks 'Jóvenes'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_terms(query):
    return {fold(word) for word in WORD.findall(query) if len(word) > 1}


def highlight(text, query, length=240):
    terms = query_terms(query)
    matches = [
        match for match in WORD.finditer(text) if terms and any(fold(match.group()).startswith(term) for term in terms)
    ]
    start = 0
    if matches and matches[0].start() > length // 3:
        start = text.rfind(" ", 0, matches[0].start() - length // 4) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    pieces, position = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:end]))
    snippet = "".join(pieces)
    return mark_safe(("… " if start > 0 else "") + snippet + (" …" if end < len(text) else ""))  # noqa: S308
