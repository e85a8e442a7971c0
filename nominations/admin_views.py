"""The editors' views of nominations in the Wagtail admin: the listing and edit views with an "Accept" action, and the
confirmation that accepting asks for."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, MenuItem

from .accepting import accept
from .models import Nomination
from .notifications import notify_status_change

ACCEPT_LABEL = _("Accept and open the draft")


class NominationIndexView(generic.IndexView):
    accept_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            url = reverse(self.accept_url_name, args=[instance.pk])
            buttons.append(MenuItem(ACCEPT_LABEL, url=url, icon_name="check", priority=15))
        return buttons


class NominationEditView(generic.EditView):
    accept_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        url = reverse(self.accept_url_name, args=[self.object.pk])
        buttons.append(Button(ACCEPT_LABEL, url=url, icon_name="check", priority=5))
        return buttons

    def save_instance(self):
        nomination = super().save_instance()
        if "status" in self.form.changed_data:
            notify_status_change(nomination)
        return nomination


class AcceptView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks before accepting (a GET changes nothing), then opens the draft in the page editor."""

    model = Nomination
    permission_required = "change"
    template_name = "nominations/admin/accept.html"
    header_icon = "check"
    page_title = _("Accept the nomination")
    edit_url_name = None

    def dispatch(self, request, pk):
        self.object = get_object_or_404(Nomination, pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return str(self.object)

    def missing_intervention(self):
        return self.object.kind != Nomination.Kind.INTERVENTION and self.object.intervention is None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nomination=self.object,
            missing_intervention=self.missing_intervention(),
            edit_url=reverse(self.edit_url_name, args=[self.object.pk]),
            **kwargs,
        )

    def post(self, request, pk):
        if self.missing_intervention():
            messages.error(request, _("The intervention this nomination is about no longer exists."))
            return redirect(self.edit_url_name, self.object.pk)
        page = accept(self.object, request.user)
        messages.success(
            request,
            _("Nomination '%(name)s' accepted: edit the draft, then submit it for review.") % {"name": self.object},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
