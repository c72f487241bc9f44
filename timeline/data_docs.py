"""What /data/ documents: every public address of the site, with its parameters and
the meaning of each, every field or column of what it answers and the meaning of
each, and an example: an address built from the record's own data (``samples``) and
a short answer. The one home of that documentation: the page renders it, and tests
compare it with timeline/urls.py (every public route is documented here, or left out
in ``OMITTED`` with the reason) and with the real answers (every field documented is
one they give, and every one they give is documented).

A route documented before its view is built (``pending``) has its path here; its
links (``address``) use that path until the route exists."""

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from timeline import exports, feeds, keyset, sitemaps
from timeline.directory import DIRECTORIES
from timeline.directory import PAGE_SIZE as DIRECTORY_PAGE_SIZE
from timeline.forms import MAX_SLUGS, MAX_WORDS
from timeline.models import Event, EventActor, EventLink, Origin, Statement, StatementLink
from timeline.timelimits import OVERRUN_MEMORY_SECONDS


@dataclass(frozen=True)
class Term:
    """A parameter, a field or a column: its name (a field inside another is named by its
    path, ``speaker.slug``; one in each item of a list, ``actors[].slug``), what it
    means, and the values it takes where they are a fixed set ((value, label) pairs)."""

    name: str
    meaning: str
    values: tuple = ()


@dataclass(frozen=True)
class Example:
    """An example of an address and its answer. The address is built from the record's
    own data (``kwargs``: each of the route's arguments and the sample that fills it;
    ``query``: a query string whose ``{sample}``s are filled likewise); ``data`` is an
    answer in JSON, shortened, and ``output`` one in any other format."""

    kwargs: tuple = ()
    query: str = ""
    data: object = None
    output: str = ""

    def rendered(self) -> str:
        if self.data is not None:
            return json.dumps(self.data, indent=2, ensure_ascii=False)
        return self.output


@dataclass(frozen=True)
class Endpoint:
    route: str  # its name in timeline/urls.py
    path: str  # as a reader writes it
    format: str
    summary: str
    parameters: tuple = ()
    fields: tuple = ()  # of the answer, or the columns of a CSV
    item_path: str = ""  # the list whose items ``item_fields`` describe: "results[]"
    item: str = ""  # what each item is
    item_fields: tuple = ()
    example: Example = field(default_factory=Example)
    also: tuple = ()  # other routes it documents (a sitemap's sections)
    pending: bool = False  # documented before its view is built

    @property
    def anchor(self) -> str:
        return "endpoint-" + self.route

    def documented_fields(self) -> set[str]:
        """The path of every field documented, as ``field_paths`` gives a real answer's."""
        prefix = f"{self.item_path}." if self.item_path else ""
        return {t.name for t in self.fields} | {prefix + t.name for t in self.item_fields}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    endpoints: tuple


def choices(text_choices) -> tuple:
    return tuple((value, str(label)) for value, label in text_choices.choices)


def field_paths(data, prefix: str = "") -> set[str]:
    """The path of every field of a JSON answer: ``results``, ``results[].slug``,
    ``results[].actors[].slug``, … (the fields of each item of a list, all items
    together)."""
    paths = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = prefix + key
            paths.add(path)
            paths |= field_paths(value, path + ".")
    elif isinstance(data, list):
        for item in data:
            paths |= field_paths(item, prefix.removesuffix(".") + "[].")
    return paths


# ---------------------------------------------------------------- parameters

SLUGS = f"Repeatable, up to {MAX_SLUGS} at once."

CHRONOLOGY_FILTERS = (
    Term(
        "q",
        f"Words to search for, at most {MAX_WORDS}: events whose title, summary or statements "
        "contain every one of them, or whose actors or places are named so, in any spelling "
        "the record knows.",
    ),
    Term("actor", f"An actor's slug: events in which every actor given has a part. {SLUGS}"),
    Term("place", f"A place's slug: events at every place given. {SLUGS}"),
    Term(
        "kind",
        "A kind of event: events of any of the kinds given. Repeatable.",
        choices(Event.Kind),
    ),
    Term(
        "origin",
        "Whose account: events reported by at least one document carrying any of the "
        "accounts given (see About). Repeatable.",
        choices(Origin),
    ),
    Term(
        "from",
        "A year, a month or a day (2022, 2022-09, 2022-09-13): events that end on or after its "
        "first day.",
    ),
    Term(
        "to",
        "A year, a month or a day: events that start on or before its last day. “from” and "
        "“to” together give the events that overlap the period.",
    ),
)
SORT = Term(
    "sort",
    "The order: oldest first (the default) or newest first.",
    (("oldest", "Oldest first"), ("newest", "Newest first")),
)
CURSOR = Term(
    "cursor",
    "Where a page starts: the value in the “next” address of the page before. Opaque: "
    "follow the links rather than build it.",
)
SHOWN = Term(
    "shown",
    f"How many events from where the page starts: {keyset.PAGE_SIZE}, {2 * keyset.PAGE_SIZE}, … "
    f"up to {keyset.SHOWN_AT_MOST} (by default {keyset.PAGE_SIZE}).",
)
# What an index page's search looks in.
SEARCHED = {
    "actors": "its name or an alias (in any spelling the record knows)",
    "places": "its name or an alias (in any spelling the record knows)",
    "sources": "its headline or outlet",
}


