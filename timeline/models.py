"""The timeline's data: sources, the actors and places they name, the events
they report and the statements they carry; and what is derived from them and
kept with them: each event's search document (kept current here), and the counts
of the published record kept ready (timeline/counts.py keeps them).

Every rule the editorial guide sets for the data lives here, as a database
constraint where the database can say it and in ``clean()`` where it cannot (or,
for a deletion, in a check before it; for publishing, in
``Event.validate_publication()``).
"""

import datetime
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import OuterRef, ProtectedError, Q, StringAgg, Subquery, Value
from django.db.models.functions import Concat
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.converters import SlugConverter
from django.utils.translation import get_language_info
from simple_history.models import HistoricalRecords

from timeline.dates import (
    Precision,
    format_date,
    format_date_range,
    precision_problem,
    said_before,
)
from timeline.passages import closest_passage, is_inside_quotation
from timeline.querysets import (
    ActorQuerySet,
    EventQuerySet,
    PlaceQuerySet,
    QuantityQuerySet,
    RecordCountQuerySet,
    SourceQuerySet,
    StatementQuerySet,
)

UNSOURCED = "An event cannot be published without at least one source: add one, or keep it a draft."
# The shortest statement: two characters ("No"). The fixtures' shortest has thirteen; a
# single character is a slip of the mouse, not something anyone said.
MIN_STATEMENT_LENGTH = 2


# A path from a slug: reverse() itself takes tens of microseconds, and a chronology
# page links a hundred rows. Each route is reversed once (per URLconf and script prefix,
# so a site under /timeline/ still gets /timeline/events/...) with a stand-in slug,
# which each row's slug then replaces: a valid slug is never quoted in a path.
_SLUG_STAND_IN = "slug-stand-in"
_VALID_SLUG = re.compile(SlugConverter.regex)
_slug_routes: dict[tuple, tuple[str, str]] = {}


def slug_path(viewname: str, slug: str) -> str:
    """``reverse(viewname, kwargs={"slug": slug})``, cheaply."""
    if not _VALID_SLUG.fullmatch(slug):
        return reverse(viewname, kwargs={"slug": slug})  # which says what is wrong
    key = (viewname, get_script_prefix(), get_resolver(get_urlconf()))
    route = _slug_routes.get(key)
    if route is None:
        if len(_slug_routes) > 100:  # prefixes come from the server: never many
            _slug_routes.clear()
        path = reverse(viewname, kwargs={"slug": _SLUG_STAND_IN})
        before, _, after = path.rpartition(_SLUG_STAND_IN)
        route = _slug_routes[key] = (before, after)
    return route[0] + slug + route[1]


def new_statement_id() -> str:
    """A statement's public id: eight lower-case letters and digits, drawn at random."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"  # none that reads as another
    return "".join(secrets.choice(alphabet) for _ in range(8))


def split_aliases(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class SlugManager(models.Manager):
    """Looks rows up by slug, their natural key in the fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Origin(models.TextChoices):
    """Whose voice a source carries: where its account comes from."""

    ARMENIA = "armenia", "Armenia"
    AZERBAIJAN = "azerbaijan", "Azerbaijan"
    RUSSIA = "russia", "Russia"
    TURKIYE = "turkiye", "Türkiye"
    UNITED_STATES = "united-states", "United States"
    EUROPEAN_UNION = "european-union", "European Union"
    INTERNATIONAL = "international", "International organisation"
    UNKNOWN = "unknown", "Unknown"


