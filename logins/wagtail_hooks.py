"""The login audit in the Wagtail admin: superusers read what django-axes records; nobody edits it there."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy


class SuperusersReadOnlyPolicy(BasePermissionPolicy):
    """Only superusers may see the audit, and only see it: a record of logins is not for editing. A lockout is lifted
    early with ``manage.py axes_reset_username`` or ``axes_reset_ip`` (README, "Login throttling")."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.is_superuser

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


class LoginAuditViewSet(ModelViewSet):
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None  # the database's own filtering: these rows are not in a search index
    search_fields = ["username", "ip_address"]

    def get_urlpatterns(self):
        # Listing and reading only: no form to add, edit, copy or delete a record with.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        # Group permissions would mean nothing here: the policy above lets superusers alone in.
        return Permission.objects.none()


class FailedLoginViewSet(LoginAuditViewSet):
    model = AccessFailureLog
    name = "failed_logins"
    menu_label = _("Failed logins")
    icon = "warning"
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_info", "user_agent"]
    list_filter = ["locked_out"]
    ordering = ["-attempt_time"]


class CurrentFailuresViewSet(LoginAuditViewSet):
    """django-axes' counts: an account or address is locked out while its failures here reach the limit."""

    model = AccessAttempt
    name = "login_failure_counts"
    menu_label = _("Failures counting now")
    icon = "lock"
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "path_info"]
    ordering = ["-attempt_time"]


class SuccessfulLoginViewSet(LoginAuditViewSet):
    model = AccessLog
    name = "successful_logins"
    menu_label = _("Successful logins")
    icon = "user"
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "path_info", "user_agent"]
    ordering = ["-attempt_time"]


class LoginAuditViewSetGroup(ModelViewSetGroup):
    menu_label = _("Login audit")
    menu_icon = "lock"
    menu_order = 950  # after Reports, before Settings
    items = [FailedLoginViewSet, CurrentFailuresViewSet, SuccessfulLoginViewSet]


for audited_model in (AccessAttempt, AccessFailureLog, AccessLog):
    register_permission_policy(audited_model, SuperusersReadOnlyPolicy(audited_model))


@hooks.register("register_admin_viewset")
def register_login_audit_viewsets():
    return LoginAuditViewSetGroup()
