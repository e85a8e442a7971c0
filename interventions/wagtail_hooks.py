import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Revision, WorkflowState
from wagtail.models import get_default_page_content_type as page_content_type
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .doi_lookup import fill_studies, messages_for
from .models import (
    InterventionPage,
    InterventionType,
    OutcomeDomain,
    Pillar,
    RecordChange,
    Setting,
    TargetGroup,
    label_field,
)
from .review import due_condition
from .vocabularies import EvidenceRating


def label_columns():
    """A column of labels for each language of settings.LANGUAGES."""
    return [
        Column(label_field(code), label=name, accessor=lambda term, code=code: term.labels.get(code, ""))
        for code, name in settings.LANGUAGES
    ]


def vocabulary_viewset(vocabulary_model):
    return type(
        f"{vocabulary_model.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": vocabulary_model,
            "list_display": [*label_columns(), "slug"],
        },
    )


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = _("Vocabularies")
    menu_icon = "tag"
    menu_order = 300
    items = [vocabulary_viewset(model) for model in (Pillar, InterventionType, Setting, TargetGroup, OutcomeDomain)]


register_snippet(VocabularyGroup)


class ChangeLogPolicy(ModelPermissionPolicy):
    """Publications write the change log (interventions.change_log): editors with the permissions may correct an
    entry's note or delete an entry, but add none by hand."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action != "add"])


register_permission_policy(RecordChange, ChangeLogPolicy(RecordChange))


class ChangeLogViewSet(SnippetViewSet):
    model = RecordChange
    icon = "history"
    menu_label = _("Change log")
    menu_order = 160
    add_to_admin_menu = True
    list_display = ["page", "kind", "changed_at", "note"]
    list_filter = ["kind"]
    panels = [FieldPanel("note")]

    def get_queryset(self, request):
        # Each row names its intervention.
        return RecordChange.objects.select_related("page")


register_snippet(ChangeLogViewSet)


def pages_with(states):
    """Primary keys of the pages among the objects of these workflow states or revisions (their keys are text)."""
    return [int(object_id) for object_id in states.values_list("object_id", flat=True).distinct()]


STATUSES = {
    "live": (_("Published"), lambda: Q(live=True)),
    "draft": (_("Not published"), lambda: Q(live=False)),
    "changed": (_("Published, with unpublished changes"), lambda: Q(live=True, has_unpublished_changes=True)),
    "in_review": (
        _("In review"),
        lambda: Q(pk__in=pages_with(WorkflowState.objects.active().filter(base_content_type=page_content_type()))),
    ),
    "scheduled": (
        _("Scheduled"),
        lambda: Q(pk__in=pages_with(Revision.objects.page_revisions().filter(approved_go_live_at__isnull=False))),
    ),
}


class InterventionFilterSet(PageFilterSet):
    pillar = django_filters.ModelMultipleChoiceFilter(
        label=_("Pillar"), queryset=Pillar.objects.all(), method="filter_pillar", widget=forms.CheckboxSelectMultiple
    )
    evidence_rating = django_filters.MultipleChoiceFilter(
        label=_("Evidence rating"),
        choices=EvidenceRating.choices,
        method="filter_evidence_rating",
        widget=forms.CheckboxSelectMultiple,
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=countries, method="filter_country")
    has_cost_data = django_filters.ChoiceFilter(
        label=_("Has cost data"),
        empty_label=_("Any"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        method="filter_has_cost_data",
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status, label) for status, (label, _condition) in STATUSES.items()],
        method="filter_status",
    )
    review = django_filters.ChoiceFilter(
        label=_("Evidence review"),
        empty_label=_("Any"),
        choices=[("due", _("Due for review"))],
        method="filter_review",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = InterventionPage
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = settings.REVIEW_INTERVAL_MONTHS
        self.filters["review"].extra["help_text"] = ngettext(
            "Published, and last reviewed %(months)d month ago or earlier, or never.",
            "Published, and last reviewed %(months)d months ago or earlier, or never.",
            months,
        ) % {"months": months}

    # Each filter narrows the listing to a list of page ids: the admin's search runs the filtered listing through
    # the search backend, which filters on declared search fields only (the id is one), not on relations or JSON.
    def filter_pillar(self, queryset, name, value):
        return matching(queryset, Q(pillars__in=value)) if value else queryset

    def filter_evidence_rating(self, queryset, name, value):
        return matching(queryset, Q(evidence_rating__in=value)) if value else queryset

    def filter_country(self, queryset, name, value):
        # Countries are a JSON list of ISO codes; the quoted code matches one whole element on every database.
        return matching(queryset, Q(countries__icontains=f'"{value}"'))

    def filter_has_cost_data(self, queryset, name, value):
        return matching(queryset, Q(has_cost_data=value == "true"))

    def filter_status(self, queryset, name, value):
        return matching(queryset, STATUSES[value][1]())

    def filter_review(self, queryset, name, value):
        # The same rule as manage.py review_reminders (interventions.review).
        return matching(queryset, due_condition())


def matching(queryset, condition):
    return queryset.filter(id__in=list(InterventionPage.objects.filter(condition).values_list("id", flat=True)))


def listing_columns():
    """Wagtail's columns, with the date each record was last reviewed after the date it was last updated. Not
    sortable: the listing's search sorts only on indexed fields."""
    columns = list(PageListingViewSet.index_view_class.base_columns)
    updated = next(position for position, column in enumerate(columns) if column.name == "latest_revision_created_at")
    last_reviewed = Column(
        "last_reviewed",
        label=_("Last reviewed"),
        accessor=lambda page: page.last_reviewed.isoformat() if page.last_reviewed else "—",
        width="12%",
    )
    return [*columns[: updated + 1], last_reviewed, *columns[updated + 1 :]]


class InterventionListingViewSet(PageListingViewSet):
    model = InterventionPage
    name = "intervention_listing"
    icon = "doc-full-inverse"
    menu_label = _("Interventions")
    menu_order = 150
    add_to_admin_menu = True
    filterset_class = InterventionFilterSet
    columns = listing_columns()


@hooks.register("register_admin_viewset")
def register_intervention_listing():
    return InterventionListingViewSet()


def look_up_dois(request):
    """Fills the studies' missing citation fields from Crossref in the submitted editor form (interventions.doi_lookup)
    and tells the editor what was filled or that the lookup failed. Autosaves, which run in the background at each
    pause in typing and show no messages, only have pasted DOI links read: the lookup waits for the editor's own
    save."""
    if request.method != "POST":
        return
    request.POST, lookups = fill_studies(request.POST, look_up=request.accepts("text/html"))
    for level, message in messages_for(lookups):
        getattr(messages, level)(request, message)


@hooks.register("before_edit_page")
def look_up_dois_on_edit(request, page):
    if isinstance(page, InterventionPage):
        look_up_dois(request)


@hooks.register("before_create_page")
def look_up_dois_on_create(request, parent_page, page_class):
    if issubclass(page_class, InterventionPage):
        look_up_dois(request)
