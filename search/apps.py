from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self):
        from .record_types import register_record_types
        from .signal_handlers import register_signal_handlers

        register_record_types()
        register_signal_handlers()
