"""OpenAPI description of the search API, built from the same facet definitions and limits the API enforces."""

from django.conf import settings

from .facets import FACETS, RECORD_TYPES
from .service import MAX_PAGE_SIZE, SORTS


def query_parameter(name, schema, description, repeated=False):
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeated:
        parameter.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    return parameter


def openapi_document():
    facet_parameters = [
        query_parameter(
            facet.name,
            {"type": "string"},
            f"{facet.heading}: repeat to select several values (OR); different facets combine with AND.",
            repeated=True,
        )
        for facet in FACETS
    ]
    facet_entry = {
        "type": "object",
        "required": ["value", "label", "count"],
        "properties": {"value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}},
    }
    result = {
        "type": "object",
        "required": [
            "content_type",
            "slug",
            "title",
            "url",
            "summary",
            "evidence_rating",
            "pillars",
            "countries",
            "score",
            "promoted",
        ],
        "properties": {
            "content_type": {"type": "string", "enum": list(RECORD_TYPES)},
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "url": {"type": "string"},
            "summary": {"type": "string"},
            "evidence_rating": {"type": ["string", "null"], "description": "Null for a knowledge product."},
            "pillars": {"type": "array", "items": {"type": "string"}},
            "countries": {"type": "array", "items": {"type": "string"}},
            "benefit_cost_ratio": {
                "type": ["object", "null"],
                "properties": {"low": {"type": "number"}, "high": {"type": ["number", "null"]}},
            },
            "score": {
                "type": ["number", "null"],
                "description": "Relevance to q; null without a query, and for an editor's pick that is not among "
                "the best matches.",
            },
            "promoted": {
                "type": "boolean",
                "description": "An editor's pick: a page editors promote for this query, listed first on page 1 "
                "whether or not it matches the words (filters still apply).",
            },
        },
    }
    response = {
        "type": "object",
        "required": ["count", "corrected_query", "page", "page_size", "results", "facets"],
        "properties": {
            "count": {"type": "integer", "description": "How many pages match the search (editors' picks aside)."},
            "corrected_query": {
                "type": ["string", "null"],
                "description": "The query with its typos corrected, when it had some: the results are for this "
                "query, not the one sent. Send spell=false to search for the query as written. Null when nothing "
                "was corrected.",
            },
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "results": {"type": "array", "items": result},
            "facets": {
                "type": "object",
                "required": [facet.name for facet in FACETS],
                "properties": {facet.name: {"type": "array", "items": facet_entry} for facet in FACETS},
            },
        },
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["parameter", "message"],
                "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "What works in citizen security: search API",
            "version": "1",
            "description": "Faceted search over interventions and the evidence about them.",
        },
        "paths": {
            "/api/v1/search/": {
                "get": {
                    "operationId": "searchInterventions",
                    "summary": "Search interventions and knowledge products, with facet counts",
                    "parameters": [
                        query_parameter("q", {"type": "string", "maxLength": 500}, "Words to search for."),
                        *facet_parameters,
                        query_parameter("bcr_min", {"type": "number", "minimum": 0}, "Lowest benefit-cost ratio."),
                        query_parameter("has_cost", {"type": "boolean"}, "Only interventions with cost data."),
                        query_parameter("sort", {"type": "string", "enum": list(SORTS)}, "Order of results."),
                        query_parameter(
                            "spell",
                            {"type": "boolean", "default": True},
                            "Correct typos in q (the default); false searches for q exactly as written.",
                        ),
                        query_parameter(
                            "page",
                            {"type": "integer", "minimum": 1},
                            "Page number, from 1; a page past the last one is a 400 (page 1 always exists).",
                        ),
                        query_parameter(
                            "page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, "Results a page."
                        ),
                        query_parameter(
                            "lang", {"type": "string", "enum": [code for code, _ in settings.LANGUAGES]}, "Language."
                        ),
                    ],
                    "responses": {
                        "200": {"description": "Results", "content": {"application/json": {"schema": response}}},
                        "400": {"description": "A bad parameter", "content": {"application/json": {"schema": error}}},
                    },
                }
            }
        },
    }
