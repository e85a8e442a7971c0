from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.viewsets.model import ModelViewSet

from .admin_views import AcceptView, NominationEditView, NominationIndexView
from .models import Nomination


class NominationViewSet(ModelViewSet):
    """The editors' triage. Nominations come from the public form only: nobody adds or copies one here, and what the
    nominator sent is shown, never edited."""

    model = Nomination
    icon = "mail"
    menu_label = _("Nominations")
    menu_order = 160  # after Interventions
    add_to_admin_menu = True
    copy_view_enabled = False
    index_view_class = NominationIndexView
    edit_view_class = NominationEditView
    add_to_reference_index = False
    search_backend_name = None  # the database's own filtering: nominations are not in a search index
    search_fields = ["name", "description", "citation", "doi", "url", "nominator_name", "organisation", "email"]
    list_display = ["name", "kind", "status", "reviewer", "nominator_name", "created_at"]
    list_filter = ["status", "kind", "reviewer"]
    ordering = ["-created_at"]
    panels = [
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("reviewer"), FieldPanel("editor_notes")], heading=_("Triage")
        ),
        MultiFieldPanel(
            [FieldPanel(name, read_only=True) for name in Nomination.SUBMITTED_FIELDS], heading=_("What was nominated")
        ),
        MultiFieldPanel(
            [FieldPanel(name, read_only=True) for name in [*Nomination.NOMINATOR_FIELDS, "language", "created_at"]],
            heading=_("Nominator"),
        ),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=None, accept_url_name=self.get_url_name("accept"), **kwargs)

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().exclude(codename="add_nomination")

    @cached_property
    def accept_view(self):
        return self.construct_view(AcceptView)

    def get_urlpatterns(self):
        # No form to add a nomination: they come from the public form.
        return [
            *(pattern for pattern in super().get_urlpatterns() if pattern.name != "add"),
            path("accept/<int:pk>/", self.accept_view, name="accept"),
        ]


@hooks.register("register_admin_viewset")
def register_nomination_viewset():
    return NominationViewSet("nominations")
