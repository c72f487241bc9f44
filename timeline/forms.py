"""The query strings of the public pages, each validated whole by a form: the filters of
the chronology and of the lists of statements (whose forms build every link to another
state of their page), and the cursors of the pages that list their rows in pages."""

import copy
import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, ValidationError
from django.http import QueryDict

from timeline.dates import format_period, format_period_end, parse_period
from timeline.keyset import BROKEN_CURSOR, PAGE_SIZE, SHOWN_AT_MOST, SLUG_PATTERN, Cursor
from timeline.models import Actor, Event, Origin, Place, Point, Source, Statement


class SharesItsParts:
    """A field of a query string's form that each form's copy of it shares its parts
    with: Django deep-copies every field of a form for every form made (widget,
    choices, validators, messages), a tenth of the time of a page served from its
    cached fragments. None of these fields' parts is changed by a form; what a form
    sets on its own copy (a field's ``known``) is an attribute of that copy."""

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        memo[id(self)] = copied
        return copied


class PeriodField(SharesItsParts, forms.Field):
    """One end of a period: a year, a month or a day, as its first (or last) day."""

    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(required=False, **kwargs)
        self.noun = self.label

    def to_python(self, value):
        value = (value or "").strip()
        return parse_period(value, end=self.end) if value else None


# Each slug of the actor and place filters is one more subquery that every event must
# pass, so a query string repeating one a thousand times kept PostgreSQL planning for
# minutes. No event involves more than a handful of actors or places anyway.
MAX_SLUGS = 10
# Likewise each word of a search: past six, PostgreSQL's planner took seconds for the CSV
# export of a few dozen events, and a minute for a hundred words (its join_collapse_limit
# is 8). Six words find any event; a longer quotation is better found by its rarest ones.
MAX_WORDS = 6


# What urlencode leaves as it is: slugs, years, dates, most values of a query string.
UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def encode(name: str, values) -> str:
    """The pairs of parameter ``name`` (a field's) with each of ``values``, as urlencode
    has them."""
    return "&".join(
        f"{name}={value}" if UNQUOTED.fullmatch(value) else urlencode([(name, value)])
        for value in values
    )


def distinct(values) -> list:
    """Each of ``values`` once, in order: the same value twice asks nothing more than once."""
    return list(dict.fromkeys(values))


class DistinctChoiceField(SharesItsParts, forms.MultipleChoiceField):
    """A repeatable parameter whose repeated values count once. Its ``noun`` names one
    chosen value ("Kind: Meeting"), where its label names them all ("Kind of event")."""

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return distinct(super().to_python(value))

    def names(self) -> dict[str, str]:
        """The label of each value."""
        return {str(value): str(label) for value, label in self.choices}


class SlugChoiceField(DistinctChoiceField):
    """Repeatable slugs of rows in ``queryset`` (any other is unknown), checked in one
    query, or in none when ``known`` (a function of a slug: the name of a row known to be
    in the queryset, or None) knows them all. A row is named by its ``name_field`` (its
    slug where that is blank)."""

    def __init__(self, queryset, *, noun: str, name_field: str = "name", **kwargs):
        self.queryset, self.chosen, self.name_field = queryset, {}, name_field
        self.known = lambda slug: None
        super().__init__(noun=noun, **kwargs)

    def names(self) -> dict[str, str]:
        """The name of each chosen row, read once by validate()."""
        return self.chosen

    def valid_value(self, value):
        return True  # checked all at once in validate()

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_SLUGS:
            raise ValidationError(
                f"Give at most {MAX_SLUGS} {self.noun.lower()}s at once.", code="too_many"
            )
        malformed = [slug for slug in value if not SLUG_PATTERN.match(slug)]
        wellformed = [slug for slug in value if slug not in malformed]
        # Kept for the page, which names the chosen rows without asking again.
        self.chosen = {slug: name for slug in wellformed if (name := self.known(slug))}
        if asked := [slug for slug in wellformed if slug not in self.chosen]:
            found = self.queryset.filter(slug__in=asked).values_list("slug", self.name_field)
            self.chosen.update((slug, name or slug) for slug, name in found)
        unknown = [slug for slug in value if slug not in self.chosen]
        if unknown:
            raise ValidationError(
                f"Unknown {self.noun.lower()}: {', '.join(sorted(set(unknown)))}.",
                code="unknown",
            )


