"""The Atom feeds (Django's syndication framework): ``/events.atom``, of the published
events that match the chronology's filters, the ``LATEST`` most recently published or
changed first; and ``/statements.atom`` and ``/commitments.atom``, of the statements
that match a list's filters, the ``LATEST`` said most recently first.

An event's ``updated`` time is when it last changed, and publishing it is a change
(``Event.publish`` saves it): so the feed's order, and each entry's date, are that
time. Each entry is the event's permalink, with its dates, summary and sources.

A statement has no time of its own at which it changed: a list's feed is in the order
the statements were said (their sort date, newest first, as ``sort=newest`` lists
them), so that a statement newly said comes first; each entry's ``updated`` is when its
occasion last changed (its publication included), which is when a statement recorded
on it could have. Each entry is the statement's own page, with its words, who said
them through whom, when, on what occasion and where its passage stands in its
source, and on /commitments.atom what later statements say of it.

Every
address in it comes from ``SITE_URL`` (timeline/links.py), never from the request's
Host header: Django's syndication framework only adds a host to addresses that lack
one.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from timeline.dates import format_date
from timeline.forms import FeedFilter, StatementFilter
from timeline.heads import RECORD, SITE_NAME
from timeline.links import absolute_url
from timeline.models import Event, Statement
from timeline.querysets import add_listing_details
from timeline.relays import in_words

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


class StatementsFeed(Feed):
    """The feed of a list of statements (timeline/statement_lists.py, its ``listing``):
    the statements the view gives it, those a validated feed form selects."""

    feed_type = Atom1Feed
    language = "en"
    author_name = SITE_NAME

    def __init__(self, request, listing, statements: list[Statement]):
        self.request, self.listing, self.statements = request, listing, statements
        self.subtitle = (
            f"The {LATEST} {listing.title.lower()} of {RECORD} said most recently, the latest "
            "first."
        )

    def url(self, path: str) -> str:
        return absolute_url(self.request, path)

    def title(self, form: StatementFilter) -> str:
        summary = form.summary()
        return f"{SITE_NAME}: {self.listing.title}" + (f", {summary}" if summary else "")

    def link(self, form: StatementFilter) -> str:
        """The list as the feed's filters select it, newest first (as the feed lists it)."""
        query = form.query()
        return self.url(f"{self.listing.url()}{query}{'&' if query else '?'}sort=newest")

    def feed_url(self, form: StatementFilter) -> str:
        return self.url(self.listing.url("atom") + form.query())

    feed_guid = feed_url

    def items(self, form: StatementFilter) -> list[Statement]:
        return self.statements

    def item_title(self, statement: Statement) -> str:
        text = statement.text if len(statement.text) <= 80 else statement.text[:79] + "…"
        quoted = f"“{text}”" if statement.is_quote else text
        return f"{statement.speaker.name} {statement.act_display}: {quoted}"

    def item_link(self, statement: Statement) -> str:
        return self.url(statement.get_permalink())

    def item_author_name(self, statement: Statement) -> str:
        return statement.speaker.name

    def item_updateddate(self, statement: Statement):
        return statement.event.updated

    def item_categories(self, statement: Statement) -> list[str]:
        return [statement.get_speech_act_display(), statement.get_mode_display()]

    def item_description(self, statement: Statement) -> str:
        """HTML: the words, who said them and through whom, when, the occasion, the
        passage in the source; on /commitments.atom, the statuses."""
        words = f"“{statement.text}”" if statement.is_quote else statement.text
        statuses = format_html_join(
            "",
            "<li>{}</li>",
            (
                (format_html('<a href="{}">{}</a>', self.url(url), text) if url else text,)
                for text, url in getattr(statement, "statuses", [])
            ),
        )
        addressed = ", ".join(actor["name"] for actor in statement.addressed)
        return format_html(
            '<p>{}: {}</p><p>{}, {}{}.</p><p>Said {}, at <a href="{}">{}</a>.</p>'
            '<p><a href="{}">Its place in the source ({})</a>.</p>{}',
            statement.get_mode_display(),
            words,
            in_words(statement.speaker, statement.relayed),
            statement.act_display,
            f", to or about {addressed}" if addressed else "",
            statement.said_display,
            self.url(statement.event.get_absolute_url()),
            statement.event.title,
            self.url(statement.get_absolute_url()),
            statement.source.outlet_label,
            format_html("<p>Since:</p><ul>{}</ul>", statuses) if statuses else "",
        )


def statements_atom(request, listing, form: StatementFilter, statements: list) -> str:
    """A list's feed of ``statements`` (the view's, with their details), as text."""
    feed = StatementsFeed(request, listing, statements)
    return feed.get_feed(form, request).writeString("utf-8")
