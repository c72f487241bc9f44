"""The chronology's filters: every state of the page is a validated query string."""

import base64
import binascii
import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, ValidationError
from django.http import QueryDict

from timeline.dates import parse_period
from timeline.models import Actor, Event, Origin, Place

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
SINGLE_VALUED = ("q", "from", "to", "cursor")
MULTI_VALUED = ("actor", "place", "kind", "origin")
PARAMETERS = SINGLE_VALUED + MULTI_VALUED


class PeriodField(forms.Field):
    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(required=False, **kwargs)

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


def distinct(values) -> list:
    """Each of ``values`` once, in order: the same value twice asks nothing more than once."""
    return list(dict.fromkeys(values))


class DistinctChoiceField(forms.MultipleChoiceField):
    """A repeatable parameter whose repeated values count once."""

    def to_python(self, value):
        return distinct(super().to_python(value))


class SlugChoiceField(DistinctChoiceField):
    """Repeatable slugs of rows in ``queryset`` (any other is unknown), checked in one query."""

    def __init__(self, queryset, noun: str, **kwargs):
        self.queryset, self.noun, self.names = queryset, noun, {}
        super().__init__(required=False, **kwargs)

    def valid_value(self, value):
        return True  # checked all at once in validate()

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_SLUGS:
            raise ValidationError(
                f"Give at most {MAX_SLUGS} {self.noun}s at once.", code="too_many"
            )
        malformed = [slug for slug in value if not SLUG_PATTERN.match(slug)]
        wellformed = [slug for slug in value if slug not in malformed]
        # Kept for the page, which names the chosen rows without asking again.
        self.names = dict(
            self.queryset.filter(slug__in=wellformed).values_list("slug", "name")
            if wellformed
            else []
        )
        unknown = [slug for slug in value if slug not in self.names]
        if unknown:
            raise ValidationError(
                f"Unknown {self.noun}: {', '.join(sorted(set(unknown)))}.", code="unknown"
            )


BROKEN_CURSOR = "This cursor is broken: follow a “show more” link."


class Cursor:
    """Where a page of the chronology ends: the last event's (date, slug), opaque in URLs."""

    @staticmethod
    def encode(event) -> str:
        return Cursor.pack(event.date_start, event.slug)

    @staticmethod
    def pack(date: datetime.date, key) -> str:
        """Any (date, key) position in a list ordered by date, then key."""
        raw = f"{date.isoformat()}|{key}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(value: str) -> tuple[datetime.date, str]:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            date, slug = raw.split("|", 1)
            if not SLUG_PATTERN.match(slug):
                raise ValueError(slug)
            return datetime.date.fromisoformat(date), slug
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise ValidationError(BROKEN_CURSOR, code="cursor") from error


class CursorField(forms.Field):
    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if len(value) > 400:
            raise ValidationError(BROKEN_CURSOR, code="cursor")
        return Cursor.decode(value) if value else None


class QueryStringForm(forms.Form):
    """A page's query string, checked whole: no unknown parameter, none repeated that
    takes one value, and no more parameters than Django reads."""

    parameters: tuple[str, ...] = ()
    single_valued: tuple[str, ...] = ()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.parameter_errors = []
        if data is not None:
            self.check_parameters(data)

    @classmethod
    def from_request(cls, request):
        """The form for the request's query string. Past the number of parameters Django
        reads, request.GET raises, which Django would answer with a bare "Bad Request";
        the form says what is wrong instead, like any other invalid query string."""
        try:
            return cls(request.GET)
        except TooManyFieldsSent:
            form = cls(QueryDict())
            form.parameter_errors.append(
                f"Too many parameters: give at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
            )
            return form

    def check_parameters(self, data):
        unknown = sorted(set(data) - set(self.parameters))
        if unknown:
            self.parameter_errors.append(f"Unknown parameter: {', '.join(unknown)}.")
        for name in self.single_valued:
            if len(data.getlist(name)) > 1:
                self.parameter_errors.append(f"{name}: give it once only.")

    def clean(self):
        cleaned = super().clean()
        for message in self.parameter_errors:
            self.add_error(None, message)
        return cleaned

    def error_list(self) -> list[tuple[str, str]]:
        """(parameter, message) pairs, for the page and the JSON error body."""
        return [
            ("" if field == "__all__" else field, str(message))
            for field, messages in self.errors.items()
            for message in messages
        ]


class ChronologyFilter(QueryStringForm):
    """The query string of `/`, `/events.json` and `/events.csv`."""

    parameters = PARAMETERS
    single_valued = SINGLE_VALUED

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        strip=True,
        help_text="Words in titles, summaries, statements, and names of actors and places.",
    )
    # Only what the published record shows: a draft's actor or place is unknown here.
    actor = SlugChoiceField(Actor.objects.public(), "actor", label="Actors")
    place = SlugChoiceField(Place.objects.public(), "place", label="Places")
    kind = DistinctChoiceField(label="Kind of event", required=False, choices=Event.Kind)
    origin = DistinctChoiceField(label="Reported by", required=False, choices=Origin)
    from_ = PeriodField(label="From", end=False)
    to = PeriodField(label="To", end=True)
    cursor = CursorField(label="Page after")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # "from" is a Python keyword: the field is from_, the parameter is from.
        self.fields["from"] = self.fields.pop("from_")
        self.order_fields(["q", "actor", "place", "kind", "origin", "from", "to", "cursor"])

    def clean_q(self):
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise ValidationError("The search cannot contain a NUL character.", code="nul")
        # Each word is one more condition every event must meet; the same word twice asks
        # nothing more than once.
        words = list(dict.fromkeys(value.split()))
        if len(words) > MAX_WORDS:
            raise ValidationError(
                f"Search for at most {MAX_WORDS} different words at once.", code="too_many"
            )
        return " ".join(words)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "“to” cannot be before “from”.")
        return cleaned

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

    def is_filtered(self) -> bool:
        data = self.cleaned_data
        return any(
            data.get(name) for name in ("q", "actor", "place", "kind", "origin", "from", "to")
        )


class StatementCursorField(CursorField):
    """Where a page of statements ends: (its event's date, the statement's id)."""

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

    parameters = single_valued = ("events",)
    events = CursorField(label="Events after")


class ActorPages(EventPages):
    """The query string of an actor's page: where its events and statements go on from."""

    parameters = single_valued = ("events", "statements")
    statements = StatementCursorField(label="Statements after")


class SourcePages(EventPages):
    """The query string of a source's page: where its events and statements go on from.
    Its text is shown whole on every page, so that every passage's anchor is on it."""

    parameters = single_valued = ("events", "statements")
    statements = PassageCursorField(label="Statements after")
