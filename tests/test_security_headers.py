"""Content-Security-Policy and Permissions-Policy: strict on the public pages, with the Wagtail admin's documented
relaxations under /admin/ only. tests/test_browser.py uses the site under them in Chromium."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from interventions.models import InterventionPage

from .admin_forms import edit_url, form_values
from .factories import UserFactory
from .security_policies import assert_strict_public_policy, directives

PUBLIC_PAGES = [
    "/",
    "/es/",
    "/search/?q=violence&pillar=protecting-vulnerable-populations",
    "/interventions/becoming-a-man/",
    "/compare/?i=becoming-a-man&i=scared-straight",
    "/gap-map/",
    "/api/v1/search/?q=police",
]
# Data blocks, which browsers never run.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


@pytest.fixture
def administrator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.usefixtures("shipped_records")
def test_public_pages_have_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_public_policy(response.headers)
    assert directives(response.headers["Content-Security-Policy"])["img-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES[:-1])
def test_public_pages_need_no_inline_script_or_style(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    # Data, or the site's own files: nothing inline.
    inline = [script for script in soup.find_all("script") if not script.get("src", "").startswith("/static/")]
    assert [script for script in inline if script.get("type") not in DATA_SCRIPT_TYPES] == []
    assert soup.find_all("style") == soup.find_all(style=True) == []
    assert [tag for tag in soup.find_all(True) if any(attribute.startswith("on") for attribute in tag.attrs)] == []


@pytest.mark.django_db
def test_the_permissions_policy_denies_what_the_site_does_not_use(client):
    policy = dict(feature.split("=") for feature in client.get("/").headers["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()"


@pytest.mark.django_db
def test_the_wagtail_admin_allows_inline_elements_and_nothing_else(client):
    response = client.get(reverse("wagtailadmin_login"))
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src-elem"] == policy["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    # Inline event handlers and style attributes stay refused; no eval; nobody frames the admin.
    assert policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_django_admin_has_the_strict_policy(administrator_client):
    response = administrator_client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    assert_strict_public_policy(response.headers)


@pytest.mark.django_db
@pytest.mark.usefixtures("shipped_records")
def test_the_preview_may_be_framed_by_the_editor_alone(administrator_client):
    page = InterventionPage.objects.get(slug="becoming-a-man", locale__language_code="en")
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    form = form_values(administrator_client.get(edit_url(page)).content)
    assert administrator_client.post(preview_url, form).json()["is_valid"]

    response = administrator_client.get(preview_url)
    assert page.title in response.content.decode()
    policy = directives(response.headers["Content-Security-Policy"])
    # The admin's policy, not the one the previewed page was rendered with, and framed by the editor.
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src-elem"] == ["'self'", "'unsafe-inline'"]


@pytest.mark.django_db
def test_djangos_debug_pages_keep_their_inline_styles_in_development(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Content-Security-Policy" not in response.headers
    assert "Content-Security-Policy" in client.get("/").headers
