"""Answers that every visitor who is not logged in shares, kept in Django's cache (Redis when REDIS_URL is set, each
process's memory otherwise): the search page, the search API, the gap map and the record pages.

An answer is kept under the version token of the search data (search.snapshot), the language and the full URL. Every
change of what those pages show (a record published, unpublished or edited, a vocabulary term, a synonym, an editor's
pick) replaces the token in the same transaction, so the request after it looks under a new key: nothing is ever
invalidated, old answers age out (settings.RESPONSE_CACHE_TIMEOUT).

Only what is the same for everyone is kept: answers to GET requests without a session cookie (an editor who is logged
in has one, and so has a visitor who gave a page's password) that are a 200, set no cookie, used no CSRF token, and
do not say private or no-store, as Wagtail says of every page with a view restriction. A kept answer carries an ETag
made from its key, so that a browser or proxy asking again with If-None-Match gets a 304, and `Cache-Control: public`
with settings.RESPONSE_CACHE_MAX_AGE. What middleware adds to every answer (Vary, security headers) is added to
answers from the cache as to the others.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from .snapshot import current_token

UNSHAREABLE_DIRECTIVES = {"private", "no-cache", "no-store"}


def cache_for_visitors(view):
    """A view whose answers to visitors who are not logged in are kept and reused (see the module's docstring)."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        return cached_answer(request, lambda: view(request, *args, **kwargs))

    return answer


def cached_answer(request, respond):
    """The answer to `request` from the cache when it holds one, else what `respond()` makes, kept if it may be."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return respond()
    key = answer_key(request)
    response = cache.get(key)
    if response is not None:
        for task in getattr(response, "tasks_on_every_answer", ()):
            task()
        return get_conditional_response(request, etag=response.headers["ETag"], response=response)
    response = respond()
    if getattr(response, "is_rendered", True):
        keep(request, key, response)
    else:
        # A template response is rendered after the view returns: whether it used a CSRF token is known then.
        response.add_post_render_callback(lambda rendered: keep(request, key, rendered))
    return response


def on_every_answer(response, task):
    """Has `task` done again each time the cache answers with this response: work that every visit needs, such as
    counting a search for the editors' reports. The task is kept with the response, so it must pickle (a function of a
    module, or a partial of one)."""
    response.tasks_on_every_answer = (*getattr(response, "tasks_on_every_answer", ()), task)
    return response


def answer_key(request):
    parts = f"{current_token()}\n{get_language()}\n{request.build_absolute_uri()}"
    return f"response:{hashlib.sha256(parts.encode()).hexdigest()}"


def keep(request, key, response):
    if not shareable(request, response):
        return
    response.headers["ETag"] = f'W/"{key.removeprefix("response:")[:32]}"'
    patch_cache_control(response, public=True, max_age=settings.RESPONSE_CACHE_MAX_AGE)
    # The answer differs for a logged-in editor, whose session cookie the cache and proxies must tell apart.
    patch_vary_headers(response, ["Cookie"])
    cache.set(key, response, settings.RESPONSE_CACHE_TIMEOUT)


def shareable(request, response):
    """Whether the answer is the same for every visitor without a session (see the module's docstring)."""
    session = getattr(request, "session", None)
    cache_control = {
        directive.split("=")[0].strip().lower() for directive in response.get("Cache-Control", "").split(",")
    }
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not cache_control & UNSHAREABLE_DIRECTIVES
    )
