"""What a public page says of itself in its ``<head>``, for search engines, feed readers
and the previews that social networks and chat apps show of a shared link: its title
and description (what is on screen), its one address (``rel="canonical"``, the Open
Graph ``og:url``), its kind, the site's share image and its Atom feed, if it has one.

Each view builds its page's ``Head`` from what it has read already (no query); the
markup is written once, in templates/base.html. Addresses come from ``SITE_URL``
(timeline/links.py), never from the request's Host header.
"""

from dataclasses import dataclass

from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator

from timeline import relays
from timeline.dates import format_date
from timeline.forms import ChronologyFilter
from timeline.links import absolute_url

SITE_NAME = "Karabakh timeline"
# What the whole record is, in the words of the site's tagline.
RECORD = "the Nagorno-Karabakh conflict and its diplomacy"
PERIOD = "1991–2023"
# The site's own share image (static/img/share.png, drawn by scripts/make-share-image).
IMAGE = "img/share.png"
IMAGE_SIZE = (1200, 630)
IMAGE_ALT = "A bar for each year of the Karabakh timeline, 1991 to 2023."
# A description longer than this is cut (search engines show about 160 characters).
DESCRIPTION_LENGTH = 300


@dataclass(frozen=True)
class Head:
    title: str  # without the site's name, which the <title> adds
    description: str
    url: str  # the page's canonical address, absolute
    image: str  # absolute
    type: str = "website"  # Open Graph's og:type
    feed: str = ""  # the absolute address of its Atom feed, if it has one
    feed_title: str = ""

    site_name = SITE_NAME
    image_width, image_height = IMAGE_SIZE
    image_alt = IMAGE_ALT


def _head(request, path: str, title: str, description: str, **fields) -> Head:
    return Head(
        title=title,
        description=Truncator(description).chars(DESCRIPTION_LENGTH),
        url=absolute_url(request, path),
        image=absolute_url(request, static(IMAGE)),
        **fields,
    )


def events(count: int | None) -> str:
    return "events" if count is None else f"{count:,} event{'' if count == 1 else 's'}"


def chronology(request, form: ChronologyFilter, count: int | None) -> Head:
    """The chronology as ``form`` filters it, with ``count`` matching events (None: the
    count was skipped for time)."""
    summary = form.summary()
    title = summary or f"Chronology, {PERIOD}"
    if count is not None:
        title += f" · {events(count)}"
    cursor = form.cleaned_data.get("cursor")
    if cursor:
        title += f", continued after {format_date(cursor[0])}"
    if summary:
        description = f"{events(count).capitalize()} of {RECORD} matching: {summary}."
    else:
        description = f"Every published event of {RECORD}, {PERIOD}, in date order."
    description += " Each cites its sources, with what each side said, verbatim."
    feed_query = form.query(sort=None)  # its filters, not its page or its order
    return _head(
        request,
        reverse("timeline:chronology") + form.address(),
        title,
        description,
        feed=absolute_url(request, reverse("timeline:events-atom") + feed_query),
        feed_title=f"{summary or 'All events'}: latest changes",
    )


def event(request, event) -> Head:
    return _head(
        request,
        event.get_absolute_url(),
        f"{event.title}, {event.date_display}{event.status_note}",
        event.summary,
        type="article",
    )


def statement(request, statement) -> Head:
    """A statement's own page: who said it, where, and its words."""
    relayed = relays.in_words(statement.speaker, statement.relayed)
    return _head(
        request,
        statement.get_permalink(),
        f"{statement.speaker.name}: {Truncator(statement.text).words(12)}",
        f"{statement.get_mode_display()} by {relayed}, on “{statement.event.title}” "
        f"({statement.event.date_display}), in {statement.source.outlet_label}: "
        f"“{statement.text}”",
        type="article",
    )


def actor(request, actor, pages) -> Head:
    """An actor's page, at the page of its lists that ``pages`` (its validated query
    string) asks for; its feed is that of the chronology filtered by the actor, while
    readers can open that (the actor is public)."""
    who = ", ".join(filter(None, [actor.name, actor.office]))
    description = (
        f"{who} ({actor.get_kind_display().lower()}): statements in date order, events and "
        f"counterparts in a sourced chronology of {RECORD}."
    )
    feed = ""
    if actor.is_public:
        query = ChronologyFilter.query_for(actor=[actor.slug])
        feed = absolute_url(request, reverse("timeline:events-atom") + query)
    return _head(
        request,
        actor.get_absolute_url() + pages.query(),
        actor.name,
        description,
        feed=feed,
        feed_title=f"Events involving {actor.name}: latest changes",
    )


def source(request, source, pages) -> Head:
    published = format_date(source.published) if source.published else "undated"
    headline = source.headline or "Untitled document"
    return _head(
        request,
        source.get_absolute_url() + pages.query(),
        f"{headline}, {source.outlet_label}, {published}",
        f"{source.get_kind_display()} from {source.outlet_label} ({published}), "
        f"{source.get_origin_display()} account: its full text, with every statement the "
        f"timeline records in it and the events it reports.",
        type="article",
    )


def about(request) -> Head:
    return _head(
        request,
        reverse("timeline:about"),
        "About this timeline",
        f"What the sourced chronology of {RECORD} covers and what it does not, the "
        "documents it is built from, its editorial rules, and how to cite it.",
    )


def data(request) -> Head:
    return _head(
        request,
        reverse("timeline:data"),
        "The data: every address, its parameters and fields",
        f"The JSON, CSV and Atom of the sourced chronology of {RECORD}, and its pages: every "
        "address, the parameters it takes and the fields it answers, with examples.",
    )


def directory(request, listing, form) -> Head:
    """An index page (/actors/, /places/, /sources/) as its validated ``form`` asks."""
    words = form.cleaned_data.get("q")
    title = listing.title + (f": “{words}”" if words else "")
    return _head(
        request,
        reverse(f"timeline:{listing.name}") + form.query(),
        title,
        f"Every {listing.noun} that a published event of {RECORD} shows, by kind, with "
        "how many events each is in.",
    )


def choices(request, form, name: str) -> Head:
    """Every choice of a facet of the chronology's view that ``form`` gives."""
    legend = form.fields[name].label
    summary = form.summary()
    return _head(
        request,
        reverse("timeline:choices", kwargs={"name": name}) + form.query(),
        f"{legend}: every choice" + (f" in {summary}" if summary else ""),
        f"Every one of the {legend.lower()} of {RECORD}, with how many events each is in.",
    )


def statements(request, listing, form, count: int | None) -> Head:
    """A list of statements (/statements/, /commitments/: ``listing``) as ``form``
    filters it, with ``count`` matching statements (None: the count was skipped)."""
    summary = form.summary()
    title = listing.title + (f": {summary}" if summary else "")
    if count is not None:
        title += f" · {count:,} statement{'' if count == 1 else 's'}"
    cursor = form.cleaned_data.get("cursor")
    if cursor:
        title += (
            f", continued {'before' if form.newest_first() else 'after'} {format_date(cursor[0])}"
        )
    description = f"{listing.description} {RECORD.capitalize()}, {PERIOD}"
    description += f", matching: {summary}." if summary else "."
    description += " Each verbatim, linked to its place in its source."
    feed_query = form.query(sort=None)  # its filters, not its page or its order
    return _head(
        request,
        reverse(f"timeline:{listing.name}") + form.address(),
        title,
        description,
        feed=absolute_url(request, reverse(f"timeline:{listing.name}-atom") + feed_query),
        feed_title=f"{listing.title}{': ' + summary if summary else ''}: the latest said",
    )
