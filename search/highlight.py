"""Snippets of a record's text with the searched words marked. Everything from the record and the query is
escaped; only the <mark> elements added here are markup.

With the stems a search matched (`SearchResult.terms`: the query's words, their corrections and thesaurus
synonyms, stemmed), a word is marked when its stem is among them, so that a search for "homicidios" marks
"homicidio" and a synonym the record uses is marked too. Without them, words that begin with a word of the query are.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Locale

from .analysis import WORD, fold, stem, stop_words
from .analysis import languages as stemmed_languages


def query_terms(query):
    return {fold(word) for word in WORD.findall(query) if len(word) > 1}


def prefix_matcher(query):
    """Whether a word of a text begins with a word of the query (the fallback without stems)."""
    prefixes = query_terms(query)

    def matches(word):
        folded = fold(word)
        return any(folded.startswith(prefix) for prefix in prefixes)

    return matches


def stem_matcher(terms, languages):
    """Whether a word of a text has its stem, in one of these languages, among the terms. Stop words never match:
    they are not searched, and a short one may share a stem with a searched word in another language."""
    site_languages = stemmed_languages()
    codes = [code for code in dict.fromkeys(languages) if code in site_languages] or site_languages
    stops = stop_words()

    def matches(word):
        lower = word.casefold()
        folded = fold(lower)
        if folded in stops:
            return False
        # A stemmer may treat a word differently with and without its accents (the English one leaves "jóvenes"
        # as "jovene" but makes "jovenes" "joven"): either form's stem marks it, since accents never matter.
        return any(stem(form, code) in terms for code in codes for form in {lower, folded})

    return matches


def highlight(text, query, length=240, terms=frozenset(), languages=()):
    """A snippet of at most about `length` characters around the first match, with matching words marked: by stem
    when `terms` are given (in the `languages`, by default every language of the site), else by prefix."""
    matches_word = stem_matcher(terms, languages) if terms else prefix_matcher(query)
    matches = [match for match in WORD.finditer(text) if matches_word(match.group())]
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


def highlight_hits(result):
    """Gives each hit of a search result its `snippet`: its summary with the words the search matched marked, by
    their stems in the record's own language and in the visitor's."""
    locale_ids = {hit.locale_id for hit in result.hits}
    record_languages = dict(Locale.objects.filter(pk__in=locale_ids).values_list("pk", "language_code"))
    for hit in result.hits:
        hit.snippet = highlight(
            hit.summary,
            result.params.q,
            terms=result.terms,
            languages=(record_languages.get(hit.locale_id, ""), result.params.lang),
        )
    return result
