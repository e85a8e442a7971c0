"""Admin reports of what visitors search for: the most searched queries of the last 30 days, and those that found
nothing, so that editors know which synonyms to add to the thesaurus and which pages to promote."""

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView

from .query_log import REPORT_DAYS, flush_search_counts, recent_queries, recent_queries_without_results


def can_see_search_reports(user):
    """Staff with access to the Wagtail admin."""
    return user.is_active and user.is_staff and user.has_perm("wagtailadmin.access_admin")


def thesaurus_url():
    """The thesaurus's snippet listing, or the snippets index while the thesaurus has no listing of its own."""
    try:
        return reverse("wagtailsnippets_search_thesaurusconcept:list")
    except NoReverseMatch:
        return reverse("wagtailsnippets:index")


class QueryColumn(Column):
    """The query, linking to the public search for it, so that an editor sees what visitors saw."""

    cell_template_name = "search/admin/query_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["search_url"] = f"{reverse('search')}?{urlencode({'q': instance.query_string})}"
        return context


class SearchQueriesReportView(ReportView):
    page_title = _("Site searches")
    header_icon = "search"
    template_name = "search/admin/query_report.html"
    index_url_name = "search_queries_report"
    index_results_url_name = "search_queries_report_results"
    default_ordering = "-searches"
    columns = [
        QueryColumn("query_string", label=_("Query"), sort_key="query_string"),
        NumberColumn("searches", label=_("Searches"), sort_key="searches"),
        NumberColumn("without_results", label=_("Found nothing"), sort_key="without_results"),
    ]
    list_export = ["query_string", "searches", "without_results"]
    export_headings = {"query_string": _("Query"), "searches": _("Searches"), "without_results": _("Found nothing")}

    def dispatch(self, request, *args, **kwargs):
        if not can_see_search_reports(request.user):
            return permission_denied(request)
        # The searches this process has counted and not written yet, so that an editor sees the ones they just made;
        # other processes write theirs within settings.SEARCH_COUNT_FLUSH_SECONDS of their next search, or at exit.
        flush_search_counts()
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return recent_queries()

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context.update(
            report_days=REPORT_DAYS,
            thesaurus_url=thesaurus_url(),
            promotions_url=reverse("wagtailsearchpromotions:index"),
        )
        return context


class QueriesWithoutResultsReportView(SearchQueriesReportView):
    page_title = _("Searches that found nothing")
    index_url_name = "search_queries_without_results_report"
    index_results_url_name = "search_queries_without_results_report_results"
    default_ordering = "-without_results"

    def get_base_queryset(self):
        return recent_queries_without_results()