def directory_filters(name: str) -> tuple:
    """The parameters of the index page ``name`` (/actors/, …) and its JSON."""
    return (
        Term("q", f"Words to search for, anywhere in {SEARCHED[name]}, in any case."),
        Term("kind", "Only those of this kind.", choices(DIRECTORIES[name].model.Kind)),
        Term(
            "after",
            f"Where a page starts ({DIRECTORY_PAGE_SIZE} rows a page): the value in the "
            "“next” address of the page before.",
        ),
    )


STATEMENT_FILTERS = (
    Term(
        "speaker",
        f"An actor's slug: statements it made (each has one speaker, so two give none). {SLUGS}",
    ),
    Term(
        "addressee",
        f"An actor's slug: statements addressed to or about every actor given. {SLUGS}",
    ),
    Term("relayer", f"An actor's slug: statements relayed by every actor given. {SLUGS}"),
    Term(
        "act",
        "A speech act: statements with any of the acts given. Repeatable.",
        choices(Statement.SpeechAct),
    ),
    Term(
        "mode",
        "How the source gives it: any of the modes given. Repeatable.",
        choices(Statement.Mode),
    ),
    Term(
        "origin",
        "Whose account its source carries: any of those given. Repeatable.",
        choices(Origin),
    ),
    Term("source", "A source's slug: statements recorded in any of the sources given. Repeatable."),
    Term(
        "point",
        "A point of comparison's slug (the same slug on several events is one subject): "
        "statements on any of the points given. Repeatable.",
    ),
    Term(
        "event",
        "An event's slug: statements said at any of the events given (their occasion). Repeatable.",
    ),
    Term(
        "from",
        "A year, a month or a day: statements dated (else their occasion) on or after its "
        "first day.",
    ),
    Term(
        "to",
        "A year, a month or a day: statements dated (else their occasion) on or "
        "before its last day.",
    ),
    Term(
        "q",
        f"Words to search for in the statements' text, at most {MAX_WORDS}: statements with "
        "every one of them (on PostgreSQL, each as the start of a word).",
    ),
    CURSOR,
    SORT,
)
# /commitments/ takes the same parameters; its acts are the demands and the commitments.
COMMITMENT_FILTERS = tuple(
    Term(
        t.name,
        t.meaning,
        tuple((v, label) for v, label in t.values if v in Statement.ASKS | Statement.PROMISES),
    )
    if t.name == "act"
    else t
    for t in STATEMENT_FILTERS
)
FEED_FILTERS = {
    name: tuple(t for t in filters if t.name not in ("cursor", "sort"))
    for name, filters in (("statements", STATEMENT_FILTERS), ("commitments", COMMITMENT_FILTERS))
}

# ---------------------------------------------------------------- fields

COUNT_MEANING = (
    "How many match, all pages together. null when it could not be counted in time: only "
    "while a change to the record is waiting for its recount (the moments after an editor "
    "saves), when the count is made in the database within a time limit "
    f"({settings.TIMELINE_COUNT_TIME_LIMIT_MS} ms) and would have taken longer. The same "
    f"server process then does not try that count again for {OVERRUN_MEMORY_SECONDS} "
    "seconds. The page of results is complete either way."
)
NEXT_MEANING = "The address of the next page, or null on the last."


def counted_page(results: str) -> tuple:
    """The terms of a page of a counted list: its ``count``, ``next`` and ``results``."""
    return (Term("count", COUNT_MEANING), Term("next", NEXT_MEANING), Term("results", results))


SAID_FIELDS = (
    Term(
        "said",
        "When it was said: its occasion's date unless the document dates it "
        "otherwise; null when the document does not date it.",
    ),
    Term("said.start", "Its first day (YYYY-MM-DD)."),
    Term("said.end", "Its last day, or null for a single day."),
    Term("said.precision", "How exactly the document dates it.", choices(Event.Precision)),
)

EVENT_STATEMENT_FIELDS = (
    Term("id", "Its permanent public id: its page is /statements/<id>/."),
    Term("url", "Its own page."),
    Term("passage_url", "Its passage highlighted in the whole text of its source."),
    Term("start", "Where its passage starts in the source's text (a character offset, from 0)."),
    Term("end", "Where its passage ends (the offset just after its last character)."),
    Term("speaker", "Whose words or position it is."),
    Term("speaker.slug", "The speaker's slug (its page is /actors/<slug>/)."),
    Term("speaker.name", "The speaker's name."),
    Term(
        "relayed_by",
        "Who passed it on, in order, from the speaker to the outlet that published the source.",
    ),
    Term("relayed_by[].slug", "Each relay's slug."),
    Term("relayed_by[].name", "Each relay's name."),
    Term("addressees", "The actors it is addressed to or about, by name."),
    Term("addressees[].slug", "Each one's slug."),
    Term("addressees[].name", "Each one's name."),
    Term("event", "The slug of its occasion: the event at which it was said."),
    Term("concerns", "The slugs of the other published events it is about."),
    *SAID_FIELDS,
    Term(
        "text",
        "Its words exactly as in the source: a quote without its quotation marks, "
        "reported speech as the source phrased it.",
    ),
    Term("mode", "How the source gives it.", choices(Statement.Mode)),
    Term("speech_act", "What it does, in plain words.", choices(Statement.SpeechAct)),
    Term("source", "The slug of the source it stands in (its page is /sources/<slug>/)."),
    Term("origin", "Whose account that source carries.", choices(Origin)),
    Term(
        "points",
        "The slugs of the points of comparison it stands under (/statements/?point=).",
    ),
)

