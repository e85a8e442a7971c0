from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views import defaults
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from changes import feeds as change_feeds
from changes import views as change_views
from home import views as home_views
from nominations import views as nomination_views
from operations import views as operations_views
from search import views as search_views

API_PREFIX = "/api/"


def api_or_page(page_handler, status, message):
    """An error handler: the API's JSON error under /api/ (its clients read JSON), the site's HTML page elsewhere."""

    def handler(request, *args, **kwargs):
        if request.path_info.startswith(API_PREFIX):
            return search_views.api_error(status, message)
        return page_handler(request, *args, **kwargs)

    return handler


handler400 = api_or_page(defaults.bad_request, 400, "Bad request.")
handler404 = api_or_page(defaults.page_not_found, 404, "Nothing is at this address.")
handler500 = api_or_page(defaults.server_error, 500, "The server failed to answer; the error is logged.")

urlpatterns = [
    path("healthz", operations_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", home_views.sitemap, name="sitemap"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("api/v1/search/", search_views.search_api, name="search_api"),
    path("api/v1/schema/", search_views.openapi_schema, name="openapi_schema"),
    path("api/v1/changes/", change_views.changes_api, name="changes_api"),
]

if settings.DJANGO_ADMIN_ENABLED:
    urlpatterns.append(path("django-admin/", admin.site.urls))

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages answer under a language prefix (/es/, /pt/, /fr/); English has none.
urlpatterns += i18n_patterns(
    path("search/", search_views.search_page, name="search"),
    path("search/export.csv", search_views.export_csv, name="search_export_csv"),
    path("search/export.json", search_views.export_json, name="search_export_json"),
    path("gap-map/", search_views.gap_map_page, name="gap_map"),
    path("compare/", home_views.compare_page, name="compare"),
    path("method/", home_views.rating_method_page, name="rating_method"),
    path("feeds/changes.atom", change_feeds.changes_feed, name="changes_feed"),
    path("nominate/", nomination_views.nominate, name="nominate"),
    path("nominate/thanks/", nomination_views.thanks, name="nomination_thanks"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
