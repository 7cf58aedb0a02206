"""The Atom feed of public change notes: /changes/feed/, the newest first."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from config.cache import cache_public_page

from .changes import IN_FEED, ChangeNote, latest_changes


@dataclass(frozen=True)
class Entry:
    change: ChangeNote
    id: str  # the Atom id: a tag URI (RFC 4151), unique to the revision and the same on every fetch


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "What has changed on Treatment Compare"
    subtitle = "A clinical reviewer checks every change before patients see it, and writes these notes."
    author_name = "Treatment Compare"

    def link(self):
        return reverse("pages:changes")

    def get_object(self, request, *args, **kwargs):
        return request  # the entries' ids name this site

    def items(self, request):
        host = urlsplit(request.build_absolute_uri("/")).hostname
        return [
            Entry(change, f"tag:{host},{change.decided_at:%Y-%m-%d}:/changes/{change.pk}")
            for change in latest_changes(limit=IN_FEED)
        ]

    def item_title(self, entry):
        return entry.change.note

    def item_description(self, entry):
        return f"{entry.change.kind}: {entry.change.name}"

    def item_link(self, entry):
        return entry.change.url or reverse("pages:changes")

    def item_guid(self, entry):
        return entry.id

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.change.decided_at

    def item_updateddate(self, entry):
        return entry.change.decided_at


changes_feed = require_safe(cache_public_page(ChangesFeed()))
