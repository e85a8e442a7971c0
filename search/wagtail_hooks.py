from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .reports import QueriesWithoutResultsReportView, SearchQueriesReportView, can_see_search_reports


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path("reports/searches/", SearchQueriesReportView.as_view(), name="search_queries_report"),
        path(
            "reports/searches/results/",
            SearchQueriesReportView.as_view(results_only=True),
            name="search_queries_report_results",
        ),
        path(
            "reports/searches-without-results/",
            QueriesWithoutResultsReportView.as_view(),
            name="search_queries_without_results_report",
        ),
        path(
            "reports/searches-without-results/results/",
            QueriesWithoutResultsReportView.as_view(results_only=True),
            name="search_queries_without_results_report_results",
        ),
    ]


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_search_reports(request.user)


@hooks.register("register_reports_menu_item")
def register_search_queries_report_menu_item():
    return SearchReportMenuItem(
        _("Site searches"), reverse("search_queries_report"), name="site-searches", icon_name="search", order=1310
    )


@hooks.register("register_reports_menu_item")
def register_queries_without_results_report_menu_item():
    return SearchReportMenuItem(
        _("Searches that found nothing"),
        reverse("search_queries_without_results_report"),
        name="searches-without-results",
        icon_name="search",
        order=1320,
    )