class CursorField(SharesItsParts, forms.Field):
    """Where a page of events ends: the last one's (date, slug)."""

    encode = staticmethod(Cursor.encode)

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if len(value) > 400:
            raise ValidationError(BROKEN_CURSOR, code="cursor")
        return Cursor.decode(value) if value else None


class ShownField(SharesItsParts, forms.IntegerField):
    """How many events a page shows from where it starts: a page more each time "Show
    more" is followed (so that the address brings back every event shown so far), up to
    SHOWN_AT_MOST."""

    MESSAGE = f"Show {PAGE_SIZE}, {2 * PAGE_SIZE}, … up to {SHOWN_AT_MOST} events."

    def __init__(self, **kwargs):
        super().__init__(required=False, error_messages={"invalid": self.MESSAGE}, **kwargs)

    def validate(self, value):
        super().validate(value)
        # Not IntegerField's step_size: its check goes through a float, which a long
        # enough number overflows.
        if value is not None and not (
            PAGE_SIZE <= value <= SHOWN_AT_MOST and value % PAGE_SIZE == 0
        ):
            raise ValidationError(self.MESSAGE, code="shown")


class QueryStringForm(forms.Form):
    """A page's query string, checked whole: no unknown parameter, none repeated that
    takes one value, and no more parameters than Django reads. Its parameters are its
    fields; those of a MultipleChoiceField may be repeated."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.parameter_errors = []
        if data is not None:
            self.check_parameters(data)

    @classmethod
    def from_request(cls, request, **kwargs):
        """The form for the request's query string. Past the number of parameters Django
        reads, request.GET raises, which Django would answer with a bare "Bad Request";
        the form says what is wrong instead, like any other invalid query string."""
        try:
            return cls(request.GET, **kwargs)
        except TooManyFieldsSent:
            form = cls(QueryDict(), **kwargs)
            form.parameter_errors.append(
                f"Too many parameters: give at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
            )
            return form

    def check_parameters(self, data):
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            self.parameter_errors.append(f"Unknown parameter: {', '.join(unknown)}.")
        for name, field in self.fields.items():
            repeatable = isinstance(field, forms.MultipleChoiceField)
            if not repeatable and len(data.getlist(name)) > 1:
                self.parameter_errors.append(f"{name}: give it once only.")

    def clean(self):
        cleaned = super().clean()
        for message in self.parameter_errors:
            self.add_error(None, message)
        return cleaned

    def values(self) -> dict[str, list[str]]:
        """The parameters given, by name: the state that links to other states start from."""
        return {name: self.data.getlist(name) for name in self.fields if self.data.getlist(name)}

    def encoded(self) -> dict[str, str]:
        """``values()`` URL-encoded, each parameter's pairs ("kind=talks&kind=meeting")
        once per form: a page has dozens of links, each changing one or two parameters
        of this state and copying the others as they are."""
        if not hasattr(self, "_encoded"):
            self._encoded = {name: encode(name, chosen) for name, chosen in self.values().items()}
        return self._encoded

    def query(self, **changes) -> str:
        """The query string of this state with ``changes``: for each parameter, its new
        value or values, or None to drop it (a trailing "_" is dropped from a name)."""
        encoded = self.encoded()
        changed = {name.rstrip("_"): value for name, value in changes.items()}
        parts = []
        for name in self.fields:
            if name not in changed:
                part = encoded.get(name)
            elif (chosen := changed[name]) is not None:
                part = encode(name, [chosen] if isinstance(chosen, str) else chosen)
            else:
                part = None
            if part:
                parts.append(part)
        return "?" + "&".join(parts) if parts else ""

    def error_list(self) -> list[tuple[str, str]]:
        """(parameter, message) pairs, for the page and the JSON error body."""
        return [
            ("" if field == "__all__" else field, str(message))
            for field, messages in self.errors.items()
            for message in messages
        ]


class SearchField(SharesItsParts, forms.CharField):
    """Words to search for, each once, at most MAX_WORDS of them. Its input is written
    in timeline/chronology.html, as the period's are: a widget rendered through the
    form renderer's templates took a twentieth of a cached page's time."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=200, strip=True, **kwargs)
        self.noun = self.label

    def clean(self, value):
        value = super().clean(value)
        if "\x00" in value:
            raise ValidationError("The search cannot contain a NUL character.", code="nul")
        # Each word is one more condition every event must meet; the same word twice asks
        # nothing more than once.
        words = distinct(value.split())
        if len(words) > MAX_WORDS:
            raise ValidationError(
                f"Search for at most {MAX_WORDS} different words at once.", code="too_many"
            )
        return " ".join(words)


