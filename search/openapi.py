"""OpenAPI description of the search and changes APIs, built from the same facet definitions and limits the APIs
enforce."""

from django.conf import settings

from interventions.models import RecordChange
from interventions.vocabularies import EvidenceRating

from .api import API_METHODS
from .changes import SINCE_FORMAT
from .facets import FACETS
from .params import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_QUERY_LENGTH, MAX_VALUE_LENGTH
from .record_types import RECORD_TYPES
from .service import MAX_PAGE_SIZE, SORTS

# The methods that would change something, each a 405 on every path.
REFUSED_METHODS = ("post", "put", "patch", "delete")


def paging_parameters(page_size_description):
    """The page, its size and the language, which every listing of the API takes."""
    return [
        query_parameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "Page number, from 1; a page past the last one is a 400 (page 1 always exists).",
        ),
        query_parameter(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            page_size_description,
        ),
        query_parameter("lang", {"type": "string", "enum": [code for code, _ in settings.LANGUAGES]}, "Language."),
    ]


def query_parameter(name, schema, description, repeated=False):
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeated:
        parameter.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    return parameter


def text(max_length):
    """A text the API accepts: at most max_length characters, and no NUL character."""
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\u0000]*$"}


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_schema(parameter_required=False):
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["parameter", "message"] if parameter_required else ["message"],
                "properties": {
                    "parameter": {"type": "string", "description": "The query parameter at fault (on a 400)."},
                    "message": {"type": "string"},
                },
            }
        },
    }


def openapi_document():
    facet_parameters = [
        query_parameter(
            facet.name,
            text(MAX_VALUE_LENGTH),
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
    not_allowed = json_response(
        f"Not allowed: the API only reads; the Allow header lists {', '.join(API_METHODS)}.", error_schema()
    )
    server_error = json_response(
        "The server failed to answer; the body holds no detail of the failure.", error_schema()
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "What works in citizen security: search API",
            "version": "1",
            "description": "Faceted search over interventions and the evidence about them. Every answer is JSON, "
            "errors included: any other address under /api/ is a 404, and any method but "
            f"{', '.join(API_METHODS)} a 405. "
            f"A request may carry at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters (a 400).",
        },
        "paths": {
            "/api/v1/search/": {
                "get": {
                    "operationId": "searchInterventions",
                    "summary": "Search interventions and knowledge products, with facet counts",
                    "parameters": [
                        query_parameter("q", text(MAX_QUERY_LENGTH), "Words to search for."),
                        *facet_parameters,
                        query_parameter("bcr_min", {"type": "number", "minimum": 0}, "Lowest benefit-cost ratio."),
                        query_parameter("has_cost", {"type": "boolean"}, "Only interventions with cost data."),
                        query_parameter("sort", {"type": "string", "enum": list(SORTS)}, "Order of results."),
                        query_parameter(
                            "spell",
                            {"type": "boolean", "default": True},
                            "Correct typos in q (the default); false searches for q exactly as written.",
                        ),
                        *paging_parameters("Results a page."),
                    ],
                    "responses": {
                        "200": json_response("Results", response),
                        "400": json_response("A bad parameter, named in the error", error_schema(True)),
                        "500": server_error,
                    },
                },
                **{method: {"responses": {"405": not_allowed}} for method in REFUSED_METHODS},
            },
            "/api/v1/changes/": changes_path(not_allowed, server_error),
            "/api/v1/schema/": {
                "get": {
                    "operationId": "describeApi",
                    "summary": "This description of the API",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}},
                        "500": server_error,
                    },
                },
                **{method: {"responses": {"405": not_allowed}} for method in REFUSED_METHODS},
            },
        },
        "components": {
            "responses": {
                "NotFound": json_response("No API endpoint has this address (any path under /api/).", error_schema())
            }
        },
    }


def changes_path(not_allowed, server_error):
    """GET /api/v1/changes/ (changes.views): the public change log, for other platforms to sync from."""
    rating = {"type": ["string", "null"], "enum": [*EvidenceRating.values, None]}
    change = {
        "type": "object",
        "required": ["slug", "title", "url", "language", "changed_at", "kind", "note", "old_rating", "new_rating"],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "url": {"type": "string", "description": "The intervention's profile."},
            "language": {"type": "string", "description": "The language of the page that changed."},
            "changed_at": {"type": "string", "format": "date-time"},
            "kind": {
                "type": "string",
                "enum": list(RecordChange.Kind.values),
                "description": "new: first published; rating-changed: its evidence rating changed (old_rating to "
                "new_rating); reviewed: its evidence was reviewed again; updated: another change the editors note.",
            },
            "note": {"type": "string", "description": "The reviewers' public note, plain text (may be empty)."},
            "old_rating": {**rating, "description": "The rating before a rating change; null for other kinds."},
            "new_rating": {**rating, "description": "The rating after a rating change; null for other kinds."},
        },
    }
    response = {
        "type": "object",
        "required": ["count", "page", "page_size", "next", "changes"],
        "properties": {
            "count": {"type": "integer", "description": "How many changes there are from `since` on."},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "next": {
                "type": ["string", "null"],
                "description": "The address of the next page, null on the last one.",
            },
            "changes": {"type": "array", "items": change},
        },
    }
    return {
        "get": {
            "operationId": "listChanges",
            "summary": "New and changed interventions, oldest first, for syncing",
            "description": "The public change log of the interventions visitors see in `lang`. Changes are listed "
            "oldest first, so that pages are stable while new changes are added after them: to sync, keep the "
            "changed_at of the last change read and ask again with since set to it (changes at that very moment "
            "come again; recognise them by slug, kind and changed_at), following `next` until it is null.",
            "parameters": [
                query_parameter("since", {"type": "string"}, f"Changes from this moment on: {SINCE_FORMAT}."),
                query_parameter("pillar", text(MAX_VALUE_LENGTH), "Only interventions of this pillar (its slug)."),
                query_parameter(
                    "country",
                    {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                    "Only interventions in this country (ISO 3166-1 alpha-2 code).",
                ),
                *paging_parameters("Changes a page."),
            ],
            "responses": {
                "200": json_response("Changes", response),
                "400": json_response("A bad parameter, named in the error", error_schema(True)),
                "500": server_error,
            },
        },
        **{method: {"responses": {"405": not_allowed}} for method in REFUSED_METHODS},
    }
