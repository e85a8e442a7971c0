"""What visitors search for, for editors: every search with words is counted with Wagtail's search promotions
(`Query`, `QueryDailyHits`) and in `DailyQueryResults`, which also counts the searches that found nothing.

Only the first page of a search is counted, so that paging through results is one search. The query text is
normalized as search promotions does (lowercase, single spaces), so that promotions and counts share their queries.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import DatabaseError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query
from wagtail.search.utils import normalise_query_string

from .models import DailyQueryResults

logger = logging.getLogger(__name__)


def log_search(result):
    """Counts a search for today, unless it is not one to count."""
    if (count := search_counter(result)) is not None:
        count()


def search_counter(result):
    """The call that counts this search, or None when it is not counted (a later page, or no words): a search the
    response cache answers is counted by it again (search.response_cache.on_every_answer)."""
    params = result.params
    query_string = normalise_query_string(params.q)
    if params.page != 1 or not query_string:
        return None
    return partial(count_search, query_string, result.count, not result.hits)


def count_search(query_string, result_count, found_nothing):
    """Counts a search for today. A failure to write is logged, never raised: counting must not break a search."""
    try:
        # Its own transaction (a savepoint inside a request's), so that a failed write leaves the request usable.
        with transaction.atomic():
            query = Query.get(query_string)
            query.add_hit()
            # Same day as add_hit's, so that both tables count the search on one date.
            daily, _created = DailyQueryResults.objects.get_or_create(query=query, date=timezone.now().date())
            DailyQueryResults.objects.filter(pk=daily.pk).update(
                searches=F("searches") + 1,
                without_results=F("without_results") + int(found_nothing),
                last_result_count=result_count,
            )
    except DatabaseError:
        logger.exception("Could not count the search for %r", query_string)


# The reports look back this many days, today included.
REPORT_DAYS = 30


def recent_queries(days=REPORT_DAYS):
    """The queries searched in the last `days` days with their `searches` and how many found nothing
    (`without_results`) in that time, the most searched first."""
    since = timezone.now().date() - timedelta(days=days - 1)
    # The filter comes before the sums, so that they add up the days since then only.
    return (
        Query.objects.filter(daily_results__date__gte=since)
        .annotate(searches=Sum("daily_results__searches"), without_results=Sum("daily_results__without_results"))
        .order_by("-searches", "query_string")
    )


def recent_queries_without_results(days=REPORT_DAYS):
    """The queries that found nothing at least once in the last `days` days, the most often first."""
    return recent_queries(days).filter(without_results__gt=0).order_by("-without_results", "-searches", "query_string")