class ViewFilter(QueryStringForm):
    """The query string of a list that filters its rows (`/`, `/statements/`), and the
    one owner of the links that change it: each is built from the validated values (see
    ``query``). Its ``FILTERS`` are the parameters that choose rows, in order; ``from`` and
    ``to`` are a period, ``sort=newest`` the reverse order, ``cursor`` where a page starts."""

    FILTERS: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "“to” cannot be before “from”.")
        return cleaned

    def is_filtered(self) -> bool:
        return bool(self.filter_set())

    def newest_first(self) -> bool:
        """Whether the rows come newest first (``sort=newest``) rather than oldest first,
        the default: the order of the page, its "show more" and its exports, never of
        what is counted."""
        return self.cleaned_data.get("sort") == "newest"

    def filter_set(self, *, without: str = "") -> str:
        """The filters, less ``without`` (as ``apply`` leaves it out), as a string that is
        the same for every query string that selects the same rows: each value once,
        sorted (words too), and a date as the day it stands for. What a count of these
        rows is kept under."""
        left_out = ("from", "to") if without == "period" else (without,)
        pairs = []
        for name in self.FILTERS:
            value = self.cleaned_data.get(name)
            if name in left_out or not value:
                continue
            if name == "q":
                values = sorted(value.split())
            elif isinstance(value, list):
                values = sorted(value)
            else:
                values = [value.isoformat()]
            pairs.extend((name, v) for v in values)
        return urlencode(pairs)

    # ------------------------------------------------------------ links to other states

    def values(self) -> dict[str, list[str]]:
        """The filters as given, validated and each value once, and the order when it is
        not the default: the state every link of the page starts from. Never the cursor,
        nor how many rows are shown: a changed view starts at its first page."""
        if not hasattr(self, "_values"):
            data, values = self.cleaned_data, {}
            for name in self.FILTERS:
                value = data.get(name)
                if isinstance(value, list):
                    values[name] = value
                elif value:  # a date keeps the text it was given as ("2022", "2022-09")
                    values[name] = [value if name == "q" else self.data[name].strip()]
            if self.newest_first():
                values["sort"] = ["newest"]
            self._values = values
        return self._values

    def toggling(self, name: str, value: str) -> str:
        """The query string of this state with ``value`` of ``name`` chosen, or unchosen.
        A choice added is its pair after the others of ``name``, between the parameters
        before and after it, each joined once per form: "show all" lists a thousand."""
        chosen = self.values().get(name, [])
        if value in chosen:
            return self.query(**{name: [v for v in chosen if v != value] or None})
        before, after = self.others_than(name)
        own, added = self.encoded().get(name), encode(name, [value])
        return "?" + "&".join(part for part in (before, own, added, after) if part)

    def others_than(self, name: str) -> tuple[str, str]:
        """The encoded parameters of this state before ``name`` and after it, in the
        fields' order, as ``query`` joins them."""
        if not hasattr(self, "_others"):
            self._others = {}
        if name not in self._others:
            encoded, names = self.encoded(), list(self.fields)
            at = names.index(name)
            self._others[name] = tuple(
                "&".join(encoded[other] for other in part if encoded.get(other))
                for part in (names[:at], names[at + 1 :])
            )
        return self._others[name]

    def label_of(self, name: str, value: str) -> str:
        """How a chosen value reads: an actor's name, a kind's label, a date as dates
        read on the site ("2022-09" is "September 2022")."""
        if isinstance(self.fields[name], PeriodField):
            return format_period_end(value)
        names = getattr(self.fields[name], "names", None)
        return names().get(value, value) if names else value

    @classmethod
    def query_for(cls, **values) -> str:
        """The query string that shows these filters alone (``actor=[a, b]``)."""
        pairs = [(name, value) for name, chosen in values.items() for value in chosen]
        return f"?{urlencode(pairs)}"

    def address(self) -> str:
        """The query string of this very view, where ``query()`` starts the view again:
        its page too (the cursor as the form would write it)."""
        return self.query(cursor=self.packed_cursor())

    def packed_cursor(self) -> str | None:
        """The cursor where the page starts, as its links write it; None on a first page."""
        cursor = self.cleaned_data.get("cursor")
        return Cursor.pack(*cursor) if cursor else None

    def listed(self, name: str, joiner: str) -> str:
        """The chosen values of ``name`` as the page labels them, in words ("Antony J.
        Blinken and Ilham Aliyev"); "" when none is chosen."""
        labels = [self.label_of(name, value) for value in self.values().get(name, [])]
        return in_words(labels, joiner) if labels else ""

    def period_in_words(self) -> str:
        """The period chosen, as dates read on the site ("2022–2023"); "" for none."""
        values = self.values()
        start, end = values.get("from", [""])[0], values.get("to", [""])[0]
        return format_period(start, end) if start or end else ""