class Source(models.Model):
    """One document, kept with its full text exactly as received."""

    class Kind(models.TextChoices):
        NEWS_REPORT = "news-report", "News report"
        OFFICIAL_READOUT = "official-readout", "Official readout"
        BRIEFING_TRANSCRIPT = "briefing-transcript", "Briefing transcript"
        PRESS_RELEASE = "press-release", "Press release"
        OTHER = "other", "Other document"

    slug = models.SlugField(max_length=120, unique=True)
    outlet = models.CharField(
        max_length=200, blank=True, help_text="As the document names it. Blank when it does not."
    )
    headline = models.CharField(
        max_length=300, blank=True, help_text="As printed. Blank when the document has none."
    )
    published = models.DateField(
        null=True,
        blank=True,
        help_text="Publication date as the document gives it. Empty when it gives none.",
    )
    published_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the publication date was read, when the document gives it only in part.",
    )
    dateline = models.CharField(max_length=200, blank=True, help_text="The place line, verbatim.")
    language = models.CharField(max_length=20, default="en", help_text="An IETF language tag.")
    kind = models.CharField(max_length=30, choices=Kind, default=Kind.NEWS_REPORT)
    origin = models.CharField(
        max_length=30,
        choices=Origin,
        default=Origin.UNKNOWN,
        help_text="Whose account the document carries (the voice it relays).",
    )
    relays = models.CharField(
        max_length=300,
        blank=True,
        help_text="Whose words it relays, as the document says: a State Department readout, "
        "the Azerbaijani presidency, VOA.",
    )
    url = models.URLField(blank=True, help_text="Where the document was published, when known.")
    seed_file = models.CharField(
        max_length=200, blank=True, help_text="The file in the seed corpus it came from."
    )
    text = models.TextField(help_text="The document's full text, exactly as received.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SlugManager.from_queryset(SourceQuerySet)()
    history = HistoricalRecords(excluded_fields=["created", "updated"])

    class Meta:
        # Undated sources first, on every database (SQLite and PostgreSQL
        # disagree on where NULLs sort), so exported fixtures do not differ.
        ordering = [models.F("published").asc(nulls_first=True), "slug"]

    def __str__(self):
        return f"{self.outlet_label}: {self.headline or self.slug}"

    def save(self, *args, **kwargs):
        # Statements and numbers keep standing at their passage when an edit moves it;
        # an edit that would remove a recorded passage is refused (see clean()).
        moved, broken = self.reanchored()
        if broken:
            raise ValidationError({"text": self.broken_message(broken)})
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Two steps, so that no passage ever takes the place another still holds.
            beyond = len(self.text) + max((p.end for p, _, _ in moved), default=0) + 1
            for passage, _, _ in moved:
                type(passage).objects.filter(pk=passage.pk).update(
                    start=passage.start + beyond, end=passage.end + beyond
                )
            for passage, start, end in moved:
                type(passage).objects.filter(pk=passage.pk).update(start=start, end=end)

    def get_absolute_url(self):
        return slug_path("timeline:source", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def outlet_label(self) -> str:
        return self.outlet or "outlet not named in the text"

    @property
    def language_name(self) -> str:
        """The language's name in English ("English" for "en"), or its tag when Django
        does not know it."""
        try:
            return get_language_info(self.language)["name"]
        except KeyError:
            return self.language

    def reanchored(self) -> tuple[list[tuple["Passage", int, int]], list["Passage"]]:
        """Where each statement and number recorded in this source stands in its
        (possibly edited) text.

        Returns those that still stand in it, with their new offsets, and those the text
        no longer carries verbatim (or, for a quote, inside quotation marks).
        """
        if self.pk is None:
            return [], []
        moved, broken = [], []
        passages = [
            *self.statements.select_related("speaker").order_by("start"),
            *self.quantities.order_by("start"),
        ]
        for passage in passages:
            start = self.text.find(passage.text)
            end = start + len(passage.text)
            quote = getattr(passage, "is_quote", False)
            if start < 0 or (quote and not is_inside_quotation(self.text, start, end)):
                broken.append(passage)
            elif (start, end) != (passage.start, passage.end):
                moved.append((passage, start, end))
        return moved, broken

    def clean(self):
        _, broken = self.reanchored()
        if broken:
            raise ValidationError({"text": self.broken_message(broken)})

    @staticmethod
    def broken_message(broken) -> str:
        listed = "; ".join(
            f"«{p.text}» ({p.speaker}, statement {p.pk})"
            if isinstance(p, Statement)
            else f"«{p.text}» (a number of “{p.counts}”)"
            for p in broken
        )
        return (
            f"This edit would break {len(broken)} passage(s) recorded in this source, "
            f"whose text it no longer carries verbatim: {listed}. Keep those passages as "
            "they are, or fix the statements and numbers first."
        )


class Actor(models.Model):
    """A person, state, body, organisation, armed group or outlet that acts or speaks."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        STATE = "state", "State"
        GOVERNMENT_BODY = "government-body", "Government body"
        INTERNATIONAL_ORGANISATION = "international-organisation", "International organisation"
        ARMED_FORCES = "armed-forces", "Armed forces"
        ARMED_GROUP = "armed-group", "Armed group"
        MEDIA = "media", "News outlet"
        GROUP = "group", "Group of people"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind)
    office = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a person, the office held when quoted, as the sources give it.",
    )
    affiliation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The institution this actor speaks for or belongs to.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names the documents use for it, one per line, as they write them. "
        "Search uses them.",
    )
    other_aliases = models.TextField(
        "aliases not in the documents",
        blank=True,
        help_text="Names and spellings the documents do not use (other scripts, names one "
        "side uses), one per line. Search uses them; pages say they are not the documents'.",
    )
    unnamed = models.BooleanField(
        "unnamed or collective",
        default=False,
        help_text="The documents give no personal name: “a reporter”, “the international "
        "community”, “the residents of Nagorno-Karabakh”.",
    )

    objects = SlugManager.from_queryset(ActorQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(affiliation=models.F("pk")), name="actor_not_affiliated_to_itself"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("timeline:actor", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def alias_list(self) -> list[str]:
        """The names the documents use for it."""
        return split_aliases(self.aliases)

    def is_named_in(self, text: str) -> bool:
        """Whether ``text`` names it, by its name or an alias the documents use, in any
        letter case."""
        folded = text.lower()
        return any(name.lower() in folded for name in [self.name, *self.alias_list])

    @property
    def other_alias_list(self) -> list[str]:
        """Names the documents do not use: readers search by them."""
        return split_aliases(self.other_aliases)

    def clean(self):
        ancestor, seen = self.affiliation, set()
        while ancestor is not None:
            if ancestor.pk == self.pk or ancestor.pk in seen:
                raise ValidationError({"affiliation": "Affiliations cannot go round in a circle."})
            seen.add(ancestor.pk)
            ancestor = ancestor.affiliation


class Place(models.Model):
    """A place, with the names each side uses for it as aliases."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        CITY = "city", "City"
        BORDER = "border", "Border"
        ROUTE = "route", "Road or corridor"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200, help_text="The name most international sources use.")
    kind = models.CharField(max_length=20, choices=Kind)
    aliases = models.TextField(
        blank=True,
        help_text="Other names the documents use for it, one per line, as they write them. "
        "Search uses them.",
    )
    other_aliases = models.TextField(
        "aliases not in the documents",
        blank=True,
        help_text="Names and spellings the documents do not use (other scripts, names each "
        "side uses), one per line. Search uses them; pages say they are not the documents'.",
    )

    objects = SlugManager.from_queryset(PlaceQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @property
    def alias_list(self) -> list[str]:
        """The names the documents use for it."""
        return split_aliases(self.aliases)

    @property
    def other_alias_list(self) -> list[str]:
        """Names the documents do not use: readers search by them."""
        return split_aliases(self.other_aliases)


class Event(models.Model):
    """Something that happened, or is planned, told in the timeline's own neutral words."""

    class Kind(models.TextChoices):
        HOSTILITIES = "hostilities", "Armed hostilities"
        CEASEFIRE = "ceasefire", "Ceasefire or agreement"
        PHONE_CALL = "phone-call", "Phone call"
        TALKS = "talks", "Talks"
        MEETING = "meeting", "Meeting"
        PRESS_BRIEFING = "press-briefing", "Press briefing"
        DECLARATION = "declaration", "Declaration"
        HUMANITARIAN = "humanitarian", "Humanitarian development"
        MOVEMENT = "movement", "Movement and access"
        DISARMAMENT = "disarmament", "Disarmament or withdrawal"
        MONITORING = "monitoring", "Monitoring or inspection"
        ANNOUNCEMENT = "announcement", "Announcement"
        POLITICAL = "political", "Political development"

    # The mark beside each kind, on the chronology and the event's page.
    KIND_MARKS = {
        "hostilities": "▲",
        "ceasefire": "◆",
        "phone-call": "☎",
        "talks": "◇",
        "meeting": "●",
        "press-briefing": "■",
        "declaration": "★",
        "humanitarian": "✚",
        "movement": "▬",
        "disarmament": "▼",
        "monitoring": "◎",
        "announcement": "□",
        "political": "○",
    }

    class Status(models.TextChoices):
        HAPPENED = "happened", "Happened"
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing as of its date"
        OFFERED = "offered", "Offered or proposed"

    Precision = Precision

    class Publication(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=160, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="Neutral and brief: who did what, where, per whom.")
    date_start = models.DateField("start date")
    date_end = models.DateField("end date", null=True, blank=True)
    date_precision = models.CharField(
        max_length=20,
        choices=Precision,
        default=Precision.DAY,
        help_text="How exactly the sources date it. Month: give the 1st. Year: give 1 January.",
    )
    date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the date was worked out, when the sources give it only relatively.",
    )
    kind = models.CharField(max_length=30, choices=Kind)
    status = models.CharField(max_length=20, choices=Status, default=Status.HAPPENED)
    status_as_of = models.DateField(
        "as of",
        null=True,
        blank=True,
        help_text="For an ongoing or offered event: the last day the documents describe it so.",
    )
    places = models.ManyToManyField(Place, blank=True, related_name="events")
    actors = models.ManyToManyField(Actor, through="EventActor", blank=True, related_name="events")
    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="events",
        help_text="At least one before the event can be published.",
    )
    publication = models.CharField(max_length=20, choices=Publication, default=Publication.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SlugManager.from_queryset(EventQuerySet)()
    history = HistoricalRecords(
        m2m_fields=[places, sources], excluded_fields=["created", "updated"]
    )

    class Meta:
        ordering = ["date_start", "date_end", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date_end__gte=models.F("date_start")),
                name="event_ends_after_it_starts",
            ),
        ]
        indexes = [
            # The chronology's order, and its keyset pages, within the published record.
            models.Index(fields=["publication", "date_start", "slug"]),
            models.Index(fields=["kind"]),
            # The feeds' order: the latest changes to the published record first.
            models.Index(fields=["publication", "-updated", "-id"], name="event_latest_change"),
            # The period filter's other end: the last day an event covers.
            models.Index(
                models.functions.Coalesce("date_end", "date_start"), name="event_last_day"
            ),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    def get_absolute_url(self):
        return slug_path("timeline:event", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.publication == self.Publication.PUBLISHED

    @property
    def kind_mark(self) -> str:
        return self.KIND_MARKS.get(self.kind, "•")

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def status_label(self) -> str:
        """Its status where it is not "happened", as the chronology marks it ("Planned",
        "Ongoing as of 14 September 2022"); "" when it happened."""
        return "" if self.status == self.Status.HAPPENED else self.status_display

    @property
    def status_note(self) -> str:
        """Its status after its title, as titles and feeds give it: " (planned)", " (ongoing
        as of 14 September 2022)"; "" when it happened."""
        label = self.status_label
        return f" ({label[0].lower()}{label[1:]})" if label else ""

    @property
    def status_display(self) -> str:
        """Its status in words, with the day it holds as of: "Ongoing as of 14 September
        2022", "Offered or proposed, as of 26 September 2023"."""
        if self.status == self.Status.ONGOING and self.status_as_of:
            return f"Ongoing as of {format_date(self.status_as_of, Precision.DAY)}"
        if self.status == self.Status.OFFERED and self.status_as_of:
            return f"Offered or proposed, as of {format_date(self.status_as_of, Precision.DAY)}"
        return self.get_status_display()

    @property
    def date_display(self) -> str:
        return format_date_range(self.date_start, self.date_end, self.date_precision)

    def validate_publication(self, sources=None):
        """Refuses, with a ValidationError on ``publication``, an event that would be
        published citing no source: with ``sources`` (a form's, not saved yet), or by
        default its own."""
        if sources is None:
            sources = self.sources.all() if self.pk else []
        if not len(sources):
            raise ValidationError({"publication": UNSOURCED})

    def publish(self, *, by):
        """Make the event public, recorded in its history as "Published" by ``by`` (the
        user, as the admin records who made any change). Refused as in
        ``validate_publication`` while it cites no source."""
        self.validate_publication()
        self._save_publication(self.Publication.PUBLISHED, "Published", by)

    def unpublish(self, *, by):
        """Take the event back to draft, recorded in its history as "Unpublished" by ``by``."""
        self._save_publication(self.Publication.DRAFT, "Unpublished", by)

    def _save_publication(self, publication, reason, user):
        self.publication = publication
        self._change_reason = reason
        self._history_user = user
        self.save(update_fields=["publication", "updated"])

    def clean(self):
        errors = {}
        if self.date_start and self.date_end and self.date_end < self.date_start:
            errors["date_end"] = "The end date cannot be before the start date."
        if self.date_start:
            problem = precision_problem(self.date_start, self.date_end, self.date_precision)
            if problem:
                errors["date_precision"] = problem
        if self.status == self.Status.ONGOING and not self.status_as_of:
            errors["status_as_of"] = "An ongoing event is ongoing as of a day: give it."
        elif self.status_as_of and self.status not in (self.Status.ONGOING, self.Status.OFFERED):
            errors["status_as_of"] = "Only an ongoing or offered event has an “as of” day."
        elif self.status_as_of and self.date_start and self.status_as_of < self.date_start:
            errors["status_as_of"] = "It cannot be ongoing or offered before its own date."
        if errors:
            raise ValidationError(errors)


class EventActor(models.Model):
    """An actor's part in an event."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        INITIATOR = "initiator", "Initiator"
        TARGET = "target", "Target"
        MEDIATOR = "mediator", "Mediator"
        SPEAKER = "speaker", "Speaker"
        SUBJECT = "subject", "Subject"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTICIPANT)

    class Manager(models.Manager):
        def get_by_natural_key(self, event_slug, actor_slug):
            return self.get(event__slug=event_slug, actor__slug=actor_slug)

    objects = Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "role", "actor__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "actor"], name="one_role_per_actor_and_event")
        ]
        # An actor's events without visiting the table (the actor filter, counterparts).
        indexes = [models.Index(fields=["actor", "event"], name="eventactor_actor_event")]
        verbose_name = "actor in event"
        verbose_name_plural = "actors in event"

    def __str__(self):
        return f"{self.actor} ({self.get_role_display().lower()})"

    def natural_key(self):
        return (self.event.slug, self.actor.slug)

    natural_key.dependencies = ["timeline.event", "timeline.actor"]


class Passage:
    """A record that stands in its ``source`` as its ``text``, verbatim, at offsets
    (``start``, ``end``) computed from the text, never typed: a statement, a number, a
    link between events."""

    def save(self, *args, **kwargs):
        # Offsets are computed on every save: it cannot be saved off its passage.
        self.start, self.end = self.locate()
        super().save(*args, **kwargs)

    def anchor_errors(self) -> dict:
        """What ``clean`` reports of the passage: {} once its offsets are found (and set),
        else the text's error, with the closest passage in the source."""
        if not (self.source_id and self.text):
            return {}
        try:
            self.start, self.end = self.locate()
        except ValidationError as error:
            return error.message_dict
        return {}

    def locate(self) -> tuple[int, int]:
        """Where the text stands in the source: the first place it occurs."""
        index = self.source.text.find(self.text)
        if not self.text or index < 0:
            raise ValidationError({"text": self.not_found_message()})
        return index, index + len(self.text)

    def not_found_message(self) -> str:
        closest = closest_passage(self.source.text, self.text)
        message = f"This text does not occur verbatim in “{self.source}”. You typed: «{self.text}»."
        if closest:
            message += f" The closest passage in the source is: «{closest}»."
        return message

    @property
    def anchor(self) -> str:
        return f"passage-{self.start}-{self.end}"

    def is_anchored(self) -> bool:
        """True when the text stands in its source at the stored offsets."""
        return self.source.text[self.start : self.end] == self.text


class Statement(Passage, models.Model):
    """Something an actor said or is reported to have said, anchored in one source,
    reaching it through a chain of relays (``relayed_by``): said at an occasion
    (``event``), perhaps about other events (``concerns``), on its occasion's date unless
    the document dates it otherwise or not at all."""

    class Mode(models.TextChoices):
        QUOTE = "quote", "Direct quote"
        REPORTED = "reported", "Reported speech"
        ACCOUNT = "account", "Outlet's own account"

    class SpeechAct(models.TextChoices):
        URGES = "urges", "urges"
        COMMITS_TO = "commits-to", "commits to"
        EXPRESSES_CONCERN = "expresses-concern", "expresses concern"
        CONDEMNS = "condemns", "condemns"
        DENIES = "denies", "denies"
        ANNOUNCES = "announces", "announces"
        REPORTS = "reports", "reports"
        STATES = "states", "states"
        DISCUSSES = "discusses", "discusses"
        ACKNOWLEDGES = "acknowledges", "acknowledges"
        EXPECTS = "expects", "expects"
        OFFERS = "offers", "offers"
        CALLS_FOR = "calls-for", "calls for"
        DEMANDS = "demands", "demands"
        ASSURES = "assures", "assures"
        PLEDGES = "pledges", "pledges"

    # Acts that ask something of someone, and acts that promise something: together,
    # the demands and commitments the record follows over time (/commitments/).
    ASKS = frozenset({SpeechAct.URGES, SpeechAct.CALLS_FOR, SpeechAct.DEMANDS})
    PROMISES = frozenset(
        {SpeechAct.COMMITS_TO, SpeechAct.OFFERS, SpeechAct.ASSURES, SpeechAct.PLEDGES}
    )

    uid = models.SlugField(
        "public id",
        max_length=20,
        unique=True,
        default=new_statement_id,
        editable=False,
        help_text="Its permanent address, /statements/<id>/: kept through every edit.",
    )

    class Dating(models.TextChoices):
        OCCASION = "occasion", "Its occasion's date"
        OWN = "own", "A date of its own, as the document gives it"
        UNDATED = "undated", "Not dated in the document"

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name="occasion",
        help_text="The event at which it was said (a call, a briefing); for an outlet's own "
        "account, the event it tells of.",
    )
    concerns = models.ManyToManyField(
        Event,
        blank=True,
        related_name="mentioned_in",
        help_text="Other events it is about: the clashes a briefing speaks of.",
    )
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="Whose words or position it is.",
    )
    relayed_by = models.ManyToManyField(
        Actor,
        through="Relay",
        blank=True,
        related_name="relayed_statements",
        help_text="Who passed it on, in order, down to the outlet that published the source.",
    )
    addressees = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="statements_received",
        verbose_name="addressed to or about",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="statements")
    dating = models.CharField(
        "date",
        max_length=20,
        choices=Dating,
        default=Dating.OCCASION,
        help_text="Its occasion's date, unless the document dates it otherwise or not at all.",
    )
    said_start = models.DateField("said on (start)", null=True, blank=True)
    said_end = models.DateField("said on (end)", null=True, blank=True)
    said_precision = models.CharField(
        "precision of that date", max_length=20, choices=Precision, blank=True
    )
    text = models.TextField(
        help_text="Exactly as in the source: a quote without its quotation marks, "
        "reported speech as the source phrased it."
    )
    mode = models.CharField(max_length=20, choices=Mode)
    speech_act = models.CharField(max_length=30, choices=SpeechAct, default=SpeechAct.STATES)
    start = models.PositiveIntegerField(editable=False, help_text="Computed from the text.")
    end = models.PositiveIntegerField(editable=False, help_text="Computed from the text.")
    sort_date = models.DateField(
        editable=False,
        null=True,
        help_text="The day it sorts by in lists: its own date's start, else its occasion's. "
        "Kept on every save, and when its occasion's date changes.",
    )
    followups_checked = models.DateField(
        "later record checked on",
        null=True,
        blank=True,
        help_text="For a demand or commitment: the day an editor last read the record for "
        "what later statements say of it, links made. Until then it waits on the curation "
        "queue.",
    )

    class Manager(models.Manager.from_queryset(StatementQuerySet)):
        def get_by_natural_key(self, source_slug, start, end):
            return self.get(source__slug=source_slug, start=start, end=end)

    objects = Manager()
    history = HistoricalRecords(m2m_fields=[addressees, concerns])

    class Meta:
        ordering = ["source", "start"]
        indexes = [
            models.Index(fields=["sort_date", "id"], name="statement_in_date_order"),
            # A speaker's statements newest first (their page, /commitments/?speaker=).
            models.Index(
                fields=["speaker", "sort_date", "id"], name="statement_by_speaker_in_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start") + MIN_STATEMENT_LENGTH),
                name="statement_passage_not_too_short",
            ),
            models.UniqueConstraint(
                fields=["source", "start", "end"], name="one_statement_per_passage"
            ),
        ]

    def __str__(self):
        excerpt = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"{self.speaker}: {excerpt}"

    def save(self, *args, **kwargs):
        # Offsets are always computed, never typed: a statement cannot be saved
        # unless its text stands verbatim in its source.
        self.start, self.end = self.locate()
        with transaction.atomic():
            super().save(*args, **kwargs)
            # An event cites every source its statements are taken from.
            self.event.sources.add(self.source_id)

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (self.source.slug, self.start, self.end)

    natural_key.dependencies = ["timeline.source", "timeline.event", "timeline.actor"]

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        statement = super().from_db(db, field_names, values, *args, **kwargs)
        # The event it was read with: moved to another, both events' words change.
        statement._loaded_event_id = statement.__dict__.get("event_id")
        return statement

    @property
    def is_quote(self) -> bool:
        return self.mode == self.Mode.QUOTE

    @property
    def is_commitment(self) -> bool:
        """Whether it asks something of someone or promises something."""
        return self.speech_act in self.ASKS | self.PROMISES

    @property
    def act_display(self) -> str:
        """Its speech act as the pages word it after the speaker. An outlet's own account
        of a demand or a commitment is the outlet's report of it, not the outlet's own
        demand or promise: "TDI reports a commitment", not "TDI commits to"."""
        if self.mode == self.Mode.ACCOUNT and self.speech_act in self.PROMISES:
            return "reports a commitment"
        if self.mode == self.Mode.ACCOUNT and self.speech_act in self.ASKS:
            return "reports a demand"
        return self.get_speech_act_display()

    def get_permalink(self) -> str:
        """Its own page, /statements/<id>/ (``get_absolute_url`` is its passage)."""
        return reverse("timeline:statement", kwargs={"uid": self.uid})

    @property
    def said(self) -> tuple | None:
        """When it was said, (start, end, precision): its occasion's date unless the
        document dates it otherwise; None when the document does not date it."""
        if self.dating == self.Dating.UNDATED:
            return None
        if self.dating == self.Dating.OWN:
            return self.said_start, self.said_end, self.said_precision
        return self.event.date_start, self.event.date_end, self.event.date_precision

    @property
    def said_display(self) -> str:
        said = self.said
        return format_date_range(*said) if said else "not dated in the document"

    def dating_errors(self) -> dict:
        """What is wrong with its date, by field: a date of its own needs one (at an
        honest precision), the others none; and nothing is said before its occasion."""
        if self.dating != self.Dating.OWN:
            if self.said_start or self.said_end or self.said_precision:
                return {"dating": "Dates are given only for “a date of its own”: clear them."}
            return {}
        if not self.said_start or not self.said_precision:
            return {"said_start": "Give the date the document gives, and its precision."}
        if self.said_end and self.said_end < self.said_start:
            return {"said_end": "The end date cannot be before the start date."}
        if problem := precision_problem(self.said_start, self.said_end, self.said_precision):
            return {"said_precision": problem}
        occasion = self.event if self.event_id else None
        # An occasion known only by a bound ("by 1 May 2023") may lie any day before it.
        if (
            occasion is not None
            and occasion.date_precision != Precision.BY
            and said_before(
                self.said_start, self.said_end, self.said_precision, occasion.date_start
            )
        ):
            return {
                "said_start": f"It cannot be said before its occasion, “{occasion.title}” "
                f"({occasion.date_display}): correct one of the two dates, or the occasion."
            }
        return {}

    def clean(self):
        if errors := self.dating_errors():
            raise ValidationError(errors)
        if self.text and len(self.text.strip()) < MIN_STATEMENT_LENGTH:
            raise ValidationError(
                {
                    "text": f"A statement is at least {MIN_STATEMENT_LENGTH} characters long: "
                    "select the words that were said, not a single character."
                }
            )
        if not self.source_id or not self.text:
            return
        self.start, self.end = self.locate()
        if self.mode == self.Mode.QUOTE and not is_inside_quotation(
            self.source.text, self.start, self.end
        ):
            raise ValidationError(
                {
                    "mode": "A direct quote must stand inside quotation marks in the source. "
                    "It may not run past the closing mark into the text around it."
                }
            )
        # The offsets are not on any form, so Django would not check this constraint.
        twin = (
            Statement.objects.filter(source_id=self.source_id, start=self.start, end=self.end)
            .exclude(pk=self.pk)
            .select_related("speaker", "event")
            .first()
        )
        if twin:
            raise ValidationError(
                {
                    "text": f"This passage is already recorded, as {twin.speaker}’s statement "
                    f"on “{twin.event.title}”."
                }
            )