EVENT_FIELDS = (
    Term("slug", "Its permanent identifier: its page is /events/<slug>/."),
    Term("url", "Its page."),
    Term("title", "The timeline's own neutral title."),
    Term(
        "summary",
        "The timeline's own neutral summary: who did what, when, where, and "
        "according to whom where the sides disagree.",
    ),
    Term("kind", "What kind of event it is.", choices(Event.Kind)),
    Term(
        "status", "Whether it happened, or was planned, ongoing or offered.", choices(Event.Status)
    ),
    Term(
        "status_as_of",
        "For an ongoing or offered event, the last day the documents describe it so; else null.",
    ),
    Term(
        "date_start",
        "Its first day (YYYY-MM-DD); the 1st of its month, or 1 January, when "
        "the sources give only a month or a year.",
    ),
    Term("date_end", "Its last day, or null for a single day."),
    Term("date_precision", "How exactly the sources date it.", choices(Event.Precision)),
    Term("date_display", "Its date in words, as the pages give it: “c. 12–14 September 2022”."),
    Term("actors", "The actors with a part in it."),
    Term("actors[].slug", "Each actor's slug."),
    Term("actors[].name", "Each actor's name."),
    Term("actors[].role", "Each actor's part in it.", choices(EventActor.Role)),
    Term("places", "Where it happened."),
    Term("places[].slug", "Each place's slug."),
    Term("places[].name", "Each place's name, as most international sources give it."),
    Term("sources", "The documents that report it."),
    Term("sources[].slug", "Each source's slug."),
    Term("sources[].outlet", 'Its outlet as the document names it; "" when it does not.'),
    Term("sources[].headline", 'Its headline as printed; "" when it has none.'),
    Term("sources[].published", "Its publication date as the document gives it, or null."),
    Term("sources[].origin", "Whose account it carries.", choices(Origin)),
    Term("sources[].url", "Its page on this site, with its whole text."),
    Term("statements", "What was said at it, in the order of their sources."),
    *(Term(f"statements[].{t.name}", t.meaning, t.values) for t in EVENT_STATEMENT_FIELDS),
    Term(
        "mentioned_in", "The ids of published statements made on other occasions that are about it."
    ),
    Term("related", "Its links to other published events, as the sources make them."),
    Term("related[].relation", "The link.", choices(EventLink.Relation)),
    Term(
        "related[].direction",
        '"to": this event <relation> the other; "from": the other <relation> this one.',
    ),
    Term("related[].event", "The other event's slug."),
    Term("related[].sources", "The slugs of the sources that make the link."),
    Term(
        "related[].statement",
        "The id of the statement that makes it, or null when it is the source's own account.",
    ),
    Term("quantities", "The numbers its sources give."),
    Term("quantities[].text", "The passage, exactly as in the source: “tens of thousands”."),
    Term("quantities[].counts", "What it counts: “people displaced”."),
    Term("quantities[].unit", "Its unit: “people”, “hours”."),
    Term("quantities[].low", "Its low bound, only where the words state a number; else null."),
    Term("quantities[].high", "Its high bound, only where the words state a number; else null."),
    Term("quantities[].source", "The slug of the source that gives it."),
    Term("quantities[].statement", "The id of the statement that gives it, or null."),
    Term("quantities[].start", "Where its passage starts in the source's text."),
    Term("quantities[].end", "Where its passage ends."),
)

# What /events/<slug>.json adds: the accounts compared point by point.
COMPARISON_FIELDS = (
    Term(
        "comparison",
        "Its points of comparison, in their order, each with what every account says of it "
        "([] when the event has none).",
    ),
    Term("comparison[].point", "The point."),
    Term(
        "comparison[].point.slug",
        "Its slug: the same slug on other events is the same subject (/statements/?point=).",
    ),
    Term("comparison[].point.name", "Its name, in the timeline's own neutral words."),
    Term("comparison[].accounts", "One entry for every account among its statements."),
    Term("comparison[].accounts[].account", "The account: whose voice its sources carry."),
    Term("comparison[].accounts[].account.origin", "Its code.", choices(Origin)),
    Term("comparison[].accounts[].account.label", "Its name."),
    Term(
        "comparison[].accounts[].statements",
        "The ids of that account's statements on the point; [] when its recorded sources "
        "do not speak to it.",
    ),
    Term(
        "unplaced",
        "The ids of its statements, and of those about it made elsewhere, that no point holds.",
    ),
)

CSV_MEANINGS = {
    "slug": "Its permanent identifier.",
    "url": "Its page.",
    "title": "The timeline's own neutral title.",
    "summary": "The timeline's own neutral summary.",
    "kind": "What kind of event it is (values as in the JSON).",
    "status": "happened, planned, ongoing or offered.",
    "date_start": "Its first day (YYYY-MM-DD).",
    "date_end": "Its last day; empty for a single day.",
    "date_precision": "How exactly the sources date it.",
    "date_display": "Its date in words.",
    "actors": "Each actor and its part: “Ilham Aliyev (participant); …”.",
    "places": "Its places' names, separated by “; ”.",
    "outlets": "Its sources' outlets, separated by “; ”.",
    "sources": "Its sources' slugs, in the same order.",
    "statements": "How many statements are recorded on it.",
    "statement_texts": "Their words, exactly as in the sources, one a line, in the order of "
    "/events.json.",
}
CSV_COLUMNS = tuple(Term(name, CSV_MEANINGS[name]) for name in exports.CSV_HEADER)

