"""Interventions like another: those sharing most of its intervention types and outcome domains."""

from django.db.models import Count, Q

from interventions.models import InterventionPage, with_headline_data

from .models import FacetValue
from .service import visible_intervention_pages

SIMILARITY_FACETS = ("intervention_type", "outcome_domain")


def similar_interventions(page, language_code, limit=5):
    own = FacetValue.objects.filter(page=page, facet__in=SIMILARITY_FACETS).values_list("facet", "value")
    shared_value = Q()
    for facet, value in own:
        shared_value |= Q(facet=facet, value=value)
    if not shared_value:
        return []
    others = visible_intervention_pages(language_code).exclude(translation_key=page.translation_key)
    ranked = (
        FacetValue.objects.filter(shared_value, page__in=others.values("pk"))
        .values("page")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "page")[:limit]
    )
    ranked = list(ranked)
    pages = with_headline_data(InterventionPage.objects).in_bulk([row["page"] for row in ranked])
    return [pages[row["page"]] for row in ranked]
