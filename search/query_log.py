"""What visitors search for, for editors: every search with words is counted with Wagtail's search promotions
(`Query`, `QueryDailyHits`) and in `DailyQueryResults`, which also counts the searches that found nothing.

Only the first page of a search is counted, so that paging through results is one search. The query text is
normalized as search promotions does (lowercase, single spaces), so that promotions and counts share their queries.

A search is counted in the process's memory first (`pending_counts`) and written with the others in one transaction
(`flush_search_counts`, a few statements however many searches): when the oldest count kept is
settings.SEARCH_COUNT_FLUSH_SECONDS old or counts settings.SEARCH_COUNT_FLUSH_QUERIES queries, when the process
exits, and before the reports are read. Counting at each answer of the response cache is then a dictionary update,
not a transaction: the writes were most of a cached answer's time.
"""

import atexit
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import partial, reduce
from operator import or_

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
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
    """Counts a search for today, and writes the counts kept when it is time to."""
    if pending_counts.add(query_string, timezone.now(), result_count, found_nothing):
        flush_search_counts()


@dataclass
class DailyCount:
    """The searches for one query on one day not written yet."""

    searches: int = 0
    without_results: int = 0
    last_result_count: int = 0


class PendingCounts:
    """The counts of this process not written yet, by (query string, day), shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.oldest = None  # When the oldest count kept was made.

    def add(self, query_string, now, result_count, found_nothing):
        """Counts one search made at `now` on its day; returns whether the counts are due to be written."""
        with self.lock:
            count = self.counts.setdefault((query_string, now.date()), DailyCount())
            count.searches += 1
            count.without_results += int(found_nothing)
            count.last_result_count = result_count
            if self.oldest is None:
                self.oldest = now
            return (
                len(self.counts) >= settings.SEARCH_COUNT_FLUSH_QUERIES
                or (now - self.oldest).total_seconds() >= settings.SEARCH_COUNT_FLUSH_SECONDS
            )

    def take(self):
        """The counts kept, which are no longer kept: {(query string, day): DailyCount}."""
        with self.lock:
            counts, self.counts, self.oldest = self.counts, {}, None
            return counts

    def put_back(self, counts):
        """Keeps counts that could not be written, with those made since, for the next flush."""
        with self.lock:
            for key, count in counts.items():
                kept = self.counts.setdefault(key, DailyCount(last_result_count=count.last_result_count))
                kept.searches += count.searches
                kept.without_results += count.without_results
            self.oldest = timezone.now()


pending_counts = PendingCounts()


def flush_search_counts():
    """Writes the counts this process keeps, in one transaction. A failure to write is logged, never raised (counting
    must not break a search), and the counts are kept for the next flush: none is lost while the database is away."""
    counts = pending_counts.take()
    if not counts:
        return
    try:
        # Its own transaction (a savepoint inside a request's), so that a failed write leaves the request usable.
        with transaction.atomic():
            write_counts(counts)
    except DatabaseError:
        logger.exception("Could not write the counts of %d queries; they are kept to be written later", len(counts))
        pending_counts.put_back(counts)


# A process that exits writes what it still keeps: gunicorn's workers exit through the interpreter's normal exit.
atexit.register(flush_search_counts)


def write_counts(counts):
    query_strings = {query_string for query_string, _day in counts}
    # Query.save normalizes, which bulk_create skips: the query strings counted are normalized already.
    Query.objects.bulk_create(
        [Query(query_string=query_string) for query_string in query_strings], ignore_conflicts=True
    )
    query_ids = dict(Query.objects.filter(query_string__in=query_strings).values_list("query_string", "pk"))
    daily = {(query_ids[query_string], day): count for (query_string, day), count in counts.items()}
    write_daily_rows(QueryDailyHits, daily, added={"hits": "searches"})
    write_daily_rows(
        DailyQueryResults,
        daily,
        added={"searches": "searches", "without_results": "without_results"},
        replaced={"last_result_count": "last_result_count"},
    )


def write_daily_rows(model, daily, added, replaced=None):
    """Writes the counts `daily` ({(query id, day): DailyCount}) into `model`'s row of each query and day, creating
    the rows missing: one INSERT and one UPDATE, whatever the number of rows. `added` names the field that each count
    is added to, `replaced` the field whose value it replaces. The UPDATE adds to what a row holds when it runs, so
    that processes writing at the same time lose none of each other's counts."""
    model.objects.bulk_create([model(query_id=query_id, date=day) for query_id, day in daily], ignore_conflicts=True)
    values = {field: F(field) + per_row(model, field, daily, count) for field, count in added.items()}
    values |= {field: per_row(model, field, daily, count) for field, count in (replaced or {}).items()}
    model.objects.filter(reduce(or_, (Q(query_id=query_id, date=day) for query_id, day in daily))).update(**values)


def per_row(model, field, daily, count):
    """The `count` attribute of each row's DailyCount, as one SQL expression for `model`'s `field`."""
    return Case(
        *(
            When(query_id=query_id, date=day, then=Value(getattr(daily_count, count)))
            for (query_id, day), daily_count in daily.items()
        ),
        output_field=model._meta.get_field(field),
    )


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