LISTING_FIELDS = (
    Term("next", NEXT_MEANING),
    Term("results", "The rows of this page, by kind, then slug."),
)
LISTING_ITEM = (
    Term("slug", "Its slug."),
    Term("name", "Its name (a source's: its headline, else its slug)."),
    Term("kind", "Its kind."),
    Term("events", "How many published events it is in."),
    Term("url", "Its page (a place's: the chronology of its events)."),
)

# A statement of /statements.json is one of /events.json: one serializer, one list of fields.
STATEMENT_ITEM = EVENT_STATEMENT_FIELDS
STATEMENT_CSV_MEANINGS = {
    "id": "Its permanent public id: its page is /statements/<id>/.",
    "url": "Its own page.",
    "passage_url": "Its passage highlighted in the whole text of its source.",
    "start": "Where its passage starts in the source's text (a character offset, from 0).",
    "end": "Where its passage ends (the offset just after its last character).",
    "text": "Its words exactly as in the source.",
    "mode": "How the source gives it (values as in the JSON).",
    "speech_act": "What it does (values as in the JSON).",
    "said_start": "The first day it was said on; empty when the document does not date it.",
    "said_end": "The last day; empty for a single day or none.",
    "said_precision": "How exactly the document dates it.",
    "said_display": "When it was said, in words, as the pages give it.",
    "speaker": "The speaker's slug.",
    "speaker_name": "The speaker's name.",
    "relayed_by": "Who passed it on, in order, by name, separated by “; ”.",
    "addressees": "Whom it is addressed to or about, by name, separated by “; ”.",
    "event": "The slug of its occasion.",
    "concerns": "The slugs of the other published events it is about, separated by “; ”.",
    "source": "The slug of the source it stands in.",
    "origin": "Whose account that source carries.",
    "points": "The slugs of the points of comparison it stands under, separated by “; ”.",
    "statuses": "What later statements say of it (as “statuses” in the JSON), one a line.",
}
STATEMENT_COLUMNS = tuple(
    Term(name, STATEMENT_CSV_MEANINGS[name]) for name in exports.STATEMENT_CSV_HEADER
)
COMMITMENT_COLUMNS = tuple(
    Term(name, STATEMENT_CSV_MEANINGS[name]) for name in exports.COMMITMENT_CSV_HEADER
)
STATUS_FIELDS = (
    Term(
        "statuses",
        "What later statements in the record say of it, each in its speaker's words: "
        "“reported as done by Matthew Miller on 27 September 2023”, “disputed by …”, "
        "“repeated by …”, “responded to by …”; or [“no later statement in the record”], "
        "which is the extent of the record, not a finding that nothing followed.",
    ),
    Term("followups", "The links later statements make to it, that the statuses word."),
    Term(
        "followups[].relation",
        "What the later statement says of it.",
        tuple((value, str(label)) for value, label in StatementLink.Relation.choices),
    ),
    Term("followups[].status", "The status it is worded as."),
    Term("followups[].statement", "The later statement's id."),
    Term("followups[].url", "The later statement's page."),
    Term("followups[].passage_url", "The later statement's passage in its source."),
)

ATOM_FIELDS = (
    Term("title", "The feed's title: the site's name and the filters in words."),
    Term("link", 'rel="alternate": the same view of the chronology; rel="self": the feed.'),
    Term("id", "The feed's own address."),
    Term("updated", "When the newest entry last changed."),
    Term("author", "The site."),
    Term("subtitle", "What the feed holds."),
    Term(
        "entry",
        f"One per event: the {feeds.LATEST} most recently published or changed, "
        "newest change first.",
    ),
)
ATOM_ENTRY = (
    Term("title", "The event's title."),
    Term("link", "Its page."),
    Term("id", "Its page's address, which never changes."),
    Term("updated", "When it was published or last changed."),
    Term("summary", "HTML: its date (and status), its summary and its sources, linked."),
    Term("category", "Its kind, in words."),
)
STATEMENT_ATOM_FIELDS = (
    *(t for t in ATOM_FIELDS if t.name not in ("link", "entry")),
    Term(
        "link",
        'rel="alternate": the same view of the list, newest first; rel="self": the feed.',
    ),
    Term(
        "entry",
        f"One per statement: the {feeds.LATEST} said most recently (by the day a list sorts "
        "them by), the latest first.",
    ),
)
STATEMENT_ATOM_ENTRY = (
    Term("title", "Its speaker, its act and its words (cut at 80 characters)."),
    Term("link", "Its own page."),
    Term("id", "Its page's address, which never changes."),
    Term(
        "updated",
        "When its occasion was last changed or published (a statement has no time of its own).",
    ),
    Term("author", "Its speaker."),
    Term(
        "summary",
        "HTML: its words, who said them through whom and to or about whom, when, its "
        "occasion, its passage in its source; on /commitments.atom, what later statements "
        "say of it.",
    ),
    Term("category", "Its act and its mode, in words."),
)

SITEMAP_FIELDS = (
    Term(
        "sitemap",
        "One per section (pages, events, actors, sources, statements) and, past "
        f"{sitemaps.SiteSitemap.limit:,} addresses, per further page of one (?p=2, …).",
    ),
    Term("sitemap.loc", "Its address."),
    Term("sitemap.lastmod", "When its rows last changed, where that is known."),
)

# ---------------------------------------------------------------- examples of answers

