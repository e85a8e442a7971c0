"""The site's header and footer: the primary navigation and what the footer offers (open data, API, licence)."""

from django import template
from django.conf import settings
from django.urls import reverse
from wagtail.models import Locale

from interventions.models import Pillar
from pillars.models import PillarPage

register = template.Library()


def pillar_links():
    """Each pillar, linked to its working group's page in the visitor's language where one is published, otherwise
    to the search narrowed to it."""
    pages = PillarPage.objects.live().public().filter(locale=Locale.get_active())
    page_urls = {page.pillar_id: page.url for page in pages}
    search = reverse("search")
    return [
        (pillar.label, page_urls.get(pillar.pk) or f"{search}?pillar={pillar.slug}")
        for pillar in Pillar.objects.order_by("pk")
    ]


@register.inclusion_tag("includes/site_header.html", takes_context=True)
def site_header(context):
    return {"request": context["request"], "pillars": pillar_links()}


@register.inclusion_tag("includes/site_footer.html")
def site_footer():
    return {"licence": settings.DATA_LICENCE, "contact_email": settings.CONTACT_EMAIL}
