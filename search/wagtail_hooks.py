from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ThesaurusConcept
from .record_types import RECORD_TYPES
from .reports import QueriesWithoutResultsReportView, SearchQueriesReportView, can_see_search_reports
from .response_cache import cached_answer


def labels_by_language(concept):
    """The concept's labels as editors read them: "en: firearm, gun · es: arma de fuego"."""
    by_language = {}
    for label in concept.labels.all():
        by_language.setdefault(label.language, []).append(label.label)
    return " · ".join(f"{language}: {', '.join(labels)}" for language, labels in by_language.items())


class ThesaurusConceptViewSet(SnippetViewSet):
    """Editors add synonyms and translations the search should treat alike; they take effect on the next search
    (search.signal_handlers marks the search data changed)."""

    model = ThesaurusConcept
    icon = "list-ul"
    menu_label = _("Thesaurus")
    menu_order = 310  # just after Vocabularies
    add_to_admin_menu = True
    list_display = ["name", Column("labels", label=_("Labels"), accessor=labels_by_language)]
    search_fields = ["name"]

    def get_queryset(self, request):
        return ThesaurusConcept.objects.prefetch_related("labels")


register_snippet(ThesaurusConceptViewSet)


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


# Order 1: inside Wagtail's check of view restrictions (order 0), so that the cache never answers for a page the
# visitor may not see; one who may see a restricted page is logged in or gave its password, has a session, and is
# never answered from the cache either.
@hooks.register("on_serve_page", order=1)
def cache_record_pages(serve):
    """Record pages (interventions, knowledge products) are answered from the response cache: all they show changes
    the search data's version."""

    def serve_record_page(page, request, args, kwargs):
        if not isinstance(page, tuple(RECORD_TYPES.values())):
            return serve(page, request, args, kwargs)
        return cached_answer(request, lambda: serve(page, request, args, kwargs))

    return serve_record_page
