"""The JSON shape of search results, shared by the API and anything else that serializes them."""

from .facets import FACETS
from .record_types import record_type

# The API only reads: every other method is a 405 (see views.read_only_api and the OpenAPI description).
API_METHODS = ("GET", "HEAD", "OPTIONS")


def result_json(hit, request):
    """One result; a knowledge product has no evidence rating, countries or benefit-cost ratio."""
    bcr_low = getattr(hit, "bcr_low", None)
    return {
        "content_type": record_type(hit)[0],
        "slug": hit.slug,
        "title": hit.title,
        "url": request.build_absolute_uri(hit.get_url(request)),
        "summary": hit.summary,
        "evidence_rating": getattr(hit, "evidence_rating", None),
        "pillars": [pillar.slug for pillar in hit.pillar_terms()],
        "countries": getattr(hit, "countries", []),
        "benefit_cost_ratio": None if bcr_low is None else {"low": bcr_low, "high": hit.bcr_high},
        "score": hit.score,
        "promoted": getattr(hit, "promoted", False),
    }


def search_json(result, request):
    return {
        "count": result.count,
        "corrected_query": result.corrected_query,
        "page": result.params.page,
        "page_size": result.params.page_size,
        "results": [result_json(hit, request) for hit in result.hits],
        "facets": {
            facet.name: [
                {"value": entry.value, "label": entry.label, "count": entry.count}
                for entry in result.facets[facet.name]
            ]
            for facet in FACETS
        },
    }
