"""What every search reads besides the text index, held in each process's memory: which pages each language's
visitors see, which pages have each facet value, and what results are filtered and ordered by.

Reading these from the database at every request cost more than everything else a search does (thousands of keys
sent back and forth for each facet count); in memory, filters and facet counts are intersections of sets. A search
asks the database only for the token of SearchDataVersion, which every change of these rows replaces in the same
transaction (see signal_handlers), and builds the snapshot afresh when the token differs from the one it holds.
"""

import threading
import uuid
from dataclasses import dataclass

from wagtail.models import Page

from .keys import rows_of
from .models import FacetValue, SearchDataVersion, VisiblePage


@dataclass(frozen=True)
class Ranking:
    """What a page the search finds is filtered and ordered by (the numbers are None for knowledge products)."""

    evidence_rank: int | None
    strongest_design_rank: int | None
    study_count: int | None
    title: str
    bcr_low: float | None
    bcr_midpoint: float | None
    has_cost_data: bool | None


@dataclass(frozen=True)
class Snapshot:
    token: uuid.UUID | None
    visible: dict  # language code -> frozenset of the keys of the pages its visitors see
    facet_keys: dict  # facet name -> {value: frozenset of the keys of the pages with that value}
    rankings: dict  # key -> Ranking, for every page visible in some language

    def keys_with(self, facet_name, values):
        """The keys of the pages with any of these values of the facet."""
        values_keys = self.facet_keys.get(facet_name, {})
        return frozenset().union(*(values_keys.get(value, ()) for value in values))


_lock = threading.Lock()
_snapshot = None


def current_snapshot():
    """The snapshot of the current version, built if this process does not hold it yet."""
    global _snapshot
    token = SearchDataVersion.objects.values_list("token", flat=True).first()
    snapshot = _snapshot
    if snapshot is None or snapshot.token != token:
        # One thread builds it; the others wait for it rather than each reading everything again.
        with _lock:
            snapshot = _snapshot
            if snapshot is None or snapshot.token != token:
                snapshot = _snapshot = build_snapshot(token)
    return snapshot


def mark_changed():
    """Gives the search data a new version: to be called in the transaction that changes it."""
    if not SearchDataVersion.objects.update(token=uuid.uuid4()):
        SearchDataVersion.objects.create()


def build_snapshot(token):
    visible_pages = Page.objects.filter(pk__in=VisiblePage.objects.values("page_id"))
    rankings = {
        key: Ranking(*ranking)
        for key, *ranking in rows_of(
            visible_pages.values_list(
                "pk",
                "interventionpage__evidence_rank",
                "interventionpage__strongest_design_rank",
                "interventionpage__study_count",
                "title",
                "interventionpage__bcr_low",
                "interventionpage__bcr_midpoint",
                "interventionpage__has_cost_data",
            )
        )
    }
    visible, facet_keys = {}, {}
    for language, key in rows_of(VisiblePage.objects.values_list("language", "page_id")):
        # A page deleted between the two reads is left out of both.
        if key in rankings:
            visible.setdefault(language, set()).add(key)
    for facet, value, key in rows_of(FacetValue.objects.values_list("facet", "value", "page_id")):
        facet_keys.setdefault(facet, {}).setdefault(value, set()).add(key)
    return Snapshot(
        token=token,
        visible={language: frozenset(keys) for language, keys in visible.items()},
        facet_keys={
            facet: {value: frozenset(keys) for value, keys in values.items()} for facet, values in facet_keys.items()
        },
        rankings=rankings,
    )
