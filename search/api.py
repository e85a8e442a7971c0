"""The JSON shape of search results, shared by the API and anything else that serializes them."""

from .facets import FACETS


def result_json(hit, request):
    return {
        "slug": hit.slug,
        "title": hit.title,
        "url": request.build_absolute_uri(hit.get_url(request)),
        "summary": hit.summary,
        "evidence_rating": hit.evidence_rating,
        "pillars": [pillar.slug for pillar in hit.pillars.all()],
        "countries": hit.countries,
        "benefit_cost_ratio": None if hit.bcr_low is None else {"low": hit.bcr_low, "high": hit.bcr_high},
        "score": hit.score,
    }


def search_json(result, request):
    return {
        "count": result.count,
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