class ChronologyFilter(ViewFilter):
    """The query string of `/`, `/events.json` and `/events.csv`."""

    q = SearchField(
        label="Search",
        help_text="Titles, summaries, statements, and the names of actors and places in any "
        "spelling.",
    )
    # Only what the published record shows: a draft's actor or place is unknown here.
    actor = SlugChoiceField(Actor.objects.public(), noun="Actor", label="Actors")
    place = SlugChoiceField(Place.objects.public(), noun="Place", label="Places")
    kind = DistinctChoiceField(noun="Kind", label="Kind of event", choices=Event.Kind)
    origin = DistinctChoiceField(noun="Account of", label="Account of", choices=Origin)
    from_ = PeriodField(label="From", end=False)
    to = PeriodField(label="To", end=True)
    sort = forms.ChoiceField(
        required=False,
        label="Order",
        choices=[("oldest", "Oldest first"), ("newest", "Newest first")],
    )
    cursor = CursorField(label="Page after")
    shown = ShownField(label="Events shown")

    FILTERS = ("q", "actor", "place", "kind", "origin", "from", "to")
    FACETS = ("kind", "origin", "actor", "place")

    def __init__(self, data=None, *, index=None, **kwargs):
        """``index``: the published record's (timeline/record_index.py), when current.
        Its actors and places, with their names, are public, so the filters that name
        them are checked without a query."""
        super().__init__(data, **kwargs)
        if index is not None:
            for name, links in index.links().items():
                self.fields[name].known = links.name_of

    def apply(self, events, *, without: str = ""):
        """The events matching the filters (all but ``without``), in chronological order."""
        data = self.cleaned_data
        if data.get("q") and without != "q":
            events = events.search(data["q"])
        if without != "actor":
            events = events.involving(*data.get("actor", []))
        if without != "place":
            events = events.at_places(*data.get("place", []))
        if without != "kind":
            events = events.of_kind(*data.get("kind", []))
        if without != "origin":
            events = events.reported_by_origin(*data.get("origin", []))
        if without != "period":
            events = events.in_period(data.get("from"), data.get("to"))
        return events

    def year_of_view(self) -> int | None:
        """The year the view's period lies in, when it lies in one (a year's or a
        month's view): then the axis drills down to that year's months."""
        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        return start.year if start and end and start.year == end.year else None

    def page_size(self) -> int:
        """How many events the page shows from where it starts (``shown``, else a page)."""
        return self.cleaned_data.get("shown") or PAGE_SIZE

    def address(self) -> str:
        """The query string of this very view, where ``query()`` starts the view again:
        its page of events too (the cursor as the form would write it, and how many)."""
        shown = self.cleaned_data.get("shown")
        return self.query(cursor=self.packed_cursor(), shown=str(shown) if shown else None)

    def summary(self) -> str:
        """The view in words, as a title or a feed names it: each filter's chosen values
        as the page labels them ("Antony J. Blinken and Ilham Aliyev, 2022–2023"); ""
        for the whole chronology. Actors and places are all required (and), kinds and
        origins any one of them (or), as ``apply`` filters."""
        values, parts = self.values(), []
        if "q" in values:
            parts.append(f"“{values['q'][0]}”")
        for name, joiner in (("actor", "and"), ("place", "and"), ("kind", "or"), ("origin", "or")):
            if listed := self.listed(name, joiner):
                parts.append(f"reported by {listed}" if name == "origin" else listed)
        if period := self.period_in_words():
            parts.append(period)
        return ", ".join(parts)


