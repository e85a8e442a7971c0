from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginsConfig(AppConfig):
    """Login throttling (django-axes, configured in settings) and its audit in the Wagtail admin."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "logins"
    verbose_name = _("Logins")
