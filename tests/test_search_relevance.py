"""What the search understands of a query: any of its words, ranked; stop words; stems in each language; the
thesaurus, across languages; typos; meaning, through sentence vectors. The records are made-up words where the test
is about matching, so that the demo records imported for the session never match them."""

import io

import pytest
from django.core.management import call_command

from search.analysis import analyze, query_stems
from search.lexical import SYNONYM_WEIGHT
from search.models import TextEmbedding
from search.service import SearchParams, search_records
from search.snapshot import current_snapshot, current_text_index
from tests.factories import RecordFactory, ThesaurusConceptFactory

pytestmark = pytest.mark.django_db


def search(q, **params):
    params.setdefault("page_size", 100)
    return search_records(SearchParams(q=q, **params))


def slugs(result, among=None):
    found = [hit.slug for hit in result.hits]
    return [slug for slug in found if among is None or slug in among]


def add_concept(name, *labels):
    """A concept as an editor saves it in the admin, from (language, label) pairs."""
    by_language = {}
    for language, label in labels:
        by_language.setdefault(language, []).append(label)
    return ThesaurusConceptFactory(name=name, labels=by_language)


def test_records_matching_more_words_in_better_fields_come_first(import_records):
    import_records(
        RecordFactory(slug="both-in-title", title="Zorblax quintessa programme"),
        RecordFactory(slug="one-in-title", title="Zorblax programme"),
        RecordFactory(slug="one-in-summary", summary="A quintessa scheme that was evaluated."),
        RecordFactory(
            slug="both-in-summary",
            summary="Zorblax and quintessa were the two parts of a programme that was evaluated in three cities.",
        ),
    )
    ranked = slugs(search("zorblax quintessa"))
    assert ranked[:2] == ["both-in-title", "both-in-summary"]
    # Records matching only some of the words still appear, below.
    assert set(ranked[2:4]) == {"one-in-title", "one-in-summary"}


def test_stop_words_and_question_phrasing_do_not_count(import_records):
    import_records(RecordFactory(slug="vorpal", title="Vorpal mentoring"))
    assert slugs(search("What works for vorpal mentoring?"))[:1] == slugs(search("vorpal mentoring"))[:1] == ["vorpal"]
    assert analyze("¿Qué funciona para los jóvenes?", "es") == analyze("jóvenes", "es")
    assert analyze("O que funciona contra as milícias", "pt") == analyze("milícias", "pt")
    assert analyze("Qu'est-ce qui fonctionne pour les jeunes ?", "fr") == analyze("jeunes", "fr")


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [
        ("en", "policing", "police"),
        ("en", "homicides", "homicide"),
        ("es", "homicidios", "homicidio"),
        ("es", "pandillas", "pandilla"),
        ("pt", "homicídios", "homicídio"),
        ("pt", "favelas", "favela"),
        ("fr", "conjugales", "conjugale"),
        ("fr", "armés", "armé"),
    ],
)
def test_singular_plural_and_verb_forms_share_a_stem_in_each_language(language, one, other):
    assert analyze(one, language) == analyze(other, language)
    assert analyze(one, language)[0] in query_stems(other.casefold(), language)


def test_a_spanish_plural_finds_a_spanish_singular_accents_aside(import_records):
    import_records(
        RecordFactory(slug="singular", title="Prevención del homicidio juvenil", locale="es"),
        RecordFactory(slug="unrelated", title="Zorblax", locale="es"),
    )
    assert slugs(search("HOMICIDIOS JUVENILES", lang="es"), among={"singular", "unrelated"}) == ["singular"]
    assert slugs(search("prevencion", lang="es"), among={"singular"}) == ["singular"]


def test_a_thesaurus_concept_finds_records_using_another_of_its_labels(import_records):
    import_records(
        RecordFactory(slug="own-word", title="Glimmerwick control"),
        RecordFactory(slug="synonym", title="Brassflint control"),
    )
    assert slugs(search("glimmerwick"), among={"own-word", "synonym"}) == ["own-word"]
    # An editor adds the synonym: it takes effect on the next search.
    add_concept("glimmerwick", ("en", "glimmerwick"), ("en", "brassflint"))
    assert slugs(search("glimmerwick"), among={"own-word", "synonym"}) == ["own-word", "synonym"]


def test_a_word_that_is_a_label_means_its_own_concept_not_one_whose_label_shares_its_stem(import_records):
    import_records(
        RecordFactory(slug="own-concept", title="Quorvel youth programme"),
        RecordFactory(slug="stem-neighbour", title="Brindlemark programme"),
    )
    # Portuguese stems "zarpis" and "zarpos" alike, as Spanish stems "ninis" and "niños".
    add_concept("zarpis", ("es", "zarpis"), ("en", "quorvel"))
    add_concept("zarpos", ("es", "zarpos"), ("en", "brindlemark"))
    among = {"own-concept", "stem-neighbour"}
    assert slugs(search("zarpis", lang="es"), among) == ["own-concept"]
    assert slugs(search("zarpos", lang="es"), among) == ["stem-neighbour"]


