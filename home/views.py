from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from .compare import InvalidComparison, compare
from .sitemaps import MultilingualSitemap


@require_GET
def compare_page(request):
    try:
        comparison = compare(request.GET.getlist("i"), get_language())
    except InvalidComparison as invalid:
        return TemplateResponse(request, "home/compare.html", {"error": str(invalid)}, status=400)
    return TemplateResponse(request, "home/compare.html", {"comparison": comparison})


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": MultilingualSitemap(request)})