def in_words(items: list[str], joiner: str) -> str:
    """The items as a sentence lists them: a; a and b; a, b and c (``joiner``: "and")."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {joiner} {items[-1]}"


# "from" is a Python keyword: the field is declared as from_, and the parameter is from.
ChronologyFilter.base_fields = {
    name.rstrip("_"): field for name, field in ChronologyFilter.base_fields.items()
}


class FeedFilter(ChronologyFilter):
    """The query string of `/events.atom`: the chronology's filters, without its pages
    or its order (a feed is the latest changes, one page of them, newest change
    first); ``cursor``, ``shown`` and ``sort`` are unknown there."""


FeedFilter.base_fields = {
    name: field
    for name, field in ChronologyFilter.base_fields.items()
    if name not in ("cursor", "shown", "sort")
}


class ChoicesFilter(ChronologyFilter):
    """The query string of a facet's every choice (/choose/actor/, /choose/place/): the
    chronology's view they are counted in, and ``name``, the filter box's words."""


ChoicesFilter.base_fields = {
    **ChronologyFilter.base_fields,
    "name": forms.CharField(required=False, max_length=100, strip=True, label="Filter by name"),
}


class StatementCursorField(CursorField):
    """Where a page of statements ends: (its event's date, the statement's id)."""

    @staticmethod
    def encode(statement) -> str:
        return Cursor.pack(statement.event.date_start, statement.pk)

    def to_python(self, value):
        cursor = super().to_python(value)
        if cursor is None:
            return None
        date, key = cursor
        if not key.isdigit() or len(key) > 18:
            raise ValidationError(BROKEN_CURSOR, code="cursor")
        return date, int(key)


class NoParameters(QueryStringForm):
    """The query string of a page that takes none, such as an event's page: anything
    given there is a mistake worth naming rather than ignoring."""


class SitemapPages(QueryStringForm):
    """The query string of a section of the sitemap: which page of it, as Django's
    sitemaps name it (``p``, from 1; one past the last is not found)."""

    p = forms.IntegerField(label="Page", min_value=1, required=False)


class PassageCursorField(CursorField):
    """Where a page of a source's statements ends: the last one's passage, "start-end"
    (its offsets in the source's text, which order the list)."""

    PATTERN = re.compile(r"^([0-9]{1,9})-([0-9]{1,9})$")

    @staticmethod
    def encode(statement) -> str:
        return f"{statement.start}-{statement.end}"

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = self.PATTERN.match(value)
        if not match:
            raise ValidationError(BROKEN_CURSOR, code="cursor")
        return int(match[1]), int(match[2])


class EventPages(QueryStringForm):
    """The query string of a page with a list of events: where that list goes on from."""

    events = CursorField(label="Events after")


class ActorPages(EventPages):
    """The query string of an actor's page: where its events and statements go on from."""

    statements = StatementCursorField(label="Statements after")


class SourcePages(EventPages):
    """The query string of a source's page: where its events and statements go on from.
    Its text is shown whole on every page, so that every passage's anchor is on it."""

    statements = PassageCursorField(label="Statements after")


class SaidCursorField(StatementCursorField):
    """Where a page of statements in date order ends: (its sort date, its id)."""

    @staticmethod
    def encode(statement) -> str:
        return Cursor.pack(statement.sort_date, statement.pk)


class StatementFilter(ViewFilter):
    """The query string of `/statements/` and its JSON, CSV and Atom twins: the published
    statements by, to or about and relayed by all of the actors given, of any of the acts,
    modes, origins, sources, points and occasions given, said in the period, with the
    words searched for."""

    q = SearchField(label="Search", help_text="The words of the statements, as recorded.")
    # Actors, sources, points and occasions as the published record shows them.
    speaker = SlugChoiceField(Actor.objects.public(), noun="Speaker", label="Speakers")
    addressee = SlugChoiceField(
        Actor.objects.public(), noun="To or about", label="Addressed to or about"
    )
    relayer = SlugChoiceField(Actor.objects.public(), noun="Relayed by", label="Relayed by")
    act = DistinctChoiceField(noun="Act", label="Speech act", choices=Statement.SpeechAct)
    mode = DistinctChoiceField(noun="Mode", label="Mode", choices=Statement.Mode)
    source = SlugChoiceField(
        Source.objects.public(), noun="Source", label="Sources", name_field="headline"
    )
    point = SlugChoiceField(
        Point.objects.filter(event__publication=Event.Publication.PUBLISHED),
        noun="Point",
        label="Points of comparison",
    )
    event = SlugChoiceField(
        Event.objects.published(), noun="Occasion", label="Occasions", name_field="title"
    )
    cursor = SaidCursorField(label="Page after")

    FILTERS = ("q", "speaker", "addressee", "relayer", "act", "mode", "origin", "source",
               "point", "event", "from", "to")  # fmt: skip
    FACETS = ("speaker", "addressee", "relayer", "act", "mode", "origin", "source", "point",
              "event")  # fmt: skip
    # The filters that any one of their values meets (the others need all of theirs): a
    # count of their choices leaves them out, so that it says what choosing one more adds.
    ANY_OF = ("act", "mode", "origin", "source", "point", "event")
    # Whether the list holds demands and commitments alone (/commitments/).
    COMMITMENTS = False

    def __init__(self, data=None, *, index=None, **kwargs):
        """``index``: the published statements' (timeline/statement_index.py), when current:
        it names the actors and the points they show, checked then without a query."""
        super().__init__(data, **kwargs)
        if index is not None:
            for name in ("speaker", "addressee", "relayer"):
                self.fields[name].known = index.actor_name
            self.fields["point"].known = index.point_name

    def apply(self, statements, *, without: str = ""):
        """The statements of the list matching the filters (all but ``without``)."""
        data = self.cleaned_data
        if self.COMMITMENTS:
            statements = statements.demands_and_commitments()
        if data.get("q") and without != "q":
            statements = statements.saying(data["q"])
        statements = (
            statements.spoken_by(*data.get("speaker", []))
            .addressed_to(*data.get("addressee", []))
            .relayed_by(*data.get("relayer", []))
            .said_in_period(data.get("from"), data.get("to"))
        )
        for name, method in (("act", "of_speech_act"), ("mode", "in_mode"),
                             ("origin", "from_origin"), ("source", "in_sources"),
                             ("point", "on_points"), ("event", "said_at")):  # fmt: skip
            if without != name:
                statements = getattr(statements, method)(*data.get(name, []))
        return statements

    def summary(self) -> str:
        """The view in words, as a title or a feed names it ("by Ilham Aliyev, urges or
        demands, 2020"); "" for the whole list."""
        values, parts = self.values(), []
        if "q" in values:
            parts.append(f"“{values['q'][0]}”")
        for name, before, joiner in (
            ("speaker", "by ", "and"), ("addressee", "to or about ", "and"),
            ("relayer", "relayed by ", "and"), ("act", "", "or"), ("mode", "", "or"),
            ("origin", "in accounts of ", "or"), ("source", "in ", "or"),
            ("point", "on ", "or"), ("event", "at ", "or"),
        ):  # fmt: skip
            if listed := self.listed(name, joiner):
                parts.append(before + (listed.lower() if name == "mode" else listed))
        if period := self.period_in_words():
            parts.append(period)
        return ", ".join(parts)


StatementFilter.base_fields = {
    **{name: field for name, field in StatementFilter.base_fields.items() if name != "cursor"},
    # The chronology's own: the same parameters, read and written the same way.
    "origin": ChronologyFilter.base_fields["origin"],
    "from": ChronologyFilter.base_fields["from"],
    "to": ChronologyFilter.base_fields["to"],
    "sort": ChronologyFilter.base_fields["sort"],
    "cursor": StatementFilter.base_fields["cursor"],
}
# In the order of FILTERS, then the order and the page: the order of every link's pairs.
StatementFilter.base_fields = {
    name: StatementFilter.base_fields[name] for name in (*StatementFilter.FILTERS, "sort", "cursor")
}


class CommitmentFilter(StatementFilter):
    """The query string of `/commitments/` and its twins: as `/statements/`'s, among the
    statements that ask something of someone or promise something (Statement.ASKS and
    PROMISES); an act of another kind is no choice there."""

    COMMITMENTS = True


CommitmentFilter.base_fields = {
    **StatementFilter.base_fields,
    "act": DistinctChoiceField(
        noun="Act",
        label="Speech act",
        choices=[
            (value, label)
            for value, label in Statement.SpeechAct.choices
            if value in Statement.ASKS | Statement.PROMISES
        ],
    ),
}


class StatementFeedFilter(StatementFilter):
    """The query string of `/statements.atom`: the filters of `/statements/`, without its
    pages or its order (a feed is one page of the latest, newest first); ``cursor`` and
    ``sort`` are unknown there."""


class CommitmentFeedFilter(CommitmentFilter):
    """The query string of `/commitments.atom`, as `/statements.atom`'s is of its list."""


def _without_pages(fields: dict) -> dict:
    return {name: field for name, field in fields.items() if name not in ("cursor", "sort")}


# Each list's own fields (base_fields, not those declared on its class).
StatementFeedFilter.base_fields = _without_pages(StatementFilter.base_fields)
CommitmentFeedFilter.base_fields = _without_pages(CommitmentFilter.base_fields)
