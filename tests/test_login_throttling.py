"""Password guessing at either admin's login page is throttled per account and per client address, with a clear
answer, an audit that superusers read in the Wagtail admin, and no password kept anywhere."""

import logging
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from logins.client_address import client_address

from .factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/admin/login/", "/django-admin/login/"]
PASSWORD = "a-long-test-password"  # the factory's
ADDRESS = "203.0.113.7"


@pytest.fixture
def admin_user():
    return UserFactory(username="chief-editor", is_staff=True, is_superuser=True)


def log_in(client, login_page, username, password=PASSWORD, address=ADDRESS, **headers):
    return client.post(login_page, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def logged_in(client):
    return "_auth_user_id" in client.session


def fail_up_to_the_limit(client, login_page, usernames, addresses):
    """One wrong password per (username, address) pair, as many as the limit: each is an ordinary refusal except the
    last, which locks out."""
    pairs = list(zip(usernames, addresses, strict=True))
    assert len(pairs) == settings.AXES_FAILURE_LIMIT
    for username, address in pairs[:-1]:
        response = log_in(client, login_page, username, "wrong-password", address)
        assert response.status_code == 200
        assert b"locked" not in response.content
    username, address = pairs[-1]
    return log_in(client, login_page, username, "wrong-password", address)


def cooloff_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def assert_locked_out(response, client):
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text
    assert f"locked for {cooloff_minutes()} minutes" in text
    assert not logged_in(client)


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_the_right_password_before_the_limit_logs_in(client, admin_user, login_page):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, login_page, admin_user.username, "wrong-password").status_code == 200
    response = log_in(client, login_page, admin_user.username)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_after_the_limit_even_the_right_password_is_refused(client, admin_user, login_page):
    limit = settings.AXES_FAILURE_LIMIT
    response = fail_up_to_the_limit(client, login_page, [admin_user.username] * limit, [ADDRESS] * limit)
    assert_locked_out(response, client)
    assert_locked_out(log_in(client, login_page, admin_user.username), client)


def test_an_account_is_locked_whatever_the_address(client, admin_user):
    addresses = [f"198.51.100.{n}" for n in range(1, settings.AXES_FAILURE_LIMIT + 1)]
    fail_up_to_the_limit(client, "/admin/login/", [admin_user.username] * len(addresses), addresses)
    assert_locked_out(log_in(client, "/admin/login/", admin_user.username, address="192.0.2.99"), client)
    # The address itself is not locked: another account logs in from it.
    other = UserFactory(is_superuser=True)
    assert log_in(client, "/admin/login/", other.username, address="192.0.2.99").status_code == 302


def test_an_address_is_locked_whatever_the_account(client, admin_user):
    usernames = [f"guess-{n}" for n in range(settings.AXES_FAILURE_LIMIT)]
    fail_up_to_the_limit(client, "/admin/login/", usernames, [ADDRESS] * len(usernames))
    assert_locked_out(log_in(client, "/admin/login/", admin_user.username), client)
    # The account itself is not locked: it logs in from another address.
    assert log_in(client, "/admin/login/", admin_user.username, address="192.0.2.99").status_code == 302