# From the record (the seeded fixtures), with the site's address example.org, lists cut
# to one item and long texts with "…".
SOURCE_SLUG = "anadolu-blinken-aliyev-discuss-karabakh-2023-09-27"
EVENT_EXAMPLE = {
    "slug": "azerbaijani-military-operation-2023-09",
    "url": "https://example.org/events/azerbaijani-military-operation-2023-09/",
    "title": "Azerbaijani military operation in Karabakh",
    "summary": "Azerbaijan launched military action in the Karabakh region in the week before "
    "27 September 2023, which it called “counter-terrorism activities”, according to "
    "Anadolu Agency. …",
    "kind": "hostilities",
    "status": "happened",
    "status_as_of": None,
    "date_start": "2023-09-18",
    "date_end": "2023-09-24",
    "date_precision": "approximate",
    "date_display": "c. 18–24 September 2023",
    "actors": [{"slug": "azerbaijan", "name": "Azerbaijan", "role": "initiator"}],
    "places": [{"slug": "nagorno-karabakh", "name": "Nagorno-Karabakh"}],
    "sources": [
        {
            "slug": SOURCE_SLUG,
            "outlet": "Anadolu Agency",
            "headline": "Top U.S. diplomat, Azerbaijani president discuss situation in Karabakh",
            "published": "2023-09-27",
            "origin": "azerbaijan",
            "url": f"https://example.org/sources/{SOURCE_SLUG}/",
        }
    ],
    "statements": [
        {
            "id": "pzuavcve",
            "url": "https://example.org/statements/pzuavcve/",
            "passage_url": f"https://example.org/sources/{SOURCE_SLUG}/#passage-799-827",
            "start": 799,
            "end": 827,
            "speaker": {"slug": "azerbaijan", "name": "Azerbaijan"},
            "relayed_by": [{"slug": "anadolu-agency", "name": "Anadolu Agency"}],
            "addressees": [
                {"slug": "karabakh-armenian-forces", "name": "Karabakh Armenian forces"}
            ],
            "event": "azerbaijani-military-operation-2023-09",
            "concerns": [],
            "said": {"start": "2023-09-18", "end": "2023-09-24", "precision": "approximate"},
            "text": "counter-terrorism activities",
            "mode": "quote",
            "speech_act": "announces",
            "source": SOURCE_SLUG,
            "origin": "azerbaijan",
            "points": [],
        }
    ],
    "mentioned_in": ["z6c38cb2"],
    "related": [
        {
            "relation": "ends",
            "direction": "from",
            "event": "karabakh-ceasefire-2023-09",
            "sources": [SOURCE_SLUG],
            "statement": "z6c38cb2",
        }
    ],
    "quantities": [
        {
            "text": "lasted less than 24 hours",
            "counts": "duration of the operation, per Aliyev",
            "unit": "hours",
            "low": None,
            "high": 24,
            "source": SOURCE_SLUG,
            "statement": "unqg3vqz",
            "start": 1073,
            "end": 1098,
        }
    ],
}
ARMENPRESS_SLUG = "armenpress-us-expects-aliyev-to-abide-2023-09-27"
STATEMENT_EXAMPLE = {
    "id": "jcxc24vy",
    "url": "https://example.org/statements/jcxc24vy/",
    "passage_url": f"https://example.org/sources/{ARMENPRESS_SLUG}/#passage-1374-1524",
    "start": 1374,
    "end": 1524,
    "speaker": {"slug": "ilham-aliyev", "name": "Ilham Aliyev"},
    "relayed_by": [
        {"slug": "matthew-miller", "name": "Matthew Miller"},
        {"slug": "armenpress", "name": "ARMENPRESS"},
    ],
    "addressees": [{"slug": "antony-blinken", "name": "Antony J. Blinken"}],
    "event": "blinken-aliyev-call-2023-09-26",
    "concerns": ["international-observer-mission-karabakh-2023"],
    "said": {"start": "2023-09-26", "end": None, "precision": "day"},
    "text": "According to Miller, the Azerbaijani President told Blinken that there will be no "
    "further military action and that he would accept an observer mission",
    "mode": "reported",
    "speech_act": "assures",
    "source": ARMENPRESS_SLUG,
    "origin": "united-states",
    "points": ["further-military-action", "observer-mission"],
}
FOLLOWUPS_EXAMPLE = {
    "statuses": ["responded to by Matthew Miller on 26 September 2023"],
    "followups": [
        {
            "relation": "responds-to",
            "status": "responded to by Matthew Miller on 26 September 2023",
            "statement": "6q96tgtm",
            "url": "https://example.org/statements/6q96tgtm/",
            "passage_url": f"https://example.org/sources/{ARMENPRESS_SLUG}/#passage-1528-1818",
        }
    ],
}
LISTING_EXAMPLE = {
    "next": None,
    "results": [
        {
            "slug": "ilham-aliyev",
            "name": "Ilham Aliyev",
            "kind": "person",
            "events": 11,
            "url": "https://example.org/actors/ilham-aliyev/",
        }
    ],
}
CSV_EXAMPLE = (
    ",".join(exports.CSV_HEADER) + "\n"
    "azerbaijani-military-operation-2023-09,"
    "https://example.org/events/azerbaijani-military-operation-2023-09/,"
    'Azerbaijani military operation in Karabakh,"Azerbaijan launched military action in the '
    'Karabakh region … ",hostilities,happened,2023-09-18,2023-09-24,approximate,'
    "c. 18–24 September 2023,Azerbaijan (initiator); Anadolu Agency (speaker); Ilham Aliyev "
    "(speaker); Karabakh Armenian forces (target),Nagorno-Karabakh,Anadolu Agency,"
    f'{SOURCE_SLUG},3,"Azerbaijan said it had launched … \n…"\n'
)
ATOM_EXAMPLE = """<feed xml:lang="en" xmlns="http://www.w3.org/2005/Atom">
  <title>Karabakh timeline: Ilham Aliyev</title>
  <link href="https://example.org/?actor=ilham-aliyev" rel="alternate"/>
  <link href="https://example.org/events.atom?actor=ilham-aliyev" rel="self"/>
  <id>https://example.org/events.atom?actor=ilham-aliyev</id>
  <updated>2026-11-24T09:00:00+00:00</updated>
  <author><name>Karabakh timeline</name></author>
  <subtitle>The 50 events … most recently published or changed, newest change first.</subtitle>
  <entry>
    <title>Aliyev and Pashinyan to meet in Granada</title>
    <link href="https://example.org/events/aliyev-pashinyan-granada-meeting-2023-10-05/"
          rel="alternate"/>
    <updated>2026-11-24T09:00:00+00:00</updated>
    <id>https://example.org/events/aliyev-pashinyan-granada-meeting-2023-10-05/</id>
    <summary type="html">&lt;p&gt;5 October 2023 (planned)&lt;/p&gt; …</summary>
    <category term="Meeting"/>
  </entry>
</feed>"""
SITEMAP_EXAMPLE = """<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.org/sitemap-pages.xml</loc><lastmod>2026-11-24T09:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>https://example.org/sitemap-events.xml</loc><lastmod>2026-11-24T09:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>https://example.org/sitemap-actors.xml</loc></sitemap>
  …
</sitemapindex>"""
ERROR_EXAMPLE = {
    "errors": [
        {
            "parameter": "kind",
            "message": "Select a valid choice. war is not one of the available choices.",
        }
    ]
}

