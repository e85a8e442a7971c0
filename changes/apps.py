from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """What changed in the knowledge base, for those who follow it: the Atom feed and the changes API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "changes"
    verbose_name = _("Changes")
