from django.http import HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from interventions.headline import COMPARABLE_METRICS, COST_BAND_RANGES
from interventions.vocabularies import (
    EVIDENCE_RATING_MEANINGS,
    MARYLAND_LEVELS,
    STUDY_DESIGN_MEANINGS,
    STUDY_DESIGN_RANK,
)
from search.params import InvalidParameter, values_of

from .compare import InvalidComparison, compare
from .sitemaps import MultilingualSitemap


@require_safe
def compare_page(request):
    try:
        comparison = compare(values_of(request.GET, "i"), get_language())
    except (InvalidParameter, InvalidComparison) as invalid:
        return TemplateResponse(request, "home/compare.html", {"error": invalid}, status=400)
    return TemplateResponse(request, "home/compare.html", {"comparison": comparison})


@require_safe
def rating_method_page(request):
    """How the site rates evidence and costs and chooses the headline figure, from the definitions the records use."""
    designs = sorted(STUDY_DESIGN_MEANINGS.items(), key=lambda item: -STUDY_DESIGN_RANK[item[0]])
    return TemplateResponse(
        request,
        "home/rating_method.html",
        {
            "ratings": EVIDENCE_RATING_MEANINGS.items(),
            "designs": designs,
            "maryland_levels": MARYLAND_LEVELS.items(),
            "cost_bands": COST_BAND_RANGES.items(),
            "comparable_metrics": [metric.label for metric in COMPARABLE_METRICS],
        },
    )


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the site's icon is an SVG among its static files."""
    return HttpResponsePermanentRedirect(static("home/favicon.svg"))


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": MultilingualSitemap(request)})
