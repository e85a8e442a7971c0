"""What a visitor sees around the results (corrections, ways on from a search that finds nothing, highlighted
matches, editors' picks) and what editors learn from the searches visitors make."""

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import DatabaseError
from django.db.models import Sum
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion

from interventions.models import InterventionPage
from search import query_log
from search.highlight import highlight
from search.models import DailyQueryResults
from search.params import InvalidParameter, parse_search_params
from search.promotions import with_promotions
from search.query_log import count_search, flush_search_counts
from search.service import SearchParams, search_records
from search.snapshot import current_snapshot
from search.suggestions import nearest_terms, ways_on
from tests.factories import (
    KnowledgeProductPageFactory,
    PillarPageFactory,
    RecordFactory,
    ThesaurusConceptFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(client, query="", path="/search/"):
    response = client.get(f"{path}?{query}")
    return response, BeautifulSoup(response.content, "html.parser")


def api(client, query=""):
    return client.get(f"/api/v1/search/?{query}")


def intervention(slug, language="en"):
    return InterventionPage.objects.get(slug=slug, locale__language_code=language)


def police_and_violence_records():
    """Six records a search for "police" finds (two in Brazil, some also found by "violence"; in the three pillars),
    one it does not find, and one with a Spanish translation."""
    return [
        RecordFactory(slug="police-patrols", title="Police patrols at night", countries=["BR"], settings=["police"]),
        RecordFactory(
            slug="police-hotline",
            title="Police hotline for tips on drug sales",
            countries=["BR"],
            pillars=["disrupting-illicit-markets"],
        ),
        RecordFactory(slug="police-cameras", title="Police cameras", summary="Cameras worn to curb police violence."),
        RecordFactory(slug="police-mentors", title="Police mentors for teenagers", countries=["MX"]),
        RecordFactory(slug="community-police", title="Community police", summary="Meetings on violence."),
        RecordFactory(
            slug="police-training-course",
            title="Police training course",
            countries=["CO"],
            intervention_types=["police-training"],
            pillars=["strengthening-institutions"],
        ),
        RecordFactory(
            slug="boot-camps",
            title="Boot camps for young offenders",
            summary="Military-style camps instead of detention.",
            countries=["US"],
        ),
        RecordFactory(
            slug="summer-jobs",
            title="Summer jobs for young people",
            countries=["US"],
            translations={"es": {"title": "Programa de empleos de verano para jóvenes, ciudad de prueba"}},
        ),
    ]


@pytest.fixture
def records(import_records):
    return import_records(*police_and_violence_records())


def promote(query_string, *pages):
    query = Query.get(query_string)
    for order, promoted in enumerate(pages):
        SearchPromotion.objects.create(query=query, page=promoted, sort_order=order)


# Corrections


@pytest.mark.usefixtures("records")
def test_the_page_shows_the_correction_and_offers_the_query_as_typed(client):
    _, soup = page(client, "q=polise")
    correction = soup.find(class_="correction")
    assert correction.get_text(" ", strip=True) == "Showing results for police . Search instead for polise"
    assert correction.find("em").get_text() == "police"
    assert correction.find("a", string="polise")["href"] == "?q=polise&spell=0"


@pytest.mark.usefixtures("records")
def test_the_correction_notice_escapes_the_query(client):
    response, _ = page(client, "q=polise+<i>x</i>")
    html = response.content.decode()
    assert "<i>x</i>" not in html
    assert "polise &lt;i&gt;x&lt;/i&gt;</a>" in html


@pytest.mark.usefixtures("records")
def test_no_correction_no_notice(client):
    _, soup = page(client, "q=police")
    assert soup.find(class_="correction") is None


@pytest.mark.usefixtures("records")
def test_the_api_returns_the_corrected_query_or_null(client):
    assert api(client, "q=polise").json()["corrected_query"] == "police"
    assert api(client, "q=police").json()["corrected_query"] is None
    assert api(client).json()["corrected_query"] is None


def test_spell_false_asks_the_service_not_to_correct():
    assert parse_search_params(QueryDict("q=polise")).correct is True
    assert parse_search_params(QueryDict("q=polise&spell=0")).correct is False
    assert parse_search_params(QueryDict("q=polise&spell=false")).correct is False
    with pytest.raises(InvalidParameter) as invalid:
        parse_search_params(QueryDict("spell=maybe"))
    assert invalid.value.parameter == "spell"


def test_the_openapi_description_says_what_the_correction_is(client):
    operation = client.get("/api/v1/schema/").json()["paths"]["/api/v1/search/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "typos corrected" in schema["properties"]["corrected_query"]["description"]
    assert "corrected_query" in schema["required"]
    assert "spell" in {parameter["name"] for parameter in operation["parameters"]}


# No dead ends


@pytest.mark.usefixtures("records")
def test_a_search_that_finds_nothing_offers_nearest_terms_and_pillars(client):
    _, soup = page(client, "q=police&country=JM&evidence_rating=harmful")
    text = soup.get_text(" ", strip=True)
    assert "Nothing matches this search." in text
    nearest = soup.find(class_="nearest-terms")
    assert {"Police", "Police training"} <= {link.get_text() for link in nearest.find_all("a")}
    assert "?setting=police" in {link["href"] for link in nearest.find_all("a")}
    pillars = {link.get_text(): link["href"] for link in soup.find(class_="browse-pillars").find_all("a")}
    assert pillars["Protecting vulnerable populations"] == "?pillar=protecting-vulnerable-populations"
    assert len(pillars) == 3


@pytest.mark.usefixtures("records")
def test_nearest_terms_follow_the_visitors_language():
    offered = ways_on(SearchParams(q="policia", lang="es"))
    assert "Policía" in [term.label for term in offered.terms]
    assert "Protección de poblaciones vulnerables" in [pillar.label for pillar in offered.pillars]


def test_words_like_no_label_offer_no_terms():
    assert nearest_terms("zzqxv", "en", current_snapshot()) == []


@pytest.mark.usefixtures("records")
def test_a_page_past_the_last_is_a_404_on_the_page_and_a_400_in_the_api(client):
    assert page(client, "q=police&page=99")[0].status_code == 404
    response = api(client, "q=police&page=99")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "page"
    assert response.json()["error"]["message"]


def test_page_1_of_nothing_is_not_an_error(client):
    assert page(client, "q=zzqxv")[0].status_code == 200
    assert api(client, "q=zzqxv").json()["count"] == 0
    assert page(client, "q=zzqxv&page=2")[0].status_code == 404


# Highlights


def test_words_with_a_stem_the_search_matched_are_marked_in_a_spanish_record():
    terms = search_records(SearchParams(q="homicidios", lang="es")).terms
    text = "Un homicidio. Homicidios <script>x</script> homicidas"
    snippet = highlight(text, "homicidios", terms=terms, languages=["es"])
    assert snippet == "Un <mark>homicidio</mark>. <mark>Homicidios</mark> &lt;script&gt;x&lt;/script&gt; homicidas"


def test_without_terms_words_are_marked_by_prefix_as_before():
    assert highlight("Jóvenes en riesgo", "JOVEN") == "<mark>Jóvenes</mark> en riesgo"


def test_the_page_marks_stemmed_matches_and_escapes_the_record(client, import_records):
    import_records(RecordFactory(slug="hostile", summary="Zorblings <script>alert(1)</script> and one zorbling."))
    response, soup = page(client, "q=zorbling")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>Zorblings</mark> &lt;script&gt;alert(1)&lt;/script&gt; and one <mark>zorbling</mark>." in html


def test_a_synonym_match_marks_the_synonym(client, import_records):
    import_records(RecordFactory(slug="amnesty", summary="A quuxcannon amnesty in three cities."))
    ThesaurusConceptFactory(name="quux", labels={"en": ["quuxcannon", "zarbleblaster"]})
    _, soup = page(client, "q=zarbleblaster")
    card = next(article for article in soup.find_all("article") if "quuxcannon" in article.get_text())
    assert [mark.get_text() for mark in card.find_all("mark")] == ["quuxcannon"]


def test_a_word_of_a_longer_synonym_alone_is_not_marked(client, import_records):
    import_records(RecordFactory(slug="gangs", summary="Flarnwick crews and a street market in three cities."))
    ThesaurusConceptFactory(name="flarnwick", labels={"en": ["flarnwick", "street flarnwick"]})
    _, soup = page(client, "q=flarnwick")
    card = next(article for article in soup.find_all("article") if "Flarnwick" in article.get_text())
    assert [mark.get_text() for mark in card.find_all("mark")] == ["Flarnwick"]


# What editors learn from searches


def daily(query_string):
    return DailyQueryResults.objects.get(query__query_string=query_string)


@pytest.mark.usefixtures("records")
def test_a_search_is_counted_for_its_normalized_query(client):
    count = api(client, "q=Police").json()["count"]
    page(client, "q=police++")
    flush_search_counts()
    assert Query.objects.get(query_string="police").hits == 2
    row = daily("police")
    assert (row.searches, row.without_results, row.last_result_count) == (2, 0, count)


def test_a_search_that_finds_nothing_is_counted_as_such(client):
    page(client, "q=zzqxv")
    flush_search_counts()
    row = daily("zzqxv")
    assert (row.searches, row.without_results, row.last_result_count) == (1, 1, 0)


@pytest.mark.usefixtures("records")
def test_later_pages_empty_queries_and_exports_are_not_counted(client):
    assert page(client, "q=police&page=2&page_size=5")[0].status_code == 200
    page(client, "q=+++")
    page(client)
    client.get("/search/export.csv?q=violence")
    client.get("/search/export.json?q=violence")
    flush_search_counts()
    assert not Query.objects.exists() and not DailyQueryResults.objects.exists()


@override_settings(SEARCH_COUNT_FLUSH_SECONDS=10, SEARCH_COUNT_FLUSH_QUERIES=3)
def test_searches_are_written_together_after_a_while_or_once_they_count_enough_queries(client):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        page(client, "q=police")
        api(client, "q=violence")
        traveller.shift(timedelta(seconds=9))
        api(client, "q=police")
        assert not DailyQueryResults.objects.exists()
        traveller.shift(timedelta(seconds=1))
        api(client, "q=police")
        assert sorted(DailyQueryResults.objects.values_list("query__query_string", "searches")) == [
            ("police", 3),
            ("violence", 1),
        ]
        for query in ["gangs", "prisons"]:
            page(client, f"q={query}")
        assert DailyQueryResults.objects.count() == 2
        page(client, "q=schools")
        assert DailyQueryResults.objects.count() == 5


@pytest.mark.usefixtures("records")
def test_searches_are_counted_on_the_day_they_were_made_in_both_tables(client):
    days = [datetime(2026, 3, 1, 23, 59, tzinfo=UTC), datetime(2026, 3, 2, 0, 1, tzinfo=UTC)]
    for day, searches in zip(days, [["q=police", "q=zzqxv"], ["q=police", "q=police", "q=zzqxv"]], strict=True):
        with time_machine.travel(day, tick=False):
            for query in searches:
                page(client, query)
                api(client, query)
    flush_search_counts()
    hits = QueryDailyHits.objects.values_list("query__query_string", "date", "hits")
    results = DailyQueryResults.objects.values_list("query__query_string", "date", "searches", "without_results")
    assert sorted(hits) == [
        ("police", date(2026, 3, 1), 2),
        ("police", date(2026, 3, 2), 4),
        ("zzqxv", date(2026, 3, 1), 2),
        ("zzqxv", date(2026, 3, 2), 2),
    ]
    assert sorted(results) == [
        ("police", date(2026, 3, 1), 2, 0),
        ("police", date(2026, 3, 2), 4, 0),
        ("zzqxv", date(2026, 3, 1), 2, 2),
        ("zzqxv", date(2026, 3, 2), 2, 2),
    ]


def test_a_flush_adds_to_the_counts_already_written(client):
    page(client, "q=police")
    flush_search_counts()
    api(client, "q=police")
    api(client, "q=zzqxv")
    flush_search_counts()
    assert (daily("police").searches, daily("zzqxv").searches, Query.objects.get(query_string="police").hits) == (
        2,
        1,
        2,
    )


@override_settings(SEARCH_COUNT_FLUSH_SECONDS=3600, SEARCH_COUNT_FLUSH_QUERIES=1000)
def test_searches_counted_by_many_threads_at_once_are_all_written(client):
    """Threads count while the counts are written: none is counted twice or lost between the two."""
    threads, searches_each, queries = 8, 1000, ["police", "violence", "gangs"]

    def search(thread):
        for n in range(searches_each):
            count_search(queries[(thread + n) % len(queries)], 1, found_nothing=n % 2 == 0)

    switch_interval = sys.getswitchinterval()
    # Switching threads as often as possible makes a count lost between reading and writing the buffer likely.
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(threads) as pool:
            searching = [pool.submit(search, thread) for thread in range(threads)]
            while not all(future.done() for future in searching):
                flush_search_counts()
            for future in searching:
                future.result()
    finally:
        sys.setswitchinterval(switch_interval)
    flush_search_counts()
    searches = DailyQueryResults.objects.aggregate(searches=Sum("searches"), without_results=Sum("without_results"))
    assert searches == {"searches": threads * searches_each, "without_results": threads * searches_each // 2}
    assert QueryDailyHits.objects.aggregate(hits=Sum("hits"))["hits"] == threads * searches_each


@override_settings(SEARCH_COUNT_FLUSH_SECONDS=0)
def test_a_failure_to_write_the_counts_never_breaks_a_search_and_loses_none(client, monkeypatch, caplog):
    def fail(counts):
        raise DatabaseError("the log is unavailable")

    monkeypatch.setattr(query_log, "write_counts", fail)
    with caplog.at_level(logging.ERROR, logger="search.query_log"):
        assert page(client, "q=police")[0].status_code == 200
        assert api(client, "q=police").status_code == 200
    assert "Could not write the counts" in caplog.text
    assert not DailyQueryResults.objects.exists()
    monkeypatch.undo()
    api(client, "q=zzqxv")
    assert (daily("police").searches, daily("zzqxv").searches) == (2, 1)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def report_rows(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    rows = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in soup.select("tbody tr")]
    return soup, rows


@pytest.mark.usefixtures("records")
def test_the_report_lists_the_most_searched_queries_with_how_many_found_nothing(client, staff_client):
    for query in ["police", "police", "zzqxv", "violence", "police", "violence"]:
        page(client, f"q={query}")
    _, rows = report_rows(staff_client, "search_queries_report")
    assert rows == [["police", "3", "0"], ["violence", "2", "0"], ["zzqxv", "1", "1"]]


@pytest.mark.usefixtures("records")
def test_the_second_report_lists_the_queries_that_found_nothing_and_links_to_the_thesaurus(client, staff_client):
    for query in ["zzqxv", "qqwwee", "zzqxv", "police"]:
        page(client, f"q={query}")
    soup, rows = report_rows(staff_client, "search_queries_without_results_report")
    assert rows == [["zzqxv", "2", "2"], ["qqwwee", "1", "1"]]
    assert soup.find("a", string="thesaurus")["href"].startswith("/admin/snippets/")


def test_reports_are_for_staff_with_admin_access(client):
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(reverse("search_queries_report")).status_code == 302
    assert "Site searches" not in client.get("/admin/").content.decode()


def test_the_admin_menus_offer_the_reports_and_promoted_results(staff_client):
    html = staff_client.get("/admin/").content.decode()
    for label in ["Site searches", "Searches that found nothing", "Promoted search results"]:
        assert label in html


# Editors' picks


@pytest.mark.usefixtures("records")
def test_promoted_pages_come_first_marked_and_not_repeated(client):
    pick = intervention("boot-camps")
    promote("police", pick)
    _, soup = page(client, "q=police")
    cards = soup.find_all("article")
    assert "Editor's pick" in cards[0].get_text() and pick.title in cards[0].get_text()
    assert sum(pick.title in card.get_text() for card in cards) == 1
    assert all("Editor's pick" not in card.get_text() for card in cards[1:])
    results = api(client, "q=POLICE").json()["results"]
    assert (results[0]["slug"], results[0]["promoted"]) == (pick.slug, True)
    assert not any(result["promoted"] for result in results[1:])
    assert [result["slug"] for result in results].count(pick.slug) == 1


@pytest.mark.usefixtures("records")
def test_a_promoted_page_that_matches_keeps_its_place_at_the_top_only(client):
    matching = search_records(SearchParams(q="police")).hits[3]
    promote("police", matching)
    hits = with_promotions(search_records(SearchParams(q="police"))).hits
    assert hits[0].pk == matching.pk and hits[0].promoted and hits[0].score is not None
    assert [hit.pk for hit in hits].count(matching.pk) == 1


@pytest.mark.usefixtures("records")
def test_filters_still_apply_to_promoted_pages(client):
    pick = intervention("boot-camps")
    promote("police", pick)
    results = api(client, "q=police&country=BR").json()["results"]
    assert pick.slug not in [result["slug"] for result in results]


@pytest.mark.usefixtures("records")
def test_promoted_pages_are_shown_in_the_visitors_language(client):
    promote("empleos", intervention("summer-jobs"))
    results = api(client, "q=empleos&lang=es").json()["results"]
    assert results[0]["promoted"] and results[0]["title"].startswith("Programa de empleos de verano")
    assert results[0]["url"].startswith("http://testserver/es/")
    _, soup = page(client, "q=empleos", path="/es/search/")
    assert "Selección editorial" in soup.find("article").get_text()


def test_knowledge_products_are_promoted_too(client):
    guide = KnowledgeProductPageFactory(parent=PillarPageFactory(), title="A guide to stopping violence")
    promote("police", guide)
    results = api(client, "q=police").json()["results"]
    assert (results[0]["content_type"], results[0]["slug"], results[0]["promoted"]) == (
        "knowledge_product",
        guide.slug,
        True,
    )


@pytest.mark.usefixtures("records")
def test_drafts_and_other_kinds_of_page_are_never_promoted(client):
    draft = KnowledgeProductPageFactory(parent=PillarPageFactory(), title="A draft guide", publish=False)
    interventions_index = intervention("boot-camps").get_parent()
    promote("police", draft, interventions_index)
    results = api(client, "q=police").json()["results"]
    assert not any(result["promoted"] for result in results)


@pytest.mark.usefixtures("records")
def test_picks_are_on_the_first_page_only(client):
    pick = intervention("boot-camps")
    promote("police", pick)
    results = api(client, "q=police&page=2&page_size=5").json()["results"]
    assert not any(result["promoted"] for result in results)