def test_the_lockout_ends_a_cooloff_after_the_last_attempt(client, admin_user):
    limit, cooloff = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    last_attempt = timezone.now()
    with time_machine.travel(last_attempt, tick=False):
        fail_up_to_the_limit(client, "/admin/login/", [admin_user.username] * limit, [ADDRESS] * limit)
    # Each attempt during the lockout, even with the right password, starts the wait again: the second one comes
    # later than a cool-off after the lockout began.
    for _ in range(2):
        last_attempt += cooloff - timedelta(seconds=1)
        with time_machine.travel(last_attempt, tick=False):
            assert_locked_out(log_in(client, "/admin/login/", admin_user.username), client)
    with time_machine.travel(last_attempt + cooloff + timedelta(seconds=1), tick=False):
        assert log_in(client, "/admin/login/", admin_user.username).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "bloqueado durante 15 minutos"),
        ("pt", "bloqueado por 15 minutos"),
        ("fr", "bloquée pendant 15 minutes"),
    ],
)
def test_the_lockout_speaks_the_visitors_language(client, admin_user, settings, language, message):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        log_in(client, "/admin/login/", admin_user.username, "wrong-password")
    response = log_in(client, "/admin/login/", admin_user.username, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    assert message in response.content.decode()


def test_the_audit_records_logins_failures_and_lockouts_without_passwords(client, admin_user, caplog):
    caplog.set_level(logging.INFO)
    other = UserFactory(is_staff=True, is_superuser=True)
    log_in(client, "/django-admin/login/", other.username, address="192.0.2.99")
    login = AccessLog.objects.get(username=other.username)
    assert (login.ip_address, login.path_info) == ("192.0.2.99", "/django-admin/login/")

    limit = settings.AXES_FAILURE_LIMIT
    fail_up_to_the_limit(client, "/admin/login/", [admin_user.username] * limit, [ADDRESS] * limit)
    log_in(client, "/admin/login/", admin_user.username)  # refused: locked out
    failures = AccessFailureLog.objects.filter(username=admin_user.username).order_by("attempt_time", "pk")
    assert [failure.locked_out for failure in failures] == [False] * (limit - 1) + [True, True]
    assert {(failure.ip_address, failure.path_info) for failure in failures} == {(ADDRESS, "/admin/login/")}
    assert AccessAttempt.objects.get(username=admin_user.username).failures_since_start == limit + 1
    assert not AccessLog.objects.filter(username=admin_user.username).exists()

    kept = AccessAttempt.objects.get(username=admin_user.username).post_data
    assert "wrong-password" not in kept and PASSWORD not in kept
    assert "login failure" in caplog.text
    assert "wrong-password" not in caplog.text and PASSWORD not in caplog.text
    assert admin_user.username not in caplog.text  # nor who, nor from where: the audit in the database says that
    assert ADDRESS not in caplog.text


def test_superusers_read_the_audit_in_the_wagtail_admin_and_nobody_edits_it(client, admin_user):
    log_in(client, "/admin/login/", "someone", "wrong-password")
    log_in(client, "/admin/login/", "another", "wrong-password", address="192.0.2.99")
    failure = AccessFailureLog.objects.get(username="someone")
    editor = UserFactory(groups=["Editors"])
    client.force_login(editor)
    assert client.get(reverse("failed_logins:index")).status_code == 302  # Wagtail: permission denied
    assert b"Login audit" not in client.get(reverse("wagtailadmin_home")).content

    client.force_login(admin_user)
    assert b"Login audit" in client.get(reverse("wagtailadmin_home")).content
    for listing in ["failed_logins:index", "login_failure_counts:index", "successful_logins:index"]:
        response = client.get(reverse(listing))
        assert response.status_code == 200
    listing = client.get(reverse("failed_logins:index")).content.decode()
    assert "someone" in listing and ADDRESS in listing
    for search in ["someone", "203.0.113"]:
        found = client.get(reverse("failed_logins:index"), {"q": search}).content.decode()
        assert "someone" in found and "another" not in found
    assert client.get(reverse("failed_logins:inspect", args=[failure.pk])).status_code == 200
    assert client.get(f"/admin/failed_logins/edit/{failure.pk}/").status_code == 404
    assert client.get(f"/admin/failed_logins/delete/{failure.pk}/").status_code == 404


def test_the_test_clients_login_and_force_login_still_work(client, admin_user):
    assert client.login(username=admin_user.username, password=PASSWORD)
    client.logout()
    client.force_login(admin_user)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def address_of(settings, header_name=None, **meta):
    settings.CLIENT_IP_HEADER = header_name or ""
    return client_address(RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.2", **meta))


def test_the_client_address_is_the_connections_unless_a_proxy_header_is_trusted(settings):
    forwarded = {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7"}
    assert address_of(settings, **forwarded) == "10.0.0.2"
    # The proxy appends the address it saw: what the client wrote before it is not believed.
    assert address_of(settings, "X-Forwarded-For", **forwarded) == "203.0.113.7"
    assert address_of(settings, "X-Real-IP", HTTP_X_REAL_IP="2001:DB8::1") == "2001:db8::1"
    # Not through the proxy, or not an address: the connection's.
    assert address_of(settings, "X-Real-IP") == "10.0.0.2"
    assert address_of(settings, "X-Real-IP", HTTP_X_REAL_IP="unknown") == "10.0.0.2"


def test_a_spoofed_forwarded_header_does_not_escape_the_address_lockout(client, admin_user):
    usernames = [f"guess-{n}" for n in range(settings.AXES_FAILURE_LIMIT)]
    for n, username in enumerate(usernames):
        response = log_in(client, "/admin/login/", username, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert response.status_code == 429
