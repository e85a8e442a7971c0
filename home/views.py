from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

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


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": MultilingualSitemap(request)})