def test_a_label_the_records_never_use_counts_through_its_concept_and_its_stem_no_more_than_a_synonym(
    import_records,
):
    import_records(
        RecordFactory(slug="own-concept", title="Quorvel programme"),
        RecordFactory(slug="stem-neighbour", locale="es", title="Programa zarpos"),
    )
    add_concept("zarpis", ("es", "zarpis"), ("en", "quorvel"))
    index = current_text_index(current_snapshot().token)
    # No record has "zarpis"; Portuguese stems it as "zarpos", which a record has.
    parsed = index.lexical.parse("zarpis", "es", index.thesaurus)
    [clause] = parsed.clauses
    assert max(clause.alternatives.values()) == SYNONYM_WEIGHT
    assert set(slugs(search("zarpis", lang="es"), {"own-concept", "stem-neighbour"})) == {
        "own-concept",
        "stem-neighbour",
    }


def test_the_emmie_texts_are_searched_too(import_records):
    import_records(
        RecordFactory(slug="mechanism", mechanism_html="<p>It works through glintmoor mentoring.</p>"),
        RecordFactory(slug="region", transferability_html="<p>Adapted in Brassvale schools.</p>"),
    )
    assert slugs(search("glintmoor"), {"mechanism", "region"}) == ["mechanism"]
    assert slugs(search("brassvale"), {"mechanism", "region"}) == ["region"]


def test_a_query_in_one_language_finds_a_record_written_only_in_another(import_records):
    import_records(
        RecordFactory(slug="english-only", title="Quillfeather firearm licensing"),
        RecordFactory(slug="spanish-too", title="Licencias de arma de fuego quillfeather", locale="es"),
    )
    add_concept("firearm-test", ("en", "firearm"), ("es", "arma de fuego"), ("fr", "arme à feu"))
    spanish = slugs(search("arma de fuego quillfeather", lang="es"), among={"english-only", "spanish-too"})
    # Equally good matches: the one in the visitor's language first.
    assert spanish == ["spanish-too", "english-only"]
    french = slugs(search("arme à feu", lang="fr"), among={"english-only", "spanish-too"})
    assert set(french) == {"english-only", "spanish-too"}


def test_acronyms_in_the_thesaurus_match_only_in_capitals(import_records):
    import_records(RecordFactory(slug="trafficking", title="Zephyrine counter-trafficking task force"))
    add_concept("trafficking-test", ("en", "zephyrine trafficking"), ("en", "ZTX"))
    assert "trafficking" in slugs(search("ZTX"))
    assert "trafficking" not in slugs(search("ztx"))


def test_a_typo_is_corrected_against_the_records_words(import_records):
    import_records(RecordFactory(slug="spelled", title="Becoming a Wombatier"))
    result = search("becomming a wombateir")
    assert result.corrected_query == "becoming a wombatier"
    assert slugs(result)[0] == "spelled"
    assert search("becoming a wombatier").corrected_query is None
    # "Search instead for" the query as typed.
    assert search("becomming a wombateir", correct=False).corrected_query is None
    # A word of the thesaurus is not a typo even when no record has it.
    add_concept("mediation-test", ("pt", "mediação"), ("en", "mediation"))
    assert search("mediação", lang="pt").corrected_query is None


def test_records_are_found_by_meaning_once_embedded(import_records):
    import_records(
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for teenagers in Chicago",
            summary="Paid summer employment and mentoring for high-school students reduced violent-crime arrests.",
        )
    )
    query = "trabajo remunerado para adolescentes"  # no word in common with the record
    assert "summer-jobs" not in slugs(search(query, lang="es"))
    call_command("embed_records", stdout=io.StringIO())
    assert "summer-jobs" in slugs(search(query, lang="es"))


def test_embedding_stores_each_text_once(import_records):
    import_records(RecordFactory(slug="embedded", title="Wombat patrols", summary="A patrol of wombats."))
    call_command("embed_records", stdout=io.StringIO())
    count = TextEmbedding.objects.count()
    output = io.StringIO()
    call_command("embed_records", stdout=output)
    assert TextEmbedding.objects.count() == count
    assert "newly embedded: 0" in output.getvalue()


def test_a_query_about_something_not_covered_finds_little():
    assert search("chocolate cake recipe with strawberries").count <= 3


def test_scores_are_the_same_whichever_sort_asks_for_them():
    by_relevance = search("violence").hits
    by_title = search("violence", sort="title").hits
    assert {hit.pk: hit.score for hit in by_title} == {hit.pk: hit.score for hit in by_relevance}
