import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script does: no "</script>" or HTML can close the element early.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def schema_org(context, page):
    """schema.org metadata of an intervention page, for search engines."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title,
        "description": page.summary,
        "inLanguage": page.locale.language_code,
        "url": request.build_absolute_uri(page.get_url(request)),
        "about": [pillar.label for pillar in page.pillars.all()],
        "spatialCoverage": page.country_names,
        "citation": [study.citation for study in page.studies.all()],
    }
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    encoded = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{encoded}</script>')  # noqa: S308
