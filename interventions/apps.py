from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interventions"
    verbose_name = _("Interventions")

    def ready(self):
        from .fast_path import check_tested_versions
        from .indexing import register_signal_handlers

        register_signal_handlers()
        checks.register(check_tested_versions)
