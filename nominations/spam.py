"""Spam protection without third-party services: a field people never see (bots fill it), a minimum time between
opening the form and sending it (bots send at once), and a limit on nominations per client address."""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from logins.client_address import client_address

SIGNING_SALT = "nominations.form-started"
# A form left open longer than this is sent again with a new time: the signed time would be too old to trust.
FORM_MAX_AGE_SECONDS = 24 * 60 * 60


def form_started_token(at=None):
    """When the form was served, signed so that a client cannot pretend it opened the form earlier."""
    return signing.dumps(time.time() if at is None else at, salt=SIGNING_SALT)


def seconds_since_form_started(token):
    """Seconds since the form carrying `token` was served; None when the token is missing, forged or too old."""
    try:
        started = signing.loads(token, salt=SIGNING_SALT, max_age=FORM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return time.time() - started if isinstance(started, (int, float)) else None


def sent_too_fast(seconds):
    return seconds < settings.NOMINATION_MIN_SECONDS


def _sent_key(address):
    return f"nominations:sent:{address}"


def rate_limited(request):
    """Whether this client address has sent its allowance of nominations in the current window. The addresses are
    those the login throttle counts (logins.client_address), behind a trusted proxy too."""
    return cache.get(_sent_key(client_address(request)), 0) >= settings.NOMINATION_RATE_LIMIT


def count_sent(request):
    """Counts a stored nomination against its client address. The window starts with the address's first nomination
    and lasts NOMINATION_RATE_WINDOW_MINUTES; the counts live in Django's cache (Redis when REDIS_URL is set)."""
    key = _sent_key(client_address(request))
    cache.add(key, 0, timeout=settings.NOMINATION_RATE_WINDOW_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=settings.NOMINATION_RATE_WINDOW_MINUTES * 60)
