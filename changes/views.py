"""GET /api/v1/changes/: the change log for other platforms to sync from (described in search/openapi.py)."""

from django.core.paginator import Paginator
from django.http import JsonResponse

from search.changes import changes_since, parse_change_params
from search.params import InvalidParameter
from search.views import bad_parameter, read_only_api


def change_json(change, request):
    return {
        "slug": change.page.slug,
        "title": change.page.title,
        "url": request.build_absolute_uri(change.page.get_url(request)),
        "language": change.page.locale.language_code,
        "changed_at": change.changed_at.isoformat(),
        "kind": change.kind,
        "note": change.note,
        "old_rating": change.old_rating or None,
        "new_rating": change.new_rating or None,
    }


@read_only_api
def changes_api(request):
    """A page of the entries from `since` on, oldest first, with the address of the next page (null on the last)."""
    try:
        params = parse_change_params(request.GET)
        paginator = Paginator(changes_since(params), params.page_size)
        if params.page > paginator.num_pages:
            raise InvalidParameter("page", f"at most {paginator.num_pages}, the number of pages of these changes")
    except InvalidParameter as invalid:
        return bad_parameter(invalid)
    page = paginator.page(params.page)
    following = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = page.next_page_number()
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    body = {
        "count": paginator.count,
        "page": params.page,
        "page_size": params.page_size,
        "next": following,
        "changes": [change_json(change, request) for change in page.object_list],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
