"""Ranked any-word matching over the analyzed text of every page the search finds (search.analysis), held in
memory by the search snapshot: one BM25F index, the same on SQLite and PostgreSQL.

A query is read into clauses, one per word that is not a stop word: the word's stems in every language (its
visitor's counting most), or, for a word the index has never seen, the nearest word it has (a typo). Labels of
thesaurus concepts found in the query add a clause each, satisfied by any other label of the concept in any
language. A page scores the sum of its best match for each clause, scaled by the share of the query's words it
matches, so that pages matching more of the words rank first and pages matching some still appear.
"""

import copy
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .analysis import WORD, Analyzer, analyze, fold, languages, query_stems, stem, stop_words

# Title, then other names and summary, then the rest (search.documents.Document.fields).
FIELD_WEIGHTS = (3.0, 1.5, 1.0)
K1 = 1.2
B = 0.75
# A match through another label of a thesaurus concept counts less than the query's own words.
SYNONYM_WEIGHT = 0.7
# A corrected word counts a little less than a word typed right: the correction may be wrong.
CORRECTION_WEIGHT = 0.9
# How much a page's score depends on the share of the query's words it matches (0: not at all).
COVERAGE_POWER = 1.0
# Labels of this many words at most are looked for in a query.
MAX_LABEL_WORDS = 5


@dataclass
class Clause:
    """Alternatives for one part of a query: {tuple of stems that must all match: weight}."""

    alternatives: dict
    positions: frozenset  # the query words it stands for


@dataclass
class ParsedQuery:
    clauses: list
    word_count: int
    corrected_query: str | None = None
    terms: set = field(default_factory=set)  # every stem that may match, for highlighting


class Thesaurus:
    """Concepts as sets of labels, looked up by the stems of a label's words in each language."""

    def __init__(self, concepts):
        # concepts: iterable of lists of labels (any language)
        self.labels_by_stems = defaultdict(set)  # tuple of stems -> concept numbers
        self.alternatives = []  # concept number -> set of tuples of stems, in every language
        self.acronyms = set()  # tuples of stems that are acronyms: matched in capitals only
        self.words = set()  # the folded words of every label: never taken for typos
        self.concepts_by_word = defaultdict(set)  # folded one-word label -> concept numbers
        for number, labels in enumerate(concepts):
            stem_tuples = set()
            for label in labels:
                words = [fold(word) for word in WORD.findall(label)]
                self.words.update(words)
                if len(words) == 1:
                    self.concepts_by_word[words[0]].add(number)
                for language in languages():
                    stems = tuple(analyze(label, language))
                    if not stems or len(stems) > MAX_LABEL_WORDS:
                        continue
                    stem_tuples.add(stems)
                    self.labels_by_stems[stems].add(number)
                    if is_acronym(label):
                        self.acronyms.add((stems, number))
            self.alternatives.append(stem_tuples)

    def concepts_in(self, query_words, language):
        """[(concept number, positions, stems of the words found)] of the labels found in the query's words,
        each a list of (position, word, was written in capitals)."""
        found = {}  # (concept number, positions) -> stems of the words found, in the first language that finds them
        for other in [language, *(code for code in languages() if code != language)]:
            stems = [stem(word, other) for _position, word, _capitals in query_words]
            for start in range(len(stems)):
                for end in range(start + 1, min(len(stems), start + MAX_LABEL_WORDS) + 1):
                    label = tuple(stems[start:end])
                    for number in self.labels_by_stems.get(label, ()):
                        if (label, number) in self.acronyms and not all(c for *_, c in query_words[start:end]):
                            continue
                        positions = frozenset(position for position, *_ in query_words[start:end])
                        found.setdefault((number, positions), label)
        # A word that is a label as written means that label's concepts, not others whose labels only share its stem
        # ("ninis" is a label of young people neither studying nor working; "niños" shares its Spanish stem).
        exact = {position: self.concepts_by_word.get(fold(word), set()) for position, word, _capitals in query_words}

        def meant(number, positions):
            position, *others = positions
            return bool(others) or not exact[position] or number in exact[position]

        return [(number, positions, label) for (number, positions), label in found.items() if meant(number, positions)]


