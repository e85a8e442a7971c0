"""On PostgreSQL a search matches its text once, from the index of `title || body` (search/migrations/0004), never
by reading every entry's body, and ranks only the keys it is asked for, as Wagtail's backend ranks them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from interventions.models import InterventionPage
from search.service import SearchParams, search_interventions
from search.text import text_match

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and index only"),
]


def seq_scans():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        return cursor.fetchone()[0]


def test_the_match_reads_the_title_and_body_index_and_leaves_seq_scans_on():
    plans = []

    def explain(execute, sql, params, many, context):
        if "@@" in sql and not sql.startswith("EXPLAIN"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        text_match("violence", "en")
    assert "search_indexentry_title_body_gin" in plans[0]
    assert seq_scans() == "on"


def test_one_statement_matches_the_text_however_many_filters_and_facets():
    with CaptureQueriesContext(connection) as queries:
        search_interventions(SearchParams(q="violence", filters={"pillar": ("strengthening-institutions",)}))
    assert len([query for query in queries if "@@" in query["sql"]]) == 1
    assert len([query for query in queries if "ts_rank" in query["sql"]]) == 1


@pytest.mark.parametrize("query", ["violence", "denuncia anonima", "youth homicide"])
def test_scores_are_those_of_wagtails_own_ranking(query):
    wagtails = get_search_backend().search(query, InterventionPage.objects.live(), operator="and")
    expected = {page.pk: page.score for page in wagtails.annotate_score("score")}
    assert expected
    assert text_match(query, "en").scores(list(expected)) == pytest.approx(expected)


def test_scores_are_the_same_whichever_sort_asks_for_them():
    by_relevance = search_interventions(SearchParams(q="violence", page_size=100)).hits
    by_title = search_interventions(SearchParams(q="violence", sort="title", page_size=100)).hits
    assert {hit.pk: hit.score for hit in by_title} == {hit.pk: hit.score for hit in by_relevance}
