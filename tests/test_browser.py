"""The public pages in a real browser: Debian's Chromium driven by Playwright, at desktop width and at 375 px,
with axe-core checking accessibility. Screenshots go to screenshots/ for people to look at. The public pages and the
admins are used under the site's Content-Security-Policy and Permissions-Policy: nothing may be refused."""

import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from home.roles import EDITORS, REVIEWERS, setup_roles
from interventions.models import InterventionPage

from .conftest import CHROMIUM, FIXTURE_FILE
from .factories import CollectionPageFactory, KnowledgeProductPageFactory, PillarPageFactory, UserFactory
from .security_policies import assert_strict_public_policy

REPO = Path(__file__).resolve().parent.parent
AXE_CORE = Path(os.environ.get("AXE_CORE_JS", REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
SCREENSHOTS = REPO / "screenshots"
# Each kind of public page, in English and in Spanish, whose words run longer.
PAGES = {
    "home": "/",
    "search": "/search/?q=violence&pillar=protecting-vulnerable-populations",
    "profile": "/interventions/becoming-a-man/",
    "brief": "/interventions/becoming-a-man/brief/",
    "method": "/fr/method/",
    "compare": "/compare/?i=becoming-a-man&i=one-summer-plus&i=restorative-justice-conferencing",
    "gap-map": "/gap-map/",
    "index": "/interventions/",
    "french-untranslated-profile": "/fr/interventions/becoming-a-man/",
    "french-search": "/fr/search/?q=police&country=CO",
    "es-home": "/es/",
    "es-search": "/es/search/?q=violencia+juvenil&evidence_rating=effective",
    "es-profile": "/es/interventions/one-summer-plus/",
    "es-compare": "/es/compare/?i=becoming-a-man&i=one-summer-plus",
    "es-gap-map": "/es/gap-map/",
    "es-nominate": "/es/nominate/",
}
SEARCHES = {"search", "french-search", "es-search"}
WIDTHS = {"desktop": 1366, "mobile": 375}
SCREEN_HEIGHTS = {"desktop": 900, "mobile": 812}
# HTML, CSS and scripts of a page's first load, without the browser's cache (issue 14's budget).
PAGE_BUDGET_BYTES = 150 * 1024
COUNTED_RESOURCES = {"document", "stylesheet", "script"}

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.skipif(not AXE_CORE.exists(), reason="axe-core is not installed (.ci/run installs it from npm)"),
]


def serious_violations(page):
    # Evaluated rather than added as a <script> element, which the Content-Security-Policy would refuse.
    page.evaluate(AXE_CORE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return sorted(
        f"{violation['id']}: {violation['nodes'][0]['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    )


# One test, because a live server's database is emptied after each test that uses it. The site is prepared before
# the browser starts: database work inside Playwright's event loop would open a connection of its own that nothing
# closes.
@pytest.mark.django_db(transaction=True)
def test_public_pages_and_the_editorial_workflow_in_a_browser(
    live_server, editorial_site, fixture_document, browser, settings
):
    # A browser fills the nomination form faster than a person: the minimum time has tests of its own.
    settings.NOMINATION_MIN_SECONDS = 0
    refused = []
    check_public_pages(live_server, browser, PAGES | editorial_site.pages, refused)
    check_forest_plot_on_phones(live_server, browser, fixture_document, refused)
    check_gap_map_scrolls_in_its_own_box(live_server, browser, refused)
    check_keyboard_search(live_server, browser, refused)
    check_search_filters_fold_on_phones(live_server, browser, refused)
    check_compare_tray(live_server, browser, refused)
    check_review_workflow(live_server, browser, editorial_site, refused)
    check_admins(live_server, browser, editorial_site, refused)
    check_nomination_accepted(live_server, browser, editorial_site, refused)
    assert refused == []


@pytest.fixture
def editorial_site(transactional_db):
    """The shipped records, committed for the live server's thread to read (conftest's `shipped_records` holds them
    in a transaction only the test's connection sees); a pillar page with a collection and a knowledge product, as a
    working group would publish them; the roles; an editor, a reviewer and an administrator; the intervention they
    change and its index."""
    call_command("import_interventions", str(FIXTURE_FILE), stdout=io.StringIO())
    pillar_page = PillarPageFactory(title="Protecting vulnerable populations")
    collection = CollectionPageFactory(
        parent=pillar_page, title="Youth violence prevention", saved_search="q=youth&evidence_rating=effective"
    )
    product = KnowledgeProductPageFactory(parent=pillar_page, title="Guide to violence prevention in schools")
    setup_roles()
    intervention = InterventionPage.objects.get(slug="becoming-a-man", locale__language_code="en")
    pages = {"pillar": pillar_page, "collection": collection, "knowledge-product": product}
    spanish = Locale.objects.get(language_code="es")
    for name, page in list(pages.items()):
        translation = page.copy_for_translation(spanish, copy_parents=True)
        translation.save_revision().publish()
        pages[f"es-{name}"] = translation
    return SimpleNamespace(
        pages={name: page.url for name, page in pages.items()},
        editor=UserFactory(groups=[EDITORS]),
        reviewer=UserFactory(groups=[REVIEWERS]),
        administrator=UserFactory(is_superuser=True, is_staff=True),
        intervention=intervention,
        intervention_index=intervention.get_parent(),
    )


def open_page(browser, refused, **options):
    """A new page that adds to `refused` whatever the browser's security policies refuse, in any of its frames:
    Chromium fires securitypolicyviolation for the Content-Security-Policy and logs Permissions-Policy errors."""
    page = browser.new_page(**options)
    page.expose_function("reportRefusal", lambda refusal: refused.append(refusal))
    page.add_init_script(
        'document.addEventListener("securitypolicyviolation", (event) => reportRefusal('
        "`${location.pathname}: ${event.effectiveDirective} refused ${event.blockedURI || 'inline'}"
        " (${event.sourceFile}:${event.lineNumber}) ${event.sample}`));"
    )
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    return page


def check_public_pages(live_server, browser, pages, refused):
    """Every kind of page at a phone's width and a desk's: nothing wider than the screen (a wide table scrolls
    inside its own frame), the first result of a search on the first screen, no serious accessibility violation,
    no request to another host, and within the weight budget. The screenshots are kept for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = {}
    for width_name, width in WIDTHS.items():
        height = SCREEN_HEIGHTS[width_name]
        for name, path in pages.items():
            # A browser of its own for each page, with an empty cache: what a first visit loads.
            page = open_page(browser, refused, viewport={"width": width, "height": height})
            requests = []
            page.on("request", lambda request, requests=requests: requests.append(request))
            response = page.goto(live_server.url + path)
            assert response.ok, f"{path}: {response.status}"
            assert_strict_public_policy(response.headers)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", full_page=True)
            found = problems.setdefault(f"{name} at {width}px", [])
            if page.evaluate("document.documentElement.scrollWidth") > width:
                found.append("the page is wider than the screen")
            if name in SEARCHES:
                first_result = page.locator("article.card h2").first.bounding_box()
                if first_result["y"] + first_result["height"] > height:
                    found.append(f"the first result ends {first_result['y'] + first_result['height']:.0f}px down")
            found += serious_violations(page)
            found += [f"request to another host: {r.url}" for r in requests if not r.url.startswith(live_server.url)]
            # The bodies as the server sent them: uncompressed here, so more than a production transfer.
            weight = sum(len(r.response().body()) for r in requests if r.resource_type in COUNTED_RESOURCES)
            if weight > PAGE_BUDGET_BYTES:
                found.append(f"{weight} bytes of HTML, CSS and scripts, over the budget of {PAGE_BUDGET_BYTES}")
            page.close()
    assert {where: found for where, found in problems.items() if found} == {}


def check_forest_plot_on_phones(live_server, browser, fixture_document, refused):
    """At 375 px the forest plot fits the screen, none of its text is under 12 px, and its longest outcome label is
    shown whole. Screenshots of the plot at 375 and 1366 px are for people to look at."""
    (record,) = (record for record in fixture_document["interventions"] if record["slug"] == "becoming-a-man")
    drawn = [o for o in record["outcomes"] if o.get("effect_size", {}).get("value") is not None]
    longest = max((o["measure"] for o in drawn if o["direction"] != "not-estimated"), key=len)
    desktop = open_page(browser, refused, viewport={"width": 1366, "height": 900})
    desktop.goto(live_server.url + PAGES["profile"])
    desktop.locator("figure.forest").screenshot(path=SCREENSHOTS / "forest-plot-1366.png")
    desktop.close()
    page = open_page(browser, refused, viewport={"width": 375, "height": 900})
    page.goto(live_server.url + PAGES["profile"])
    plot = page.locator("figure.forest")
    plot.screenshot(path=SCREENSHOTS / "forest-plot-375.png")
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    box = plot.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    font_sizes = plot.evaluate(
        "figure => [...figure.querySelectorAll('.forest-label, .forest-figures, .forest-ticks text')]"
        ".map(element => parseFloat(getComputedStyle(element).fontSize))"
    )
    assert font_sizes and min(font_sizes) >= 12
    label = plot.locator(".forest-label", has_text=longest)
    assert label.inner_text() == longest
    shown = label.evaluate(
        "label => { const box = label.getBoundingClientRect(); return box.left >= 0 && box.right <= innerWidth"
        " && label.scrollWidth <= label.clientWidth && label.scrollHeight <= label.clientHeight; }"
    )
    assert shown
    page.close()


def check_gap_map_scrolls_in_its_own_box(live_server, browser, refused):
    """At 375 px the gap map scrolls inside its own box, not the page; scrolled sideways and down, the box still
    shows the intervention types at its left and the outcome domains at its top."""
    page = open_page(browser, refused, viewport={"width": 375, "height": 900})
    page.goto(live_server.url + "/gap-map/")
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    scroller = page.locator(".gap-map-scroll")
    scroller.scroll_into_view_if_needed()
    assert scroller.evaluate("box => box.scrollWidth > box.clientWidth && box.scrollHeight > box.clientHeight")
    scrolled = scroller.evaluate(
        "box => { box.scrollLeft = 400; box.scrollTop = 300; return [box.scrollLeft, box.scrollTop]; }"
    )
    assert scrolled == [400, 300]
    page.screenshot(path=SCREENSHOTS / "gap-map-scrolled-mobile.png")
    # The cell on top at the box's left edge and at its top edge, as the visitor sees them.
    edges = scroller.evaluate(
        """box => {
            const r = box.getBoundingClientRect();
            const cellAt = (x, y) => document.elementFromPoint(x, y).closest("th, td");
            return [cellAt(r.left + 8, r.top + r.height / 2), cellAt(r.left + r.width / 2, r.top + 8)]
                .map(cell => `${cell.parentElement.parentElement.tagName} ${cell.tagName}`);
        }"""
    )
    assert edges == ["TBODY TH", "THEAD TH"]
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    page.close()


def check_keyboard_search(live_server, browser, refused):
    """The search form is reachable and usable without a mouse."""
    page = open_page(browser, refused)
    page.goto(live_server.url + "/search/")
    page.focus("#search-q")
    page.keyboard.type("hotline")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=hotline" in page.url
    assert page.locator("article.card h2 a").first.inner_text().startswith("Disque Denúncia")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") in ("A", "INPUT", "SELECT", "BUTTON")
    page.close()


def check_compare_tray(live_server, browser, refused):
    """The compare tray names the interventions ticked so far, and compares them."""
    page = open_page(browser, refused, viewport={"width": 375, "height": 812})
    page.goto(live_server.url + "/search/?q=violence")
    tray = page.locator(".compare-tray")
    assert tray.locator(".chosen li").count() == 0
    cards = page.locator("article.card:has(.compare-pick)")
    titles = [cards.nth(n).locator("h2").inner_text() for n in (0, 1)]
    for n in (0, 1):
        cards.nth(n).locator(".compare-pick input").check()
    assert tray.locator(".chosen li").all_inner_texts() == titles
    assert tray.locator(".hint").inner_text() == "Chosen to compare:"
    with page.expect_navigation():
        tray.get_by_role("button").click()
    assert [cell.inner_text() for cell in page.locator("table.compare thead th a").all()] == titles
    page.close()


def check_search_filters_fold_on_phones(live_server, browser, refused):
    """On a phone the filters fold behind "Filters (n)", so the first result is on the first screen; on a desktop they
    stand open in their column."""
    path = "/search/?q=violence&pillar=protecting-vulnerable-populations"
    phone = open_page(browser, refused, viewport={"width": 375, "height": 900})
    phone.goto(live_server.url + path)
    assert phone.locator("article.card").first.bounding_box()["y"] < 900
    assert not phone.locator("fieldset.facet").first.is_visible()
    phone.get_by_text("Filters (1)").click()
    assert phone.locator("fieldset.facet").first.is_visible()
    phone.close()
    desktop = open_page(browser, refused, viewport={"width": 1280, "height": 900})
    desktop.goto(live_server.url + path)
    assert desktop.locator("fieldset.facet").first.is_visible()
    assert not desktop.get_by_text("Filters (1)").is_visible()
    desktop.close()


def check_review_workflow(live_server, browser, site, refused):
    """An editor changes an intervention and submits it for review; a reviewer approves it; then the public page
    and the search show the change."""
    intervention, editor, reviewer = site.intervention, site.editor, site.reviewer
    edit_path = f"/admin/pages/{intervention.pk}/edit/"
    changed_summary = "Interrupters-in-school sessions for boys in Chicago public schools."

    page = open_page(browser, refused, viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, editor, next_path=edit_path)
    page.fill("#id_summary", changed_summary)
    page.locator("footer .w-dropdown__toggle").click()
    with page.expect_navigation():
        page.locator('button[name="action-submit"]').click()
    page.screenshot(path=SCREENSHOTS / "workflow-submitted.png", full_page=True)
    assert changed_summary not in page.context.request.get(live_server.url + intervention.url).text()
    page.context.clear_cookies()

    log_in(page, live_server.url, reviewer, next_path=edit_path)
    page.locator("footer .w-dropdown__toggle").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and publish").click()
    page.screenshot(path=SCREENSHOTS / "workflow-published.png", full_page=True)
    page.context.clear_cookies()

    assert page.goto(live_server.url + intervention.url).ok
    assert changed_summary in page.content()
    page.goto(live_server.url + "/search/?q=interrupters+boys")
    # Found by the words of its new summary, first among the records that share some of them.
    assert page.locator("article.card h2 a").all_inner_texts()[0] == intervention.title
    page.close()


def check_admins(live_server, browser, site, refused):
    """An administrator goes through Wagtail's admin and Django's: the listings, snippets, search promotions and
    reports; in the editor a tab switch, the page chooser of the rich text editor, the preview and a saved draft."""
    intervention = site.intervention
    page = open_page(browser, refused, viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, site.administrator, next_path="/admin/")
    for path in (
        "/admin/intervention_listing/",
        f"/admin/pages/{site.intervention_index.pk}/",
        "/admin/snippets/search/thesaurusconcept/",
        "/admin/snippets/search/thesaurusconcept/add/",
        "/admin/searchpicks/",
        "/admin/searchpicks/add/",
        "/admin/reports/searches/",
        "/admin/reports/searches-without-results/",
        "/django-admin/",
        "/django-admin/auth/user/",
        f"/django-admin/auth/user/{site.administrator.pk}/change/",
    ):
        response = page.goto(live_server.url + path)
        assert response.ok, f"{path}: {response.status}"

    page.goto(f"{live_server.url}/admin/pages/{intervention.pk}/edit/")
    add_study = page.get_by_role("button", name="Add Study")
    page.get_by_role("tab", name="Evidence").click()
    assert add_study.is_visible()
    page.get_by_role("tab", name="Overview").click()
    assert not add_study.is_visible()
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    page.keyboard.press("Control+a")
    page.locator(".Draftail-Editor button[name=LINK]").click()
    page.locator(".modal").get_by_role("heading", name="Choose a page").wait_for()
    page.locator(".modal").get_by_role("button", name="Close").click()
    page.locator(".modal").wait_for(state="hidden")
    # The preview is the one page the admin lets itself frame.
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    preview.get_by_role("heading", name=intervention.title).wait_for()
    page.fill("#id_summary", page.input_value("#id_summary") + " Reviewed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert f"Page '{intervention.title}' has been updated." in page.locator(".messages").inner_text()
    page.close()


def check_nomination_accepted(live_server, browser, site, refused):
    """A visitor nominates an intervention through the Spanish form, without any script of the page's own; an editor
    finds it in the admin's listing, accepts it, and lands in the page editor on the new draft."""
    page = open_page(browser, refused, viewport={"width": 375, "height": 900})
    page.goto(live_server.url + "/es/nominate/")
    page.fill("#id_name", "Barrio Seguro")
    page.select_option("#id_country", "DO")
    page.fill("#id_description", "Policía comunitaria y programas sociales en barrios de Santo Domingo.")
    page.fill("#id_doi", "10.1234/barrio.2020")
    page.fill("#id_nominator_name", "Ana Pérez")
    page.fill("#id_email", "ana@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar la propuesta").click()
    assert page.url.endswith("/es/nominate/thanks/")
    assert page.locator("h1").inner_text() == "Gracias por su propuesta"
    page.close()

    page = open_page(browser, refused, viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, site.editor, next_path="/admin/nominations/")
    with page.expect_navigation():
        page.get_by_role("link", name="Barrio Seguro").click()
    with page.expect_navigation():
        page.goto(page.url.replace("/edit/", "/accept/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and open the draft").click()
    assert "/admin/pages/" in page.url and page.input_value("#id_title") == "Barrio Seguro"
    page.get_by_role("tab", name="Evidence").click()
    assert page.input_value("[name=studies-0-doi]") == "10.1234/barrio.2020"
    page.screenshot(path=SCREENSHOTS / "nomination-accepted.png", full_page=True)
    page.close()


def log_in(page, server_url, user, next_path):
    page.goto(f"{server_url}/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert page.url.endswith(next_path), page.url