def forget(counts, items):
    """Counts each of these items once less; returns those that are no longer counted at all."""
    gone = set()
    for item in items:
        counts[item] -= 1
        if counts[item] <= 0:
            del counts[item]
            gone.add(item)
    return gone


def is_acronym(label):
    return label.isupper() and " " not in label and len(label) <= 6


class LexicalIndex:
    """The BM25F index of the pages' analyzed text. Each page has a slot: a position in the index's arrays. An index
    is built from the one before (`updated`), reusing what it holds of the pages that did not change: only the pages
    that did are analyzed, and only the posting lists of their terms are rewritten, so that a publish costs
    milliseconds, not the seconds of analyzing every page. A page's score depends on nothing but its own counts and
    lengths, the number of pages and the terms' document frequencies, so an updated index scores every page exactly
    as one built afresh (tests/test_search_snapshot.py proves it)."""

    def __init__(self, documents):
        self.keys = np.zeros(0, dtype=np.int64)  # the key of each slot's page, -1 for a free slot
        self.position = {}  # key -> slot
        self.languages = np.zeros(0, dtype=object)
        self.postings = [{} for _weight in FIELD_WEIGHTS]  # term -> (slots, counts), in each field
        self.lengths = [np.zeros(0, dtype=np.float32) for _weight in FIELD_WEIGHTS]
        self.document_frequency = Counter()
        self.word_frequency = Counter()  # folded words as written in records, for typo correction
        self.vocabulary = []  # the words of word_frequency, sorted
        self.analyzed = {}  # slot -> (terms of each field, folded words of each field): what to take out of it
        self.add(documents)
        self.weigh_lengths()

    def updated(self, keys, documents):
        """An index of the pages with these keys: those of `documents` (analyzed now), the others as in this one,
        which is left as it is (searches may still be reading it)."""
        index = copy.copy(self)
        index.position = dict(self.position)
        index.keys, index.languages = self.keys.copy(), self.languages.copy()
        index.postings = [dict(postings) for postings in self.postings]
        index.lengths = [lengths.copy() for lengths in self.lengths]
        index.document_frequency = Counter(self.document_frequency)
        index.word_frequency = Counter(self.word_frequency)
        index.analyzed = dict(self.analyzed)
        keys = set(keys)
        index.remove([key for key in self.position if key not in keys or key in documents])
        index.add(documents[key] for key in sorted(documents) if key in keys)
        index.weigh_lengths()
        return index

    def remove(self, keys):
        """Takes these pages out: their slots become free."""
        removed = defaultdict(set)  # (field number, term) -> slots
        gone_words = set()
        for key in keys:
            slot = self.position.pop(key)
            field_terms, field_words = self.analyzed.pop(slot)
            for number, terms in enumerate(field_terms):
                for term in terms:
                    removed[number, term].add(slot)
            forget(self.document_frequency, set().union(*field_terms))
            for record_words in field_words:
                gone_words |= forget(self.word_frequency, record_words)
            self.keys[slot], self.languages[slot] = -1, None
            for lengths in self.lengths:
                lengths[slot] = 0
        for (number, term), slots in removed.items():
            positions, counts = self.postings[number][term]
            kept = ~np.isin(positions, list(slots))
            if kept.any():
                self.postings[number][term] = (positions[kept], counts[kept])
            else:
                del self.postings[number][term]
        if gone_words:
            # Once for all the pages taken out: the vocabulary is every word of the index, tens of thousands.
            self.vocabulary = [word for word in self.vocabulary if word not in gone_words]

    def add(self, documents):
        """Analyzes these pages and adds them, each in the first free slot or a new one."""
        documents = list(documents)
        free = np.flatnonzero(self.keys < 0).tolist()
        if len(free) < len(documents):
            free += self.grow(len(documents) - len(free))
        free = iter(free)
        added = [defaultdict(lambda: ([], [])) for _weight in FIELD_WEIGHTS]
        new_words = set()
        for document in documents:
            slot = next(free)
            self.keys[slot], self.languages[slot] = document.key, document.language
            self.position[document.key] = slot
            analyzer = Analyzer.of(document.language)
            field_terms, field_words = [], []
            for number, text in enumerate(document.fields):
                record_words, terms = analyzer.words_and_terms(text)
                self.lengths[number][slot] = len(terms)
                counts = Counter(terms)
                for term, count in counts.items():
                    positions, term_counts = added[number][term]
                    positions.append(slot)
                    term_counts.append(count)
                field_terms.append(tuple(counts))
                field_words.append(tuple(set(record_words)))
            for record_words in field_words:
                new_words.update(word for word in record_words if word not in self.word_frequency)
                self.word_frequency.update(record_words)
            self.document_frequency.update(set().union(*field_terms))
            self.analyzed[slot] = (tuple(field_terms), tuple(field_words))
        for postings, added_postings in zip(self.postings, added, strict=True):
            for term, (positions, counts) in added_postings.items():
                positions, counts = np.array(positions, dtype=np.int32), np.array(counts, dtype=np.float32)
                if term in postings:
                    positions = np.concatenate([postings[term][0], positions])
                    counts = np.concatenate([postings[term][1], counts])
                postings[term] = (positions, counts)
        if new_words:
            self.vocabulary = sorted([*self.vocabulary, *new_words])

    def grow(self, count):
        """Adds this many free slots at the end of the arrays; returns them."""
        size = len(self.keys)
        self.keys = np.concatenate([self.keys, np.full(count, -1, dtype=np.int64)])
        self.languages = np.concatenate([self.languages, np.full(count, None, dtype=object)])
        self.lengths = [np.concatenate([lengths, np.zeros(count, dtype=np.float32)]) for lengths in self.lengths]
        return list(range(size, size + count))

    def weigh_lengths(self):
        """Each slot's length normalization of BM25, in every field, from the fields' lengths."""
        self.norms = [1 - B + B * length / self.average_length(length) for length in self.lengths]

    def average_length(self, lengths):
        """The mean length of a field over the pages, free slots (of length 0) left out; summed exactly, so that it
        is the same whatever slots the pages have."""
        return max(lengths.sum(dtype=np.float64) / max(self.count, 1), 1.0)

    @property
    def count(self):
        """How many pages the index holds."""
        return len(self.position)

    def __len__(self):
        """How many slots the index has: the length of every array of scores (free slots score 0)."""
        return len(self.keys)

    def term_scores(self, term):
        """BM25F of one term for every page (0 where it does not occur)."""
        weighted = np.zeros(len(self), dtype=np.float32)
        for weight, postings, norms in zip(FIELD_WEIGHTS, self.postings, self.norms, strict=True):
            if term in postings:
                positions, counts = postings[term]
                weighted[positions] += weight * counts / norms[positions]
        frequency = self.document_frequency.get(term, 0)
        idf = math.log(1 + (self.count - frequency + 0.5) / (frequency + 0.5))
        return idf * weighted * (K1 + 1) / (K1 + weighted)

    def knows(self, word, thesaurus=None):
        """Whether a query word is one the records or the thesaurus have, as it is written (accents aside): a
        word they lack may be a typo even when its stem matches ("becomming")."""
        folded = fold(word)
        return folded in self.word_frequency or (thesaurus is not None and folded in thesaurus.words)

    def correction(self, word):
        """The word of the records nearest to a word they do not have, of five letters or more: at most one edit
        (a swap of two letters is one) for words up to seven letters, two beyond, and the same first letter, which
        typists rarely miss; the most frequent of the nearest. None if there is none."""
        folded = fold(word)
        if len(folded) < 5 or folded.isdigit():
            return None
        limit = 1 if len(folded) <= 7 else 2
        candidates = process.extract(folded, self.vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=50)
        candidates = [candidate for candidate in candidates if candidate[0][0] == folded[0]]
        if not candidates:
            return None
        return min(candidates, key=lambda candidate: (candidate[1], -self.word_frequency[candidate[0]]))[0]

    def parse(self, query, language, thesaurus, correct=True):
        """The clauses of a query (see the module's docstring); its typos left as they are unless `correct`."""
        stops = stop_words()
        query_words, corrected, changed = [], [], False
        for match in WORD.finditer(query):
            word = match.group()
            lower = word.casefold()
            if fold(lower) in stops:
                corrected.append(word)
                continue
            alternatives = dict(query_stems(lower, language))
            replacement = None if not correct or self.knows(lower, thesaurus) else self.correction(lower)
            if replacement is not None:
                # The word as typed still counts where its stems match (an inflection the records lack).
                for term, weight in query_stems(replacement, language).items():
                    alternatives[term] = max(alternatives.get(term, 0.0), weight * CORRECTION_WEIGHT)
                changed = True
            corrected.append(replacement or word)
            query_words.append((len(query_words), replacement or lower, word.isupper() and len(word) > 1, alternatives))
        own_clauses, terms = {}, set()
        for position, _word, _capitals, stems in query_words:
            own_clauses[position] = Clause({(term,): weight for term, weight in stems.items()}, frozenset([position]))
            terms.update(stems)
        clauses = []
        if thesaurus is not None:
            found = thesaurus.concepts_in([(p, w, c) for p, w, c, _stems in query_words], language)
            for number, positions, label in found:
                alternatives = {stems: SYNONYM_WEIGHT for stems in thesaurus.alternatives[number] if stems != label}
                if not alternatives:
                    continue
                [position] = positions if len(positions) == 1 else [None]
                if position is not None and position in own_clauses and not self.knows(query_words[position][1]):
                    # A word the thesaurus knows and the records never use ("ninis") means its concept; its stem
                    # alone would match other words that share it ("niños"), so it counts no more than a synonym,
                    # in one clause with the concept's other labels.
                    own = own_clauses.pop(position).alternatives
                    alternatives |= {stems: min(weight, SYNONYM_WEIGHT) for stems, weight in own.items()}
                clauses.append(Clause(alternatives, positions))
                # A word of a longer label alone ("street" of "street gang") is no match to show.
                terms.update(stems[0] for stems in alternatives if len(stems) == 1)
        clauses = [*own_clauses.values(), *clauses]
        corrected_query = " ".join(corrected) if changed else None
        return ParsedQuery(clauses=clauses, word_count=len(query_words), corrected_query=corrected_query, terms=terms)

    def scores(self, parsed):
        """The score of every page for a parsed query, as an array in the index's order."""
        total = np.zeros(len(self), dtype=np.float32)
        if not parsed.word_count:
            return total
        covered = np.zeros((parsed.word_count, len(self)), dtype=bool)
        cache = {}

        def term_scores(term):
            if term not in cache:
                cache[term] = self.term_scores(term)
            return cache[term]

        for clause in parsed.clauses:
            best = np.zeros(len(self), dtype=np.float32)
            for stems, weight in clause.alternatives.items():
                if not all(term in self.document_frequency for term in stems):
                    continue
                per_term = [term_scores(term) for term in stems]
                score = weight * np.sum(per_term, axis=0) * np.all(np.array(per_term) > 0, axis=0)
                np.maximum(best, score, out=best)
            total += best
            for position in clause.positions:
                covered[position] |= best > 0
        coverage = covered.sum(axis=0) / parsed.word_count
        return total * coverage**COVERAGE_POWER