# ---------------------------------------------------------------- the endpoints

EVENT = (("slug", "event"),)
PAGES = Section(
    "pages",
    "Pages",
    "Every page is plain HTML that works without JavaScript; a filtered view's address is "
    "its permalink.",
    (
        Endpoint(
            "chronology",
            "/",
            "HTML",
            "The chronology: published events in date order, "
            "filtered, with counts by year, kind, account, actor and place.",
            (*CHRONOLOGY_FILTERS, SORT, CURSOR, SHOWN),
            example=Example(query="actor={actor}&from={year}"),
        ),
        Endpoint(
            "event",
            "/events/<slug>/",
            "HTML",
            "One event: its sources, its actors and places, and its statements set out side "
            "by side by whose account they are.",
            example=Example(kwargs=EVENT),
        ),
        Endpoint(
            "actors",
            "/actors/",
            "HTML",
            "Every actor a published event shows, by kind.",
            directory_filters("actors"),
            example=Example(query="kind={actor_kind}"),
        ),
        Endpoint(
            "actor",
            "/actors/<slug>/",
            "HTML",
            "One actor: its statements and events, what it asked for and promised (with what "
            "later statements say of it), what others said to or about it, its counterparts.",
            (
                Term("events", "Where its list of events goes on from (the “show more” link)."),
                Term("statements", "Where its list of statements goes on from."),
            ),
            example=Example(kwargs=(("slug", "actor"),)),
        ),
        Endpoint(
            "places",
            "/places/",
            "HTML",
            "Every place a published event happened at, by kind; each leads to the chronology "
            "of its events.",
            directory_filters("places"),
            example=Example(),
        ),
        Endpoint(
            "sources",
            "/sources/",
            "HTML",
            "Every document a published event cites, by kind.",
            directory_filters("sources"),
            example=Example(),
        ),
        Endpoint(
            "source",
            "/sources/<slug>/",
            "HTML",
            "One document, its whole text with every recorded passage highlighted; each "
            "passage's place is /sources/<slug>/#passage-<start>-<end>.",
            (
                Term("statements", "Where its list of statements goes on from."),
                Term("events", "Where its list of events goes on from."),
            ),
            example=Example(kwargs=(("slug", "source"),)),
        ),
        Endpoint(
            "statements",
            "/statements/",
            "HTML",
            "Statements in the order they were said, "
            "filtered by who said them, to or about whom, who relayed them, what they do "
            "and where.",
            STATEMENT_FILTERS,
            example=Example(query="addressee={addressee}"),
        ),
        Endpoint(
            "statement",
            "/statements/<uid>/",
            "HTML",
            "One statement in its source: who said it and who passed it on, its occasion, "
            "the points of comparison it stands under, the earlier statements it speaks of "
            "and what later statements say of it.",
            example=Example(kwargs=(("uid", "statement"),)),
        ),
        Endpoint(
            "commitments",
            "/commitments/",
            "HTML",
            "Demands and commitments (statements "
            "that urge, call for, demand, commit to, offer, assure or pledge), each with "
            "what later statements in the record say of it.",
            COMMITMENT_FILTERS,
            example=Example(query="speaker={actor}"),
        ),
        Endpoint(
            "choices",
            "/choose/<facet>/",
            "HTML",
            "Every actor (facet “actor”) or place "
            "(“place”) of a view of the chronology, with its count, each a link that "
            "adds it to the view or takes it away.",
            (
                *CHRONOLOGY_FILTERS,
                SORT,
                CURSOR,
                SHOWN,
                Term("name", "Words the names listed have."),
            ),
            example=Example(kwargs=(("name", "facet"),), query="from={year}"),
        ),
        Endpoint(
            "about",
            "/about/",
            "HTML",
            "What the timeline covers and what it does not, its "
            "documents, its editorial rules and how to cite it.",
            example=Example(),
        ),
        Endpoint("data", "/data/", "HTML", "This page.", example=Example()),
    ),
)

