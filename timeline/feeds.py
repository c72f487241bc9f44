"""``/events.atom``: an Atom feed of the published events that match the chronology's
filters, the ``LATEST`` most recently published or changed first (Django's
syndication framework).

An event's ``updated`` time is when it last changed, and publishing it is a change
(``Event.publish`` saves it): so the feed's order, and each entry's date, are that
time. Each entry is the event's permalink, with its dates, summary and sources. Every
address in it comes from ``SITE_URL`` (timeline/links.py), never from the request's
Host header: Django's syndication framework only adds a host to addresses that lack
one.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from timeline.dates import format_date
from timeline.forms import FeedFilter
from timeline.heads import RECORD, SITE_NAME
from timeline.links import absolute_url
from timeline.models import Event
from timeline.querysets import add_listing_details

LATEST = 50
CONTENT_TYPE = Atom1Feed.content_type


class EventsFeed(Feed):
    """The feed of the events a validated ``FeedFilter`` selects: its object."""

    feed_type = Atom1Feed
    language = "en"
    author_name = SITE_NAME
    subtitle = (
        f"The {LATEST} events of {RECORD} that were most recently published or changed, "
        "newest change first."
    )

    def __init__(self, request):
        self.request = request

    def url(self, path: str) -> str:
        return absolute_url(self.request, path)

    def title(self, form: FeedFilter) -> str:
        summary = form.summary()
        return f"{SITE_NAME}: {summary}" if summary else SITE_NAME

    def link(self, form: FeedFilter) -> str:
        return self.url(reverse("timeline:chronology") + form.query())

    def feed_url(self, form: FeedFilter) -> str:
        return self.url(reverse("timeline:events-atom") + form.query())

    feed_guid = feed_url

    def items(self, form: FeedFilter) -> list[Event]:
        events = form.apply(Event.objects.published()).latest_changes()
        latest = list(events[:LATEST])
        add_listing_details(latest, events.db)  # their sources, in one query
        return latest

    def item_title(self, event: Event) -> str:
        return event.title  # text: Atom's <title> is not HTML, unlike RSS's

    def item_link(self, event: Event) -> str:
        return self.url(event.get_absolute_url())

    def item_updateddate(self, event: Event):
        return event.updated

    def item_categories(self, event: Event) -> list[str]:
        return [event.get_kind_display()]

    def item_description(self, event: Event) -> str:
        """HTML (Atom's ``<summary type="html">``): the dates, the summary, the sources."""
        sources = format_html_join(
            "",
            '<li><a href="{}">{}</a>{}</li>',
            (
                (
                    self.url(source["url"]),
                    source["label"],
                    f", {format_date(source['published'])}" if source["published"] else "",
                )
                for source in event.listed_sources
            ),
        )
        return format_html(
            "<p>{}{}</p><p>{}</p><p>Sources:</p><ul>{}</ul>",
            event.date_display,
            event.status_note,
            event.summary,
            sources,
        )


def atom(request, form: FeedFilter) -> str:
    """The feed, as text."""
    return EventsFeed(request).get_feed(form, request).writeString("utf-8")
