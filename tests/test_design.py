"""The site's design system: the header, navigation and footer every page shares, and the one rating colour scale,
readable by colour-blind visitors and never the only sign of a rating."""

import itertools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from interventions.models import Pillar
from interventions.vocabularies import EvidenceRating as Rating

from .factories import PillarPageFactory

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parent.parent / "home" / "static" / "home" / "css" / "site.css"

# Machado, Oliveira & Fernandes (2009), full severity, on linear RGB: how a colour looks with each kind of
# dichromacy.
DICHROMACY = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def linear_rgb(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def lab(rgb):
    """CIE L*a*b* (D65) of a linear RGB colour."""
    r, g, b = (min(1.0, max(0.0, c)) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def contrast(first, second):
    """WCAG's contrast ratio."""
    lighter, darker = sorted(
        (0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in map(linear_rgb, (first, second))), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def css_tokens():
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", SITE_CSS.read_text(encoding="utf-8")))


def rating_colours():
    tokens = css_tokens()
    return {rating: (tokens[f"rating-{rating}"], tokens[f"rating-{rating}-text"]) for rating in Rating.values}


def test_each_rating_has_one_colour_and_its_text_is_readable_on_it():
    css = SITE_CSS.read_text(encoding="utf-8")
    for rating, (background, text) in rating_colours().items():
        assert contrast(background, text) >= 4.5, rating
        # Badges, gap map bars and every other use read the same token: no second definition of the colour.
        rule = re.search(rf"\.rating-{rating} \{{([^}}]*)\}}", css).group(1)
        assert f"background: var(--rating-{rating})" in rule and f"fill: var(--rating-{rating})" in rule
        assert css.count(background) == 1, f"{background} is defined more than once"


@pytest.mark.parametrize("vision", ["typical", *DICHROMACY])
def test_the_ratings_stay_apart_for_colour_blind_visitors(vision):
    matrix = DICHROMACY.get(vision)
    seen = {}
    for rating, (background, _text) in rating_colours().items():
        rgb = linear_rgb(background)
        if matrix:
            rgb = [sum(row[i] * rgb[i] for i in range(3)) for row in matrix]
        seen[rating] = lab(rgb)
    # A CIE76 difference of 20 is far beyond "just noticeable" (about 2.3): the colours are told apart at a glance.
    closest = min(
        (sum((p - q) ** 2 for p, q in zip(seen[a], seen[b], strict=True)) ** 0.5, a, b)
        for a, b in itertools.combinations(seen, 2)
    )
    assert closest[0] >= 20, closest


def test_a_rating_is_always_written_in_words(client):
    badge = BeautifulSoup(client.get("/method/").content, "html.parser").select("span.rating")
    assert {element.get_text(strip=True) for element in badge} >= {label for _value, label in Rating.choices}


def header_links(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    return soup, [
        (a.get_text(strip=True), a["href"], a.get("aria-current")) for a in soup.select("header details.menu nav a")
    ]


def test_the_header_names_the_platform_and_leads_to_every_part_of_it(client):
    pillar_page = PillarPageFactory(title="Protecting vulnerable populations")
    soup, links = header_links(client, "/search/")
    assert soup.select_one("header .brand").get_text(strip=True) == "What works in citizen security"
    assert soup.select_one("header .brand svg.logo")
    pillars = [
        (pillar.label, pillar_page.url if pillar == pillar_page.pillar else f"/search/?pillar={pillar.slug}", None)
        for pillar in Pillar.objects.order_by("pk")
    ]
    assert links == [
        ("Search", "/search/", "page"),
        ("Evidence gap map", "/gap-map/", None),
        *pillars,
        ("About the ratings", "/method/", None),
    ]
    # The navigation folds behind "Menu" on a phone: a <details> element, which needs no script.
    assert soup.select_one("header details.menu > summary").get_text(strip=True) == "Menu"
    assert soup.select_one("header nav.languages")


def test_the_header_speaks_the_visitors_language(client):
    soup, links = header_links(client, "/es/gap-map/")
    assert soup.select_one("header .brand").get_text(strip=True) == "Qué funciona en seguridad ciudadana"
    assert ("Mapa de brechas de evidencia", "/es/gap-map/", "page") in links
    assert links[-1][:2] == ("Sobre las calificaciones", "/es/method/")


def test_the_footer_offers_open_data_the_api_the_licence_and_a_contact(client, settings):
    settings.CONTACT_EMAIL = "editors@example.org"
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    footer = soup.select_one("footer.site-footer")
    hrefs = {a["href"] for a in footer.select("a")}
    assert {"/search/export.json", "/search/export.csv", "/api/v1/schema/", "mailto:editors@example.org"} <= hrefs
    assert footer.select_one("a[rel=license]")["href"] == settings.DATA_LICENCE["url"]
    settings.CONTACT_EMAIL = ""
    footer = BeautifulSoup(client.get("/").content, "html.parser").select_one("footer.site-footer")
    assert not footer.select("a[href^=mailto]")
