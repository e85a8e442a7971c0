from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PillarsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pillars"
    verbose_name = _("Pillars, collections and knowledge products")
