from dataclasses import replace
from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from interventions.models import Pillar
from interventions.vocabularies import EvidenceRating

from .api import API_METHODS, search_json
from .exports import export_slice, results_csv, results_document
from .facets import FACETS
from .gap_map import REGIONS, gap_map
from .highlight import highlight_hits
from .openapi import openapi_document
from .params import InvalidParameter, parse_export_window, parse_search_params, value_of
from .promotions import with_promotions
from .query_log import log_search, search_counter
from .response_cache import cache_for_visitors, on_every_answer
from .service import search_records
from .suggestions import ways_on


class PageOutOfRange(Exception):
    def __init__(self, num_pages):
        super().__init__(f"at most {num_pages}, the number of pages of these results")
        self.num_pages = num_pages


def visitor_search(params):
    """A visitor's search, for the page and the API: the results with the editors' picks first, counted for the
    editors' reports. A page past the last raises PageOutOfRange (page 1 always exists, even without results)."""
    result = search_records(params)
    if not result.page_exists:
        raise PageOutOfRange(result.num_pages)
    result = with_promotions(result)
    log_search(result)
    return result


def api_error(status, message, parameter=None):
    """The body of every error the API answers: {"error": {"message": ..., "parameter": ...}} (parameter on a 400)."""
    error = {"message": message} if parameter is None else {"parameter": parameter, "message": message}
    return JsonResponse({"error": error}, status=status)


def bad_parameter(invalid):
    return api_error(400, invalid.message, invalid.parameter)


def read_only_api(view):
    """An API view: GET and HEAD answer, OPTIONS names them, and any other method is a JSON 405 with an Allow header.

    csrf_exempt, because the API only reads and reads no cookie: there is no state a forged request could change,
    and without it a POST would get the CSRF middleware's HTML 403 instead of the 405."""

    @csrf_exempt
    @wraps(view)
    def answer(request):
        if request.method in ("GET", "HEAD"):
            return view(request)
        if request.method == "OPTIONS":
            response = HttpResponse()
        else:
            response = api_error(405, f"{request.method} is not allowed: the API only reads.")
        response["Allow"] = ", ".join(API_METHODS)
        return response

    return answer


def counted_on_every_answer(response, result):
    """The response, set to count its search again each time the response cache answers with it."""
    if (count := search_counter(result)) is not None:
        on_every_answer(response, count)
    return response


@read_only_api
@cache_for_visitors
def search_api(request):
    try:
        params = parse_search_params(request.GET)
        result = visitor_search(params)
    except InvalidParameter as invalid:
        return bad_parameter(invalid)
    except PageOutOfRange as out_of_range:
        return bad_parameter(InvalidParameter("page", str(out_of_range)))
    response = JsonResponse(search_json(result, request), json_dumps_params={"ensure_ascii": False})
    return counted_on_every_answer(response, result)


@read_only_api
def openapi_schema(request):
    return JsonResponse(openapi_document())


def with_search_params(view):
    """A GET view of the search in the visitor's language; a bad parameter gets a JSON 400 that names it."""

    @require_safe
    @wraps(view)
    def parsed(request):
        try:
            params = parse_search_params(request.GET, default_language=get_language())
        except InvalidParameter as invalid:
            return bad_parameter(invalid)
        return view(request, params)

    return parsed


@with_search_params
def export_csv(request, params):
    language = get_language()
    return export_response(request, params, "csv", lambda keys: results_csv(keys, request, language))


@with_search_params
def export_json(request, params):
    return export_response(request, params, "json", results_document)


EXPORT_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def export_response(request, params, extension, content):
    """A search's interventions as a file, streamed: `content` makes its text from their keys. A bad `offset` or
    `limit` gets a 400 that names it; the headers say how many the search found and where the next file starts."""
    try:
        exported = export_slice(params, *parse_export_window(request.GET))
    except InvalidParameter as invalid:
        return bad_parameter(invalid)
    response = StreamingHttpResponse(content(exported.keys), content_type=EXPORT_CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{exported.filename(extension)}"'
    response["X-Total-Count"] = exported.total
    if exported.next_offset is not None:
        following = request.GET.copy()
        following["offset"] = exported.next_offset
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{following.urlencode()}>; rel="next"'
    return response


@require_safe
@cache_for_visitors
def search_page(request):
    try:
        params = parse_search_params(request.GET, default_language=get_language())
    except InvalidParameter as invalid:
        return TemplateResponse(request, "search/search.html", {"error": invalid}, status=400)
    try:
        result = highlight_hits(visitor_search(params))
    except PageOutOfRange as out_of_range:
        raise Http404(str(out_of_range)) from None
    context = {
        "result": result,
        "params": params,
        "facets": FACETS,
        "ways_on": ways_on(params) if not result.hits else None,
    }
    return counted_on_every_answer(TemplateResponse(request, "search/search.html", context), result)


@require_safe
@cache_for_visitors
def gap_map_page(request):
    try:
        params = parse_search_params(request.GET, default_language=get_language())
        region = value_of(request.GET, "region")
        if region and region not in REGIONS:
            raise InvalidParameter("region", f"one of {', '.join(REGIONS)}")
    except InvalidParameter as invalid:
        return TemplateResponse(request, "search/gap_map.html", {"error": invalid}, status=400)
    if region:
        params = replace(params, filters={**params.filters, "country": REGIONS[region][1]})
    # Every cell links to the search for its two terms within the map's own filters.
    within = QueryDict(mutable=True)
    for name, values in params.filters.items():
        within.setlist(name, values)
    return TemplateResponse(
        request,
        "search/gap_map.html",
        {
            "map": gap_map(params),
            "params": params,
            "region": region,
            "regions": REGIONS,
            "pillars": Pillar.objects.all(),
            "ratings": EvidenceRating.choices,
            "search_within": within.urlencode(),
        },
    )