JSON = Section(
    "json",
    "JSON",
    "UTF-8 JSON. A list comes in pages: follow “next” until it is null. A parameter that is "
    "unknown, repeated where it takes one value, or invalid is answered 400 with "
    '{"errors": [{"parameter": …, "message": …}]}.',
    (
        Endpoint(
            "events-json",
            "/events.json",
            "JSON",
            f"The chronology's events, {keyset.PAGE_SIZE} a page (or “shown”), with their "
            "sources, statements, links and numbers.",
            (*CHRONOLOGY_FILTERS, SORT, CURSOR, SHOWN),
            counted_page("The events of this page."),
            "results[]",
            "event",
            EVENT_FIELDS,
            Example(
                query="actor={actor}&from={year}",
                data={"count": 11, "next": None, "results": [EVENT_EXAMPLE]},
            ),
        ),
        Endpoint(
            "event-json",
            "/events/<slug>.json",
            "JSON",
            "One event, as /events.json gives each, with its accounts compared point by "
            "point. The example's event has no points (its comparison is []); its comparison "
            "here is one of the thirteen points of the 26 September 2023 call, "
            "/events/blinken-aliyev-call-2023-09-26.json.",
            fields=(*EVENT_FIELDS, *COMPARISON_FIELDS),
            example=Example(
                kwargs=EVENT,
                data={
                    **EVENT_EXAMPLE,
                    "comparison": [
                        {
                            "point": {"slug": "amnesty", "name": "An amnesty"},
                            "accounts": [
                                {
                                    "account": {"origin": "azerbaijan", "label": "Azerbaijan"},
                                    "statements": [],
                                },
                                {
                                    "account": {
                                        "origin": "united-states",
                                        "label": "United States",
                                    },
                                    "statements": ["g267znin", "ga2meqsr"],
                                },
                            ],
                        }
                    ],
                    "unplaced": ["6ixkmm6d", "fpz757xg", "pzuavcve", "z6c38cb2"],
                },
            ),
        ),
        *(
            Endpoint(
                f"{name}-json",
                f"/{name}.json",
                "JSON",
                f"The rows of /{name}/, {DIRECTORY_PAGE_SIZE} a page.",
                directory_filters(name),
                LISTING_FIELDS,
                "results[]",
                name.removesuffix("s"),
                LISTING_ITEM,
                Example(
                    data=LISTING_EXAMPLE if name == "actors" else None,
                    output="" if name == "actors" else "As /actors.json.",
                ),
            )
            for name in ("actors", "places", "sources")
        ),
        Endpoint(
            "statements-json",
            "/statements.json",
            "JSON",
            f"The statements of /statements/, {keyset.PAGE_SIZE} a page: the page /statements/ "
            "shows for the same parameters.",
            STATEMENT_FILTERS,
            counted_page("The statements of this page."),
            "results[]",
            "statement",
            STATEMENT_ITEM,
            Example(
                query="speaker={actor}",
                data={"count": 1, "next": None, "results": [STATEMENT_EXAMPLE]},
            ),
        ),
        Endpoint(
            "commitments-json",
            "/commitments.json",
            "JSON",
            f"The demands and commitments of /commitments/, {keyset.PAGE_SIZE} a page, each "
            "with what later statements say of it.",
            COMMITMENT_FILTERS,
            counted_page("The statements of this page."),
            "results[]",
            "demand or commitment",
            (*STATEMENT_ITEM, *STATUS_FIELDS),
            Example(
                query="speaker={actor}",
                data={
                    "count": 1,
                    "next": None,
                    "results": [{**STATEMENT_EXAMPLE, **FOLLOWUPS_EXAMPLE}],
                },
            ),
        ),
    ),
)

CSV = Section(
    "csv",
    "CSV",
    "UTF-8, comma-separated, with a header row, as a file to save. The header X-Total-Count "
    "says how many rows it holds, so that a complete file can be told from one cut short. "
    "Without parameters, each is the whole record as one file, made again after each "
    "change and served with its Content-Length, ETag and Last-Modified (gzipped to a "
    "client that accepts it; a conditional request for an unchanged file gets 304 Not "
    "Modified). A text cell that a spreadsheet would take for a formula starts with '. An "
    "invalid parameter is answered 400 in plain text.",
    (
        Endpoint(
            "events-csv",
            "/events.csv",
            "CSV",
            "Every event of the chronology's view, one row each, all in one file: the "
            "parameters of / without its pages.",
            (*CHRONOLOGY_FILTERS, SORT),
            CSV_COLUMNS,
            example=Example(query="actor={actor}", output=CSV_EXAMPLE),
        ),
        Endpoint(
            "statements-csv",
            "/statements.csv",
            "CSV",
            "Every statement of a view of /statements/, one row each, in its order, with the "
            "fields of /statements.json.",
            tuple(t for t in STATEMENT_FILTERS if t.name != "cursor"),
            STATEMENT_COLUMNS,
            example=Example(
                query="speaker={actor}",
                output=",".join(exports.STATEMENT_CSV_HEADER) + "\n…",
            ),
        ),
        Endpoint(
            "commitments-csv",
            "/commitments.csv",
            "CSV",
            "Every demand and commitment of a view of /commitments/, one row each, with the "
            "fields of /commitments.json.",
            tuple(t for t in COMMITMENT_FILTERS if t.name != "cursor"),
            COMMITMENT_COLUMNS,
            example=Example(
                query="speaker={actor}",
                output=",".join(exports.COMMITMENT_CSV_HEADER) + "\n…",
            ),
        ),
    ),
)

