"""Answers shared by visitors who are not logged in are kept and reused (search.response_cache): until the search
data changes, for visitors without a session only, and never for a page with a view restriction."""

import socket

import pytest
from django.core.cache import caches
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import override_settings
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

from search.models import DailyQueryResults
from search.query_log import flush_search_counts
from search.response_cache import cached_answer
from tests.factories import RecordFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/search/?q=quorblat"
BROWSE_API = "/api/v1/search/?sort=title&page_size=100"
REDIS_DB_2 = "redis://127.0.0.1:6379/2"


@pytest.fixture
def record(import_records):
    return import_records(RecordFactory(slug="alpha", title="Alpha quorblat patrols"))[0]


@pytest.mark.parametrize("path", [BROWSE_API, API, "/search/?q=quorblat"])
def test_a_second_visit_to_a_search_reads_only_the_version_token(client, record, path, django_assert_num_queries):
    # A search with words is counted again at each visit, in the process's memory (search.query_log).
    first = client.get(path)
    with django_assert_num_queries(1) as queries:
        second = client.get(path)
    assert "searchdataversion" in queries.captured_queries[0]["sql"]
    assert second.status_code == 200
    assert second.content == first.content
    assert "Alpha quorblat patrols" in second.content.decode()


@pytest.mark.parametrize("path", ["/search/?q=quorblat", "/gap-map/", "/es/search/?q=quorblat"])
def test_a_second_visit_to_a_page_renders_no_template(client, record, path):
    first = client.get(path)
    second = client.get(path)
    assert first.templates
    assert not second.templates
    assert second.content == first.content


def test_a_second_visit_to_a_profile_renders_no_template(client, record):
    first = client.get(record.url)
    second = client.get(record.url)
    assert first.status_code == second.status_code == 200
    assert first.templates and not second.templates
    assert b"Alpha quorblat patrols" in second.content


def test_a_search_answered_from_the_cache_is_still_counted_for_the_editors(client, record):
    client.get("/search/?q=quorblat")
    client.get("/search/?q=quorblat")
    client.get(API)
    client.get(API)
    flush_search_counts()
    assert DailyQueryResults.objects.get(query__query_string="quorblat").searches == 4
    assert Query.get("quorblat").hits == 4


def test_a_publish_is_seen_on_the_next_request(client, record):
    client.get(API)
    client.get(record.url)
    record.title = "Alpha quorblat foot patrols"
    record.save_revision().publish()
    assert client.get(API).json()["results"][0]["title"] == "Alpha quorblat foot patrols"
    assert b"Alpha quorblat foot patrols" in client.get(record.url).content


def test_an_editors_pick_is_seen_on_the_next_search(client, record, import_records):
    other = import_records(RecordFactory(slug="beta", title="Beta patrols"))[0]
    assert [hit["slug"] for hit in client.get(API).json()["results"]] == ["alpha"]
    SearchPromotion.objects.create(query=Query.get("quorblat"), page=other, sort_order=0)
    assert [hit["slug"] for hit in client.get(API).json()["results"]] == ["beta", "alpha"]


def test_a_logged_in_user_is_never_answered_from_the_cache_nor_stored_into_it(client, record):
    client.get("/search/?q=quorblat")  # kept for visitors
    client.force_login(UserFactory())
    assert client.get("/search/?q=quorblat").templates
    as_user = client.get("/search/?q=patrols")
    assert as_user.templates and "ETag" not in as_user
    client.logout()
    assert client.get("/search/?q=patrols").templates  # the user's answer was not kept


def test_a_visitor_who_asks_again_with_the_etag_gets_a_304_until_the_data_changes(client, record):
    first = client.get(API)
    etag = first["ETag"]
    assert client.get(API, headers={"if-none-match": etag}).status_code == 304
    record.title = "Alpha quorblat foot patrols"
    record.save_revision().publish()
    changed = client.get(API, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@override_settings(RESPONSE_CACHE_MAX_AGE=45)
def test_answers_say_how_long_browsers_and_proxies_may_reuse_them(client, record):
    for response in (client.get(API), client.get(API)):
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=45"}
        assert "Cookie" in response["Vary"]
    assert "Accept-Language" in client.get("/search/")["Vary"]


def test_a_page_restricted_to_logged_in_users_is_never_answered_from_the_cache(client, record):
    assert client.get(record.url).status_code == 200  # kept while public
    PageViewRestriction.objects.create(page=record, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(record.url).status_code == 302
    client.force_login(UserFactory())
    shown = client.get(record.url)
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]


def test_a_password_protected_page_is_never_kept(client, record):
    restriction = PageViewRestriction.objects.create(
        page=record, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    form = client.get(record.url)
    assert form.status_code == 200 and b"password" in form.content
    assert client.get(record.url).templates
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{record.pk}/",
        {"password": "open sesame", "return_url": record.url},
    )
    assert b"Alpha quorblat patrols" in client.get(record.url).content
    client.cookies.clear()
    assert b"Alpha quorblat patrols" not in client.get(record.url).content


def test_each_language_and_url_has_its_own_answer(client, record):
    english = client.get("/search/?q=quorblat")
    spanish = client.get("/es/search/?q=quorblat")
    other_query = client.get("/search/?q=patrols")
    assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"
    assert len({english.content, spanish.content, other_query.content}) == 3
    assert len({english["ETag"], spanish["ETag"], other_query["ETag"]}) == 3


def ok():
    return HttpResponse("shared")


def not_found():
    return HttpResponse("missing", status=404)


def with_cookie():
    response = HttpResponse("personal")
    response.set_cookie("seen", "yes")
    return response


def private():
    response = HttpResponse("personal")
    response["Cache-Control"] = "private"
    return response


def streamed():
    return StreamingHttpResponse(iter(["a", "b"]))


@pytest.mark.parametrize(
    ("respond", "kept"),
    [(ok, True), (not_found, False), (with_cookie, False), (private, False), (streamed, False)],
)
def test_only_a_200_that_is_the_same_for_everyone_is_kept(rf, respond, kept):
    calls = []

    def counted():
        calls.append(1)
        return respond()

    for _ in range(2):
        cached_answer(rf.get("/search/"), counted)
    assert len(calls) == (1 if kept else 2)


def test_an_answer_that_used_a_csrf_token_is_never_kept(rf):
    calls = []

    def with_form(request):
        calls.append(1)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    for _ in range(2):
        request = rf.get("/search/")
        cached_answer(request, lambda request=request: with_form(request))
    assert len(calls) == 2


def test_requests_with_a_session_cookie_or_other_methods_are_never_cached(rf):
    calls = []

    def counted():
        calls.append(1)
        return ok()

    with_session = rf.get("/search/")
    with_session.COOKIES["sessionid"] = "abc"
    for request in (with_session, with_session, rf.head("/search/"), rf.head("/search/")):
        cached_answer(request, counted)
    assert len(calls) == 4


def redis_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DB_2}}


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_answers_are_kept_in_redis_when_it_is_configured(client, record, django_assert_num_queries):
    with override_settings(CACHES=REDIS_CACHE):
        caches["default"].clear()
        try:
            first = client.get(BROWSE_API)
            with django_assert_num_queries(1):
                second = client.get(BROWSE_API)
            assert second.content == first.content
        finally:
            caches["default"].clear()
