from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationsConfig(AppConfig):
    """Interventions, studies and corrections that the public proposes, and the editors' triage of them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "nominations"
    verbose_name = _("Nominations")