ATOM = Section(
    "atom",
    "Atom feeds",
    "For feed readers: the latest changes first, one page of them.",
    (
        Endpoint(
            "events-atom",
            "/events.atom",
            "Atom",
            f"The {feeds.LATEST} events of the chronology's view most recently published or "
            "changed, newest change first.",
            CHRONOLOGY_FILTERS,
            ATOM_FIELDS,
            "entry",
            "event",
            ATOM_ENTRY,
            Example(query="actor={actor}", output=ATOM_EXAMPLE),
        ),
        Endpoint(
            "statements-atom",
            "/statements.atom",
            "Atom",
            f"The {feeds.LATEST} statements of a view of /statements/ said most recently, the "
            "latest first, each linking to its page.",
            FEED_FILTERS["statements"],
            STATEMENT_ATOM_FIELDS,
            "entry",
            "statement",
            STATEMENT_ATOM_ENTRY,
            Example(query="addressee={addressee}", output="As /events.atom."),
        ),
        Endpoint(
            "commitments-atom",
            "/commitments.atom",
            "Atom",
            f"The {feeds.LATEST} demands and commitments of a view of /commitments/ said most "
            "recently, each with what later statements say of it.",
            FEED_FILTERS["commitments"],
            STATEMENT_ATOM_FIELDS,
            "entry",
            "demand or commitment",
            STATEMENT_ATOM_ENTRY,
            Example(query="speaker={actor}", output="As /events.atom."),
        ),
    ),
)

CRAWLERS = Section(
    "crawlers",
    "For search engines",
    "",
    (
        Endpoint(
            "sitemap",
            "/sitemap.xml",
            "XML",
            "The index of the sitemap's sections (sitemaps.org): every public page, each "
            f"section at /sitemap-<section>.xml in pages of {sitemaps.SiteSitemap.limit:,} "
            "addresses.",
            (Term("p", "On a section: which page of it, from 1."),),
            SITEMAP_FIELDS,
            example=Example(output=SITEMAP_EXAMPLE),
            also=("sitemap-section",),
        ),
        Endpoint(
            "robots",
            "/robots.txt",
            "Text",
            "Keeps crawlers out of the admin and names the sitemap.",
            example=Example(
                output="User-agent: *\nDisallow: /admin/\nSitemap: https://example.org/sitemap.xml"
            ),
        ),
    ),
)

SECTIONS = (PAGES, JSON, CSV, ATOM, CRAWLERS)
ENDPOINTS = {endpoint.route: endpoint for section in SECTIONS for endpoint in section.endpoints}

# Public routes left out of /data/, each with the reason.
OMITTED = {"favicon": "the site's icon, which browsers ask for unprompted: no data"}


def documented_routes() -> set[str]:
    return {name for e in ENDPOINTS.values() for name in (e.route, *e.also)}


def address(route: str, **kwargs) -> str:
    """The path of ``route`` (a name in timeline/urls.py); for one documented here before
    it is built (``pending``), the path documented for it."""
    try:
        return reverse(f"timeline:{route}", kwargs=kwargs or None)
    except NoReverseMatch:
        endpoint = ENDPOINTS.get(route)
        if endpoint is None or not endpoint.pending or kwargs:
            raise
        return endpoint.path


def example_url(endpoint: Endpoint, samples: dict) -> str | None:
    """The example address of ``endpoint``, built from ``samples`` (values taken from the
    record: an event's slug, an actor's, a year…); None when the record lacks one it
    needs (it is empty)."""
    example = endpoint.example
    try:
        kwargs = {arg: samples[name] for arg, name in example.kwargs}
        query = example.query.format_map(
            {name: quote(str(value)) for name, value in samples.items()}
        )
    except KeyError:
        return None
    return address(endpoint.route, **kwargs) + (f"?{query}" if query else "")


def samples() -> dict:
    """Values from the published record that examples' addresses are built from: the
    newest demand or commitment (else the newest statement) and its occasion, speaker
    and source, and an actor some statement is addressed to or about; {} while nothing
    is published. Two queries, each stopping at its first row in an index's order."""
    published = Statement.objects.published()
    newest = published.select_related("event", "speaker", "source").defer("source__text")
    newest = newest.order_by("-sort_date", "-pk")
    asks = newest.filter(speech_act__in=Statement.ASKS | Statement.PROMISES)
    statement = asks.first() or newest.first()
    if statement is None:
        return {"facet": "actor"}
    found = {
        "facet": "actor",
        "statement": statement.uid,
        "event": statement.event.slug,
        "year": statement.event.date_start.year,
        "actor": statement.speaker.slug,
        "actor_kind": statement.speaker.kind,
        "source": statement.source.slug,
    }
    addressed = (
        Statement.addressees.through.objects.filter(statement__in=published)
        .order_by("-pk")
        .values_list("actor__slug", flat=True)
        .first()
    )
    if addressed:
        found["addressee"] = addressed
    return found


def examples(samples: dict, absolute=str) -> list[dict]:
    """``SECTIONS`` as /data/ shows them: each section with its endpoints, each endpoint
    (``doc``) with its example address (``url``, made ``absolute``; None when the record
    lacks what it needs)."""
    return [
        {
            "section": section,
            "endpoints": [
                {"doc": endpoint, "url": (url := example_url(endpoint, samples)) and absolute(url)}
                for endpoint in section.endpoints
            ],
        }
        for section in SECTIONS
    ]