class Relay(models.Model):
    """One link of the chain a statement reached its source through: the spokesperson
    who conveyed a president's words, the agency that reported them, the outlet that
    published the source (``position`` 1 is nearest the speaker)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="relays")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relays")
    position = models.PositiveSmallIntegerField(
        help_text="1 for who passed it on first, then 2, 3… down to the publishing outlet."
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, source_slug, start, end, position):
            return self.get(
                statement__source__slug=source_slug,
                statement__start=start,
                statement__end=end,
                position=position,
            )

    objects = Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="one_relay_per_place"),
            models.UniqueConstraint(fields=["statement", "actor"], name="relayed_once_by_each"),
            models.CheckConstraint(condition=Q(position__gte=1), name="relay_position_from_1"),
        ]

    def __str__(self):
        return f"{self.position}. {self.actor}"

    def natural_key(self):
        return (*self.statement.natural_key(), self.position)

    natural_key.dependencies = ["timeline.statement", "timeline.actor"]

    def clean(self):
        if not (self.statement_id and self.actor_id):
            return
        if self.actor_id == self.statement.speaker_id:
            raise ValidationError({"actor": "The speaker does not relay their own words."})
        if not self.actor.is_named_in(self.statement.source.text):
            raise ValidationError(
                {
                    "actor": f"“{self.statement.source}” does not name {self.actor.name}, nor "
                    "any alias the documents use for it: a relay is one the source names."
                }
            )


class EventLink(Passage, models.Model):
    """A typed, directed link between two events, as a passage of a source makes it
    (and, where a speaker makes it, the statement that does): a link is a claim too."""

    class Relation(models.TextChoices):
        PART_OF = "part-of", "is part of"
        ENDS = "ends", "ends"
        FOLLOWS_FROM = "follows-from", "follows from"
        RESPONDS_TO = "responds-to", "responds to"
        REPEATS = "repeats", "repeats"

    # How the other end reads it: "ended by", "has part".
    INVERSE = {
        "part-of": "has part",
        "ends": "ended by",
        "follows-from": "led to",
        "responds-to": "responded to by",
        "repeats": "repeated by",
    }

    from_event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="links_out", verbose_name="event"
    )
    relation = models.CharField(max_length=20, choices=Relation)
    to_event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="links_in", verbose_name="other event"
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="event_links",
        help_text="The document that makes the link.",
    )
    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_links",
        help_text="Where a speaker makes the link: the statement that does (in that source).",
    )
    text = models.TextField(
        "passage",
        help_text="The words of the source that make the link, exactly as there: “After 24 "
        "hours, a cease-fire was reached”.",
    )
    start = models.PositiveIntegerField(editable=False)
    end = models.PositiveIntegerField(editable=False)

    class Manager(models.Manager):
        def get_by_natural_key(self, from_slug, relation, to_slug, source_slug):
            return self.get(
                from_event__slug=from_slug,
                relation=relation,
                to_event__slug=to_slug,
                source__slug=source_slug,
            )

    objects = Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_event", "relation", "to_event"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")), name="event_link_not_to_itself"
            ),
            models.UniqueConstraint(
                fields=["from_event", "relation", "to_event", "source"],
                name="one_link_per_source",
            ),
        ]
        verbose_name = "link to another event"

    def __str__(self):
        return f"{self.from_event.title} {self.get_relation_display()} {self.to_event.title}"

    def natural_key(self):
        return (self.from_event.slug, self.relation, self.to_event.slug, self.source.slug)

    natural_key.dependencies = ["timeline.event", "timeline.source", "timeline.statement"]

    @property
    def inverse_label(self) -> str:
        return self.INVERSE[self.relation]

    def clean(self):
        errors = self.anchor_errors()
        if self.from_event_id and self.from_event_id == self.to_event_id:
            errors["to_event"] = "An event is not linked to itself."
        if self.statement_id and self.source_id and self.statement.source_id != self.source_id:
            errors["statement"] = "The statement that makes the link stands in its source."
        elif (
            self.statement_id
            and not errors
            and not (self.statement.start <= self.end and self.start <= self.statement.end)
        ):
            errors["statement"] = "The link's passage is the statement's, or part of it."
        if (
            not errors
            and self.relation == self.Relation.PART_OF
            and self.from_event_id
            and self.to_event_id
            and self.makes_a_circle()
        ):
            errors["to_event"] = (
                f"“{self.to_event.title}” is already part of “{self.from_event.title}”, "
                "directly or through others: parts cannot go round in a circle."
            )
        if errors:
            raise ValidationError(errors)

    def makes_a_circle(self) -> bool:
        """Whether this part-of link would close a circle of parts: whether its other
        event is already, through any chain of part-of links, part of this event."""
        parts = EventLink.objects.filter(relation=self.Relation.PART_OF).exclude(pk=self.pk)
        reached, frontier = set(), {self.from_event_id}
        while frontier:
            if self.to_event_id in frontier:
                return True
            reached |= frontier
            frontier = (
                set(parts.filter(to_event__in=frontier).values_list("from_event", flat=True))
                - reached
            )
        return False


class Point(models.Model):
    """A point of comparison on an event told by more than one account (“amnesty”,
    “humanitarian access”), named by an editor in neutral words, with the statements
    of each account that speak to it. Points that share a slug across events are one
    subject: ``?point=amnesty`` finds them all."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="points")
    slug = models.SlugField(
        max_length=80, help_text="The same slug on two events means the same subject."
    )
    name = models.CharField(
        max_length=200, help_text="Neutral words, not either side's: “civilians’ safety”."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Its row in the event's comparison, from the top."
    )
    statements = models.ManyToManyField(
        Statement,
        blank=True,
        related_name="points",
        help_text="The statements on this point: the event's own, and those that concern it.",
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, event_slug, slug):
            return self.get(event__slug=event_slug, slug=slug)

    objects = Manager()
    history = HistoricalRecords(m2m_fields=[statements])

    class Meta:
        ordering = ["event", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="one_point_per_slug"),
        ]
        verbose_name = "point of comparison"
        verbose_name_plural = "points of comparison"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.event.slug, self.slug)

    natural_key.dependencies = ["timeline.event", "timeline.statement"]

    def statement_errors(self, statements) -> str | None:
        """Why ``statements`` may not stand under this point: each must be said on its
        event or concern it."""
        strangers = [
            statement
            for statement in statements
            if statement.event_id != self.event_id
            and self.event_id not in {event.pk for event in statement.concerns.all()}
        ]
        if not strangers:
            return None
        quoted = "; ".join(f"“{statement}”" for statement in strangers)
        return (
            f"A point holds statements said on “{self.event.title}” or concerning it, "
            f"and these are neither: {quoted}. Add the event to their concerns first."
        )


