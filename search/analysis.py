"""The one text analysis of the search, for records and queries alike, on every backend: words are split, folded
(case and accents never matter), stop words of each language dropped, and each word reduced to its Snowball stem in
a language. Records are analyzed in their own language; a query in every language the site has, its visitor's
first, since a visitor may type words of another language and records without a translation keep their original.
"""

import re
import unicodedata
from functools import cache, lru_cache

import Stemmer
from django.conf import settings

WORD = re.compile(r"\w+")

# Function words, and the words every question to a "what works" knowledge base has, in each language. They
# neither select nor rank records.
STOP_WORDS = {
    "en": """a about above after again against all also am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further had has have having he
        her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once
        only or other our ours out over own same she should so some such than that the their theirs them then there
        these they this those through to too under until up very was we were what when where which while who whom why
        will with would you your yours works best way ways tried try
        there's what's does it's can't don't""",
    "es": """a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde dos e el
        ella ellas ellos en entre era eran es esa esas ese eso esos esta estas este esto estos fue fueron ha han hay
        la las le les lo los mas me mi mis muy nada ni no nos o otra otras otro otros para pero poco por porque que
        quien quienes se sea ser si sin sobre son su sus tambien te tiene tienen todo todos tu un una unas uno unos
        y ya funciona funcionan funciono sirve sirven mejor mejores forma formas puede pueden hacer""",
    "pt": """a ao aos as ate com como da das de dela delas dele deles depois do dos e ela elas ele eles em entre
        era eram essa essas esse esses esta estas este estes eu foi foram ha isso isto ja lhe lhes mais mas me mesmo
        meu minha muito na nao nas nem no nos nossa nosso num numa o os ou para pela pelas pelo pelos por qual quando
        que quem se sem ser seu seus sua suas tambem te tem um uma umas uns funciona funcionam funcionou serve servem
        melhor melhores forma formas pode podem fazer""",
    "fr": """a au aux avec ce ces cet cette dans de des du elle elles en est et eux il ils je la le les leur leurs
        lui ma mais me meme mes moi mon ne ni nos notre nous on ou par pas pour qu que quel quelle quelles quels qui
        sa sans se ses son sont sur ta te tes toi ton tu un une vos votre vous y l d s n c j m t comment quoi est-ce
        fonctionne fonctionnent marche marchent meilleur meilleure meilleurs peut peuvent faire""",
}


def fold(text):
    """Lowercase without accents, so that 'JÓVENES' and 'jovenes' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def languages():
    """The site's languages that have a Snowball stemmer, in the order of settings.LANGUAGES."""
    return [code for code, _name in settings.LANGUAGES if code in settings.STEMMED_LANGUAGES]


@cache
def stop_words():
    return frozenset(fold(word) for words in STOP_WORDS.values() for word in words.split())


@cache
def stemmer(language):
    return Stemmer.Stemmer(settings.STEMMED_LANGUAGES[language])


@lru_cache(maxsize=500_000)
def stem(word, language):
    """The folded Snowball stem of a lowercase word in a language. Stemmed before folding, since the Spanish,
    Portuguese and French rules read the accents. A language without a stemmer (settings.STEMMED_LANGUAGES) keeps
    its words whole."""
    if language not in settings.STEMMED_LANGUAGES:
        return fold(word)
    return fold(stemmer(language).stemWord(word))


def analyze(text, language):
    """The terms a record's text is indexed by: the stems of its words in the record's language."""
    return Analyzer.of(language).terms(text)


class Analyzer:
    """analyze() for many texts of one language: each distinct word is folded and stemmed once, since a record's
    words repeat, and so do the words of thousands of records."""

    _of_language = {}

    def __init__(self, language):
        self.language = language if language in settings.STEMMED_LANGUAGES else "en"
        self.stop_words = stop_words()
        self.term_of = {}  # lowercase word -> (folded word, stem, or None for a stop word)

    @classmethod
    def of(cls, language):
        if language not in cls._of_language:
            cls._of_language[language] = cls(language)
        return cls._of_language[language]

    def analyzed(self, word):
        if word not in self.term_of:
            folded = fold(word)
            self.term_of[word] = (folded, None if folded in self.stop_words else stem(word, self.language))
        return self.term_of[word]

    def terms(self, text):
        analyzed = self.analyzed
        return [term for _folded, term in map(analyzed, WORD.findall(text.casefold())) if term is not None]

    def words_and_terms(self, text):
        """The folded words of a text that are not stop words, and their stems."""
        pairs = [pair for pair in map(self.analyzed, WORD.findall(text.casefold())) if pair[1] is not None]
        return [folded for folded, _term in pairs], [term for _folded, term in pairs]


def query_stems(word, language):
    """{stem: weight} of one word of a query: its stem in the visitor's language counts fully, its stems in the
    other languages a little less, so that a record in another language is found but ranked below an equally good
    match in the visitor's own."""
    stems = {}
    for other in languages():
        weight = 1.0 if other == language else OTHER_LANGUAGE_WEIGHT
        term = stem(word, other)
        stems[term] = max(stems.get(term, 0.0), weight)
    return stems


OTHER_LANGUAGE_WEIGHT = 0.9
