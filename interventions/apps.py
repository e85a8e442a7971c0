from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interventions"
    verbose_name = _("Interventions")

    def ready(self):
        from . import change_log, indexing
        from .fast_path import check_tested_versions

        indexing.register_signal_handlers()
        change_log.register_signal_handlers()
        checks.register(check_tested_versions)