class StatementLink(Passage, models.Model):
    """What a later statement says of an earlier one, as its passage says it: that it
    repeats it, responds to it, reports it done, or disputes it. A commitment's status
    is worded from these, always as someone's account, never the site's verdict."""

    class Relation(models.TextChoices):
        REPEATS = "repeats", "repeats"
        RESPONDS_TO = "responds-to", "responds to"
        REPORTS_DONE = "reports-done", "reports as done"
        DISPUTES = "disputes", "disputes"

    # How the earlier statement's status reads it: "reported as done by …".
    STATUS = {
        "repeats": "repeated by",
        "responds-to": "responded to by",
        "reports-done": "reported as done by",
        "disputes": "disputed by",
    }

    later = models.ForeignKey(
        Statement,
        on_delete=models.CASCADE,
        related_name="links_out",
        verbose_name="later statement",
        help_text="The statement that says something of the earlier one.",
    )
    relation = models.CharField(max_length=20, choices=Relation)
    earlier = models.ForeignKey(
        Statement,
        on_delete=models.CASCADE,
        related_name="links_in",
        verbose_name="earlier statement",
        help_text="The demand, commitment or statement it speaks of.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="statement_links",
        help_text="The later statement's source: the passage stands in it.",
    )
    text = models.TextField(
        "passage",
        help_text="The words that make the link, exactly as in the source: “we expect him "
        "to abide by”.",
    )
    start = models.PositiveIntegerField(editable=False)
    end = models.PositiveIntegerField(editable=False)

    class Manager(models.Manager):
        def get_by_natural_key(self, later_uid, relation, earlier_uid):
            return self.get(later__uid=later_uid, relation=relation, earlier__uid=earlier_uid)

    objects = Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["earlier", "later", "relation"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(later=models.F("earlier")), name="statement_link_not_to_itself"
            ),
            models.UniqueConstraint(
                fields=["later", "relation", "earlier"], name="one_statement_link_per_relation"
            ),
        ]
        verbose_name = "link to an earlier statement"

    def __str__(self):
        return f"{self.later} {self.get_relation_display()} {self.earlier}"

    def natural_key(self):
        return (self.later.uid, self.relation, self.earlier.uid)

    natural_key.dependencies = ["timeline.statement", "timeline.source"]

    @property
    def status_label(self) -> str:
        return self.STATUS[self.relation]

    def clean(self):
        if self.later_id and not self.source_id:
            self.source = self.later.source
        errors = self.anchor_errors()
        if self.later_id and self.later_id == self.earlier_id:
            errors["earlier"] = "A statement is not linked to itself."
        if not (self.later_id and self.earlier_id) or errors:
            if errors:
                raise ValidationError(errors)
            return
        later, earlier = self.later, self.earlier
        if later.source_id != self.source_id:
            errors["source"] = "The passage stands in the later statement's source."
        elif not (later.start <= self.end and self.start <= later.end):
            errors["text"] = "The link's passage is the later statement's, or part of it."
        # An earlier statement known only by a bound ("by 1 May") may lie any day before it.
        if (
            later.said
            and earlier.said
            and earlier.said[2] != Precision.BY
            and said_before(*later.said, earlier.said[0])
        ):
            errors["earlier"] = (
                f"The earlier statement is dated {earlier.said_display}, after the later "
                f"one ({later.said_display}): swap them, or correct a date."
            )
        if errors:
            raise ValidationError(errors)


