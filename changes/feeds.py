"""The Atom feed of new and changed interventions, in the visitor's language, narrowed by pillar and country."""

from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from search.changes import FEED_SIZE, latest_changes, parse_change_filters
from search.params import InvalidParameter


class FeedRequest(NamedTuple):
    params: object
    # The site's domain, which the entries' ids name.
    domain: str


class ChangesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        # The filters, parsed and checked by `changes_feed` before the feed is built.
        return FeedRequest(request.change_filters, request.get_host().split(":")[0])

    def title(self, params):
        return _("What works in citizen security: new and changed interventions")

    def author_name(self, params):
        # Atom asks for an author of each entry, or of the feed for all of them.
        return _("What works in citizen security")

    def subtitle(self, params):
        return _("New interventions, changes of their evidence ratings and other updates, newest first.")

    def link(self, feed_request):
        # The home page in the feed's language (the request's), where "what's new" lists the same changes.
        return reverse("wagtail_serve", args=[""])

    def feed_url(self, params):
        return reverse("changes_feed")

    def items(self, feed_request):
        params = feed_request.params
        changes = latest_changes(params.lang, FEED_SIZE, pillar=params.pillar, country=params.country)
        for change in changes:
            change.feed_domain = feed_request.domain
        return changes

    def item_title(self, change):
        return f"{change.page.title}: {change.summary}"

    def item_description(self, change):
        # Atom1Feed marks the summary as HTML: the note is the reviewer's plain text, so it is escaped here.
        return escape(change.note or change.summary)

    def item_link(self, change):
        return change.page.get_url()

    def item_guid(self, change):
        # Stable whatever the page's address becomes: a reader shows an entry once.
        return f"tag:{change.feed_domain},{change.changed_at:%Y-%m-%d}:change-{change.pk}"

    def item_guid_is_permalink(self, change):
        return False

    def item_pubdate(self, change):
        return change.changed_at

    def item_updateddate(self, change):
        return change.changed_at


feed = ChangesFeed()


@require_safe
def changes_feed(request):
    """The feed; a bad `pillar` or `country` is a 400 that says which and what it should be."""
    try:
        request.change_filters = parse_change_filters(request.GET, language=get_language())
    except InvalidParameter as invalid:
        return HttpResponseBadRequest(
            f"{invalid.parameter}: {invalid.message}", content_type="text/plain; charset=utf-8"
        )
    return feed(request)
