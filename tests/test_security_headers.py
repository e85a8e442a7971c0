"""Content-Security-Policy and Permissions-Policy: strict on the public pages, with the Wagtail admin's documented
relaxations under /admin/ only. tests/test_browser.py uses the site under them in Chromium."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from interventions.models import InterventionPage

from .admin_forms import edit_url, form_values
from .factories import OutcomeFactory, RecordFactory, StudyFactory, UserFactory
from .security_policies import assert_strict_public_policy, directives

PUBLIC_PAGES = [
    "/",
    "/es/",
    "/search/?q=violence&pillar=protecting-vulnerable-populations",
    "/interventions/youth-cbt/",
    "/compare/?i=youth-cbt&i=prison-visits-for-youth",
    "/gap-map/",
    "/api/v1/search/?q=police",
]
# Data blocks, which browsers never run.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def record(slug, title, rating, effect, **fields):
    """A record with what a profile draws (headline, forest plot, EMMIE texts, studies, costs, a translation), so
    that the pages are checked with everything they can show."""
    return RecordFactory(
        slug=slug,
        title=title,
        summary=f"{title}: a synthetic record about youth violence, for the tests.",
        evidence_rating=rating,
        intervention_types=["cognitive-behavioural-therapy"],
        countries=["CO"],
        mechanism_html="<p>Sessions teach the participants to stop and think.</p>",
        implementation_html="<p>Trained counsellors run weekly group sessions.</p>",
        cost_per_participant={"amount": 1200, "currency": "USD", "year": 2020},
        benefit_cost_ratio={"low": 2, "high": 4, "source_study": "trial"},
        studies=[StudyFactory(key="trial", design="rct", maryland_sms=5, sample_size=800)],
        outcomes=[
            OutcomeFactory(
                study="trial",
                measure="violent-crime arrests",
                effect_size={
                    "metric": "percent-change",
                    "value": effect,
                    "ci_low": effect - 10,
                    "ci_high": effect + 10,
                },
                significant=True,
            )
        ],
        external_ratings=[{"source": "A clearinghouse", "rating": "Promising", "url": "https://example.org/rating"}],
        translations={"es": {"title": f"{title} (es)", "summary": "Un registro sintético sobre la violencia juvenil."}},
        **fields,
    )


@pytest.fixture
def records(import_records):
    return import_records(
        record("youth-cbt", "Group therapy for boys at school", "effective", -40),
        record("prison-visits-for-youth", "Prison visits for young people", "harmful", 20),
    )


@pytest.fixture
def administrator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.usefixtures("records")
def test_public_pages_have_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_public_policy(response.headers)
    assert directives(response.headers["Content-Security-Policy"])["img-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES[:-1])
@pytest.mark.usefixtures("records")
def test_public_pages_need_no_inline_script_or_style(client, path):
    response = client.get(path)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
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
def test_the_preview_may_be_framed_by_the_editor_alone(administrator_client, records):
    page = InterventionPage.objects.get(slug="youth-cbt", locale__language_code="en")
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