# Number words a bound may be read from: "six weeks", "twenty", "a hundred".
NUMBER_WORDS = {
    word: value
    for value, word in enumerate([
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty",
    ])
} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1000, "million": 1_000_000,
}  # fmt: skip


# Ordinals state a number too: "for a second straight day" is two days.
ORDINAL_WORDS = {
    word: value
    for value, word in enumerate([
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth",
    ], start=1)
}  # fmt: skip


def numbers_stated(text: str) -> set[int]:
    """The numbers ``text`` states, in digits ("24", "1,200"), as a number word ("six")
    or an ordinal ("second"): the only values a number's bounds may take. A plural
    ("tens", "thousands") states none: it is an amount in words."""
    found = {int(digits.replace(",", "")) for digits in re.findall(r"\d[\d,]*", text)}
    words = re.findall(r"[a-z]+", text.lower())
    found |= {NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS}
    found |= {ORDINAL_WORDS[w] for w in words if w in ORDINAL_WORDS}
    return found


class Quantity(Passage, models.Model):
    """A number a source gives, kept as its passage (“less than 24 hours”, “tens of
    thousands of people displaced”), with what it counts, its unit, and bounds set only
    from what the words state; vague amounts keep both bounds empty and stand as words.
    Never in the timeline's own words: always shown with its source."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="quantities")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quantities")
    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quantities",
        help_text="Where a speaker gives the number: their statement, which holds the passage.",
    )
    text = models.TextField(help_text="Exactly as in the source.")
    counts = models.CharField(max_length=200, help_text="What it counts: “people displaced”.")
    unit = models.CharField(max_length=50, help_text="“people”, “hours”, “pieces”.")
    low = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Only from a number the words state. Empty if vague."
    )
    high = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Only from a number the words state. Empty if vague."
    )
    start = models.PositiveIntegerField(editable=False)
    end = models.PositiveIntegerField(editable=False)

    class Manager(models.Manager.from_queryset(QuantityQuerySet)):
        def get_by_natural_key(self, source_slug, start, end):
            return self.get(source__slug=source_slug, start=start, end=end)

    objects = Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "source", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=models.F("high")),
                name="quantity_low_not_above_high",
            ),
            models.UniqueConstraint(
                fields=["source", "start", "end"], name="one_quantity_per_passage"
            ),
        ]
        verbose_name_plural = "quantities"

    def __str__(self):
        return f"{self.text} ({self.source.outlet_label})"

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (self.source.slug, self.start, self.end)

    natural_key.dependencies = ["timeline.event", "timeline.source", "timeline.statement"]

    @property
    def bounds_display(self) -> str:
        """Its bounds in words: "24 hours", "at most 24 hours", "6–8 weeks", or, for an
        amount the words give without a number, "no number given"."""
        low, high, unit = self.low, self.high, self.unit
        if low is None and high is None:
            return "no number given"
        if low == high:
            return f"{low:,} {unit}"
        if high is None:
            return f"at least {low:,} {unit}"
        if low is None:
            return f"at most {high:,} {unit}"
        return f"{low:,}–{high:,} {unit}"

    def clean(self):
        errors = self.anchor_errors()
        if errors:  # the bounds are read from the passage: it must be found first
            raise ValidationError(errors)
        stated = numbers_stated(self.text or "")
        for bound in ("low", "high"):
            value = getattr(self, bound)
            if value is not None and value not in stated:
                errors[bound] = (
                    f"{value} is not a number these words state"
                    + (f" (they state {', '.join(map(str, sorted(stated)))})" if stated else "")
                    + ": leave it empty for an amount in words."
                )
        if self.low is not None and self.high is not None and self.low > self.high:
            errors["high"] = "The high bound cannot be below the low one."
        if self.statement_id and self.source_id and not errors:
            statement = self.statement
            if statement.source_id != self.source_id or not (
                statement.start <= self.start and self.end <= statement.end
            ):
                errors["statement"] = "The number's passage stands inside its statement's."
        if errors:
            raise ValidationError(errors)


class FormerSlug(models.Model):
    """A slug an event or an actor had before a correction renamed it: its old address
    answers 301 to the new one, forever (written on every rename, see below)."""

    slug = models.SlugField(max_length=160)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="former_slugs"
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="former_slugs"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=True, actor__isnull=False)
                | Q(event__isnull=False, actor__isnull=True),
                name="former_slug_of_one_record",
            ),
        ]
        indexes = [models.Index(fields=["slug"], name="former_slug_lookup")]

    def __str__(self):
        return f"{self.slug} → {self.event or self.actor}"


class Correction(models.Model):
    """A correction to a published event, listed on its page ("Corrected on 2 December
    2026: the dates of the clashes…"); saving it updates the event, so feeds carry it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="corrections")
    made_on = models.DateField("corrected on", default=datetime.date.today)
    note = models.CharField(
        max_length=500, help_text="What was corrected, in plain words, for readers."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "made_on", "pk"]

    def __str__(self):
        return f"Corrected on {format_date(self.made_on, Precision.DAY)}: {self.note}"


class SearchDocument(models.Model):
    """The words search looks in for one event, besides names: its title, its summary
    and its statements' texts, one per line, in one row, so that a search is one indexed
    lookup however the words are spread. Derived, never edited: written whenever an
    event or a statement is saved or deleted (the receivers below; fixtures too, whose
    rows are saved raw), and by ``generate_timeline`` in bulk.

    On PostgreSQL, migration 0007 gives the table a stored column of the text's words,
    ``words`` (a ``tsvector``, generated from ``text``, so never out of step with it),
    with a GIN index, which ``EventQuerySet.search`` asks; it is not a field here, as
    SQLite has no such type (there, search matches ``text`` anywhere). Stored rather
    than an index on an expression: a word in most events is read in a scan, which
    would parse every event's text again (3.5 s at 100,000 events)."""

    # Deleted with its event by the database, generate_timeline's raw deletes too. It
    # is only ever written in bulk, so no signal is ever sent for a derived row.
    event = models.OneToOneField(
        Event, on_delete=models.DB_CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField()

    def __str__(self):
        return f"Search document of event {self.event_id}"


def write_search_documents(events: models.QuerySet) -> None:
    """Write the search documents of ``events`` (a queryset of Event) anew from their
    titles, summaries and statements as they are now, in one statement: a few
    milliseconds for one event, 8 s for 100,000 on PostgreSQL (most of it parsing their
    words for the full-text index)."""
    connection = connections[events.db]
    # Statements in the order they were recorded where the database can say it (SQLite
    # can from 3.44): the order matters to nobody, but it keeps documents repeatable.
    ordered = {"order_by": "pk"} if connection.features.supports_aggregate_order_by_clause else {}
    as_text = models.TextField()
    lines = (
        Statement.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(
            lines=StringAgg(Concat(Value("\n"), "text", output_field=as_text), Value(""), **ordered)
        )
        .values("lines")
    )
    rows = events.order_by().values_list(
        "pk", Concat("title", Value("\n"), "summary", Subquery(lines), output_field=as_text)
    )
    select, params = rows.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    event, text = (connection.ops.quote_name(name) for name in ("event_id", "text"))
    with connection.cursor() as cursor:
        # "WHERE true", or SQLite could read ON CONFLICT as the ON of a join.
        cursor.execute(
            f"INSERT INTO {table} ({event}, {text}) SELECT * FROM ({select}) AS found"
            f" WHERE true ON CONFLICT ({event}) DO UPDATE SET {text} = excluded.{text}",
            params,
        )


class RecordChange(models.Model):
    """A change to the timeline's records that the ready counts (RecordCount) do not
    include yet: one row per transaction that changes them, written in it, so that it
    becomes visible at the very moment the change does, and deleted by the recount
    that counted it. While any row is here the ready counts are not read."""

    class Meta:
        verbose_name = "change not counted yet"

    def __str__(self):
        return f"Change {self.pk}, not counted yet"


class RecordVersion(models.Model):
    """The version of the records the ready counts were counted at: a number drawn at
    random by each recount, which the counts of filtered views kept in the cache are
    keyed by. Random, so that no other state of the records (one restored from a
    backup and edited again, a database emptied by the tests) ever reuses a number
    whose counts the cache may still hold. Recounts lock its one row, so they run one
    at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    number = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_record_version")]

    def __str__(self):
        return f"Version {self.number}"

    @staticmethod
    def draw() -> int:
        return secrets.randbelow(2**63)


class RecordCount(models.Model):
    """How many published events one choice of the chronology gives over the whole
    record, with no filter: the number of events, those of each year, kind and origin,
    and those of the busiest actors and places. Kept ready, so that `/` and
    `/events.json` never count the whole record on a reader's request: all rows are
    replaced together by each recount, right after a change commits. They are read
    only while no change awaits counting (RecordChange), so that they are current or
    not read at all, never stale."""

    class Facet(models.TextChoices):
        COUNT = "count", "Published events"
        AXIS = "axis", "Events in a year"
        KIND = "kind", "Events of a kind"
        ORIGIN = "origin", "Events reported by a source of an origin"
        ACTOR = "actor", "Events involving an actor"
        PLACE = "place", "Events at a place"

    facet = models.CharField(max_length=10, choices=Facet)
    key = models.CharField(
        max_length=120,
        blank=True,
        help_text="The year, kind or origin, or the actor's or place's slug; empty for the "
        "number of events.",
    )
    name = models.CharField(max_length=200, blank=True, help_text="The actor's or place's name.")
    n = models.PositiveIntegerField("events")

    objects = RecordCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facet", "key"], name="one_count_per_choice")
        ]

    def __str__(self):
        return f"{self.get_facet_display()} {self.key}: {self.n}" if self.key else f"{self.n}"


def events_left_unsourced(sources) -> EventQuerySet:
    """The published events that cite no source but ``sources`` (a queryset or a list):
    deleting those sources would leave them published without one."""
    if isinstance(sources, models.QuerySet):
        ids = sources.order_by().values("pk")
    else:
        ids = [source.pk for source in sources]
    others = Source.objects.exclude(pk__in=ids)
    return (
        Event.objects.published()
        .filter(sources__in=ids)
        .exclude(sources__in=others)
        .distinct()
        .order_by("date_start", "slug")
    )


def unsourcing_message(events) -> str:
    titles = "; ".join(f"“{event.title}”" for event in events)
    return (
        f"Deleting would leave published events without a source: {titles}. "
        "Give them another source, or make them drafts, first."
    )


@receiver(pre_delete, sender=Source, dispatch_uid="refuse-to-unsource-published-events")
def refuse_to_unsource_published_events(sender, instance, using, origin=None, **kwargs):
    """A source is not deleted while it is the only source of a published event (the
    events' list of sources is many-to-many, which no ``on_delete`` protects). Deleting
    several at once counts the others going with it. Like a database constraint, this
    refuses inside the delete's transaction; the admin asks first (SourceAdmin)."""
    deleting = origin if isinstance(origin, models.QuerySet) and origin.model is Source else None
    events = list(
        events_left_unsourced([instance] if deleting is None else deleting)
        .using(using)
        .filter(sources=instance)
    )
    if events:
        raise ProtectedError(
            f"“{instance}” cannot be deleted. {unsourcing_message(events)}", events
        )


# Search documents: every save or deletion of what they are made of writes them anew,
# at once, in the same transaction, fixtures' raw saves included.


@receiver(post_save, sender=Event, dispatch_uid="search-document-of-a-saved-event")
def event_saved(sender, instance, using, update_fields=None, **kwargs):
    if update_fields is not None and not {"title", "summary"} & set(update_fields):
        return  # its words did not change (a publication, say)
    write_search_documents(Event.objects.using(using).filter(pk=instance.pk))


@receiver(post_save, sender=Statement, dispatch_uid="search-document-of-a-saved-statement")
def statement_saved(sender, instance, using, update_fields=None, **kwargs):
    if update_fields is not None and not {"text", "event"} & set(update_fields):
        return
    events = {instance.event_id, getattr(instance, "_loaded_event_id", None)} - {None}
    write_search_documents(Event.objects.using(using).filter(pk__in=events))
    instance._loaded_event_id = instance.event_id


@receiver(post_delete, sender=Statement, dispatch_uid="search-document-of-a-deleted-statement")
def statement_deleted(sender, instance, using, origin=None, **kwargs):
    if isinstance(origin, Event) or (isinstance(origin, models.QuerySet) and origin.model is Event):
        return  # deleted with its event, whose document goes with it
    write_search_documents(Event.objects.using(using).filter(pk=instance.event_id))


# Statements' sort dates: their own date's start, else their occasion's, kept on every
# save (fixtures' raw saves included) and when an occasion's date changes.


@receiver(pre_save, sender=Statement, dispatch_uid="sort-date-of-a-statement")
def date_statement(sender, instance, using=None, **kwargs):
    if instance.dating == Statement.Dating.OWN and instance.said_start:
        instance.sort_date = instance.said_start
    elif instance.event_id:
        instance.sort_date = (
            Event.objects.using(using)
            .values_list("date_start", flat=True)
            .get(pk=instance.event_id)
        )


@receiver(post_save, sender=Event, dispatch_uid="sort-dates-of-an-occasion-s-statements")
def date_occasion_statements(sender, instance, using=None, **kwargs):
    Statement.objects.using(using).filter(event=instance).exclude(
        dating=Statement.Dating.OWN
    ).exclude(sort_date=instance.date_start).update(sort_date=instance.date_start)


# Renames: an event's or an actor's old slug is kept, so that its old address answers 301.


@receiver(pre_save, sender=Event, dispatch_uid="former-slug-of-an-event")
@receiver(pre_save, sender=Actor, dispatch_uid="former-slug-of-an-actor")
def note_former_slug(sender, instance, raw=False, using=None, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.using(using).filter(pk=instance.pk).values_list("slug", flat=True).first()
    instance._former_slug = old if old and old != instance.slug else None


@receiver(post_save, sender=Event, dispatch_uid="keep-former-slug-of-an-event")
@receiver(post_save, sender=Actor, dispatch_uid="keep-former-slug-of-an-actor")
def keep_former_slug(sender, instance, raw=False, using=None, **kwargs):
    old = getattr(instance, "_former_slug", None)
    if raw or not old:
        return
    field = "event" if sender is Event else "actor"
    FormerSlug.objects.using(using).create(slug=old, **{field: instance})
    instance._former_slug = None
