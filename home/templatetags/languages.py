from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    request = context["request"]
    path = request.get_full_path()
    return {
        "current": request.LANGUAGE_CODE,
        "languages": [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES],
    }
