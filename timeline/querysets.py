"""Chainable queries named after the timeline's domain.

Views and templates say what they want (``Event.objects.published().involving(...)``)
and never repeat a filter condition of their own.
"""

import datetime
import re

from django.apps import apps
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Substr

# Kinds of event whose facts the sides dispute most: one origin's word is not enough.
CONTESTED_KINDS = ("hostilities", "ceasefire")


def _model(name):
    return apps.get_model("timeline", name)


def _ids_by_slug(model, slugs) -> list[int] | None:
    """The ids of the rows with these slugs, or None when one of them does not exist.

    Filters then name ids, not slugs through a join: PostgreSQL's statistics know how
    many events a given actor id has (thousands for the busiest, a handful for most) and
    pick a plan to suit, where through a join it would assume the average."""
    if not slugs:
        return []
    ids = dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    if any(slug not in ids for slug in slugs):
        return None
    return list(dict.fromkeys(ids[slug] for slug in slugs))  # each once, in order


# Word characters as PostgreSQL's text search parser splits them (it splits at "_").
WORD = re.compile(r"[^\W_]+")


class WordsMatch(Func):
    """PostgreSQL: true when the words of the given columns (joined by spaces) include words
    starting with each word of a search term. The same expression as the GIN indexes of
    migration 0004, so that they serve it."""

    output_field = BooleanField()

    def __init__(self, *columns, term: str):
        words = WORD.findall(term)
        # Each word quoted and marked as a prefix; WORD leaves nothing to escape.
        self.tsquery = " & ".join(f"'{word}':*" for word in words)
        super().__init__(*columns)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for column in self.get_source_expressions():
            sql, column_params = compiler.compile(column)
            parts.append(sql)
            params.extend(column_params)
        document = " || ' ' || ".join(parts)
        sql = f"to_tsvector('simple'::regconfig, {document}) @@ to_tsquery('simple'::regconfig, %s)"
        return sql, [*params, self.tsquery]


def _names_mentioning(term: str):
    """The events whose actors or places are named ``term``, in part, in any spelling."""
    actors = (
        _model("EventActor")
        .objects.filter(Q(actor__name__icontains=term) | Q(actor__aliases__icontains=term))
        .order_by()
        .values("event_id")
    )
    places = (
        _model("Event")
        .places.through.objects.filter(
            Q(place__name__icontains=term) | Q(place__aliases__icontains=term)
        )
        .order_by()
        .values("event_id")
    )
    return actors, places


def _events_mentioning_postgresql(term: str):
    """Ids of the events mentioning ``term``: one UNION, which PostgreSQL joins once
    (an OR of subqueries would be re-checked row by row)."""
    actors, places = _names_mentioning(term)
    if not WORD.search(term):
        return actors.union(places)
    # Unordered: each model's default order would sort its part of the union (the
    # statements' joins their sources for it), all for nothing.
    events = _model("Event").objects.filter(WordsMatch(F("title"), F("summary"), term=term))
    statements = _model("Statement").objects.filter(WordsMatch(F("text"), term=term))
    return (
        events.order_by()
        .values("pk")
        .union(statements.order_by().values("event_id"), actors, places)
    )


def _mentioning(term: str) -> Q:
    """The condition for events mentioning ``term`` anywhere, on any database."""
    statements = _model("Statement").objects.filter(event=OuterRef("pk"), text__icontains=term)
    actors = (
        _model("EventActor")
        .objects.filter(event=OuterRef("pk"))
        .filter(Q(actor__name__icontains=term) | Q(actor__aliases__icontains=term))
    )
    places = (
        _model("Event")
        .places.through.objects.filter(event=OuterRef("pk"))
        .filter(Q(place__name__icontains=term) | Q(place__aliases__icontains=term))
    )
    return (
        Q(title__icontains=term)
        | Q(summary__icontains=term)
        | Exists(statements)
        | Exists(actors)
        | Exists(places)
    )


def after_position(rows, date_field: str, key_field: str, cursor):
    """``rows``, ordered by (date, key), after the ``cursor`` (date, key) a page ended at."""
    if cursor is None:
        return rows
    date, key = cursor
    # The first condition is implied by the second; it lets the database start its
    # index scan at the cursor instead of filtering every earlier row.
    return rows.filter(**{f"{date_field}__gte": date}).filter(
        Q(**{f"{date_field}__gt": date}) | Q(**{date_field: date, f"{key_field}__gt": key})
    )


def can_preview(user) -> bool:
    """Whether ``user`` may see what is not public yet: signed-in, active staff."""
    return user is not None and user.is_active and user.is_staff


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication="published")

    def visible_to(self, user):
        """What a user may see: everything for staff, the published record for everyone else."""
        return self if can_preview(user) else self.published()

    def in_period(self, start: datetime.date | None = None, end: datetime.date | None = None):
        """Events whose dates overlap the period from ``start`` to ``end``, both inclusive."""
        qs = self
        if end is not None:
            qs = qs.filter(date_start__lte=end)
        if start is not None:
            qs = qs.alias(last_day=Coalesce("date_end", "date_start")).filter(last_day__gte=start)
        return qs

    def involving(self, *actors):
        """Events in which every one of the given actors (slugs) has a part."""
        ids = _ids_by_slug(_model("Actor"), actors)
        if ids is None:
            return self.none()
        return self._linked_to_all(_model("EventActor").objects, "actor_id", ids)

    def at_places(self, *places):
        """Events at every one of the given places (slugs)."""
        ids = _ids_by_slug(_model("Place"), places)
        if ids is None:
            return self.none()
        return self._linked_to_all(_model("Event").places.through.objects, "place_id", ids)

    def _linked_to_all(self, links, column: str, ids: list[int]):
        """Events with a link to every one of ``ids``. A few: one EXISTS each, so that the
        database can walk the chronology's index and stop after a page. More: one
        grouped subquery, as PostgreSQL's planning time grows fast with each EXISTS."""
        if len(ids) <= 4:
            qs = self
            for pk in ids:
                qs = qs.filter(Exists(links.filter(event=OuterRef("pk"), **{column: pk})))
            return qs
        linked = (
            links.filter(**{f"{column}__in": ids})
            .values("event_id")
            .annotate(n=Count(column, distinct=True))
            .filter(n=len(ids))
            .values("event_id")
        )
        return self.filter(pk__in=linked)

    # Curation: what needs an editor's eye.

    def with_source_counts(self):
        return self.annotate(
            source_count=Count("sources", distinct=True),
            statement_count=Count("statements", distinct=True),
            origin_count=Count("sources__origin", distinct=True),
        )

    def without_sources(self):
        return self.filter(
            ~Exists(_model("Event").sources.through.objects.filter(event=OuterRef("pk")))
        )

    def without_places(self):
        return self.filter(
            ~Exists(_model("Event").places.through.objects.filter(event=OuterRef("pk")))
        )

    def contested_on_one_origin(self):
        """Hostilities and ceasefires whose sources all carry one origin's account."""
        return (
            self.of_kind(*CONTESTED_KINDS)
            .annotate(origins=Count("sources__origin", distinct=True))
            .filter(origins=1)
        )

    def overdue_plans(self, today: datetime.date):
        """Planned events whose dates have passed: did they happen?"""
        return (
            self.filter(status="planned")
            .alias(last_day=Coalesce("date_end", "date_start"))
            .filter(last_day__lt=today)
        )

    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds) if kinds else self

    def reported_by_origin(self, *origins):
        """Events reported by at least one source carrying one of the given origins."""
        if not origins:
            return self
        links = _model("Event").sources.through.objects.filter(
            event=OuterRef("pk"), source__origin__in=origins
        )
        return self.filter(Exists(links))

    def search(self, query: str):
        """Events whose words, statements, actors or places contain every term of ``query``.

        On PostgreSQL the words of titles, summaries and statements are matched by
        full-text search (each term as the start of a word, in any case), served by the
        GIN indexes of migration 0004; names and aliases, a few thousand short rows, are
        matched anywhere. Elsewhere (SQLite, the embedded default) every term is matched
        anywhere in the same fields.
        """
        qs = self
        for term in query.split():
            if connections[self.db].vendor == "postgresql":
                qs = qs.filter(pk__in=_events_mentioning_postgresql(term))
            else:
                qs = qs.filter(_mentioning(term))
        return qs

    def ids_matching(self, query: str) -> set[int]:
        """The ids of these events that ``search(query)`` keeps, one query per term; on
        PostgreSQL each asks the GIN indexes alone, unjoined to the rest of the filters
        (the chronology's index of the record applies those: timeline/record_index.py)."""
        found = None
        for term in query.split():
            if connections[self.db].vendor == "postgresql":
                rows = _events_mentioning_postgresql(term).using(self.db).order_by()
                ids = {pk for row in rows for pk in row.values()}
            else:
                ids = set(self.filter(_mentioning(term)).values_list("pk", flat=True))
            found = ids if found is None else found & ids
        return found or set()

    def chronological(self):
        # (date_start, slug) is unique, so it orders pages by keyset without gaps.
        return self.order_by("date_start", "slug")

    def after(self, cursor: tuple[datetime.date, str] | None):
        """The events after a page that ended at ``cursor`` (its last event's date and slug)."""
        return after_position(self, "date_start", "slug", cursor)

    # Facets: how many of these events each choice would give, one query each.

    def count_by_year(self) -> dict[int, int]:
        """Events per year they overlap, so a year's count is what filtering by it shows."""
        spans = (
            self.order_by()
            .values(
                first=ExtractYear("date_start"),
                last=ExtractYear(Coalesce("date_end", "date_start")),
            )
            .annotate(n=Count("pk"))
        )
        counts: dict[int, int] = {}
        for span in spans:
            for year in range(span["first"], span["last"] + 1):
                counts[year] = counts.get(year, 0) + span["n"]
        return counts

    def count_by_kind(self) -> dict[str, int]:
        rows = self.order_by().values("kind").annotate(n=Count("pk"))
        return {row["kind"]: row["n"] for row in rows}

    def count_by_origin(self) -> dict[str, int]:
        links = _model("Event").sources.through.objects.filter(
            event__in=self.order_by().values("pk")
        )
        rows = links.values("source__origin").annotate(n=Count("event", distinct=True))
        return {row["source__origin"]: row["n"] for row in rows}

    def count_by_actor(self, limit: int | None = None, excluding=None) -> list[dict]:
        """Events per actor, most first (``actor__slug``, ``actor__name``, ``n``), leaving
        out the actor ``excluding``. An actor has one role per event, so plain counts of
        roles need no DISTINCT. Names come by a join, grouped with the id: subqueries
        for them were run for every role before grouping (at 100,000 events, five
        times slower)."""
        roles = _model("EventActor").objects
        if excluding is not None:
            roles = roles.exclude(actor=excluding)
        return self._count_linked(roles, "actor", limit)

    def count_by_place(self, limit: int | None = None) -> list[dict]:
        """Events per place, most first, counted as ``count_by_actor`` counts."""
        through = _model("Event").places.through.objects
        return self._count_linked(through, "place", limit)

    def _count_linked(self, links, name: str, limit):
        rows = (
            links.filter(event__in=self.order_by().values("pk"))
            .values(f"{name}_id", f"{name}__slug", f"{name}__name")
            .annotate(n=Count("pk"))
            .order_by("-n", f"{name}__name")
            .values(f"{name}__slug", f"{name}__name", "n")
        )
        return list(rows[:limit] if limit else rows)

    def neighbours(self, event):
        """The events just before and after ``event`` in the chronology (either may be None)."""
        # date_start__lte is implied; it bounds the index scan (see after()).
        before = (
            self.filter(date_start__lte=event.date_start)
            .filter(
                Q(date_start__lt=event.date_start)
                | Q(date_start=event.date_start, slug__lt=event.slug)
            )
            .order_by("-date_start", "-slug")
        )
        after = self.after((event.date_start, event.slug)).chronological()
        return before.first(), after.first()

    def with_statement_count(self):
        """Each event with ``statement_count``, the number of its statements."""
        return self.annotate(statement_count=_statement_count())


def add_listing_details(events: list, using: str) -> None:
    """Give each of ``events`` (fetched with ``with_statement_count()``) what a chronology
    entry and the JSON export show besides its own columns, as plain lists of dicts, in
    three queries: ``listed_roles`` (``role`` and its ``role_label``, the actor's
    ``slug``, ``name`` and ``url``), ``listed_places`` (``slug``, ``name``) and
    ``listed_sources`` (``slug``, ``outlet`` and its ``label``, ``headline``,
    ``published``, ``origin`` and its ``origin_label``, ``url``), each in the order of
    its model; an event's page shows them too. Only the columns shown (a source's text
    is a whole document), and no model instances: at 100,000 events, Django's
    prefetching of a page's twenty events took longer than the page's template."""
    from timeline.models import slug_path  # the models use this module

    ids = [event.pk for event in events]
    roles, places, sources = {}, {}, {}
    role_labels = dict(_model("EventActor").Role.choices)
    origin_labels = dict(_model("Source")._meta.get_field("origin").flatchoices)
    found = (
        _model("EventActor")
        .objects.using(using)
        .filter(event__in=ids)
        .order_by("role", "actor__name")
        .values_list("event_id", "role", "actor__slug", "actor__name")
    )
    for event, role, slug, name in found:
        roles.setdefault(event, []).append(
            {
                "role": role,
                "role_label": str(role_labels.get(role, role)),
                "slug": slug,
                "name": name,
                "url": slug_path("timeline:actor", slug),
            }
        )
    found = (
        _model("Event")
        .places.through.objects.using(using)
        .filter(event__in=ids)
        .order_by("place__name")
        .values_list("event_id", "place__slug", "place__name")
    )
    for event, slug, name in found:
        places.setdefault(event, []).append({"slug": slug, "name": name})
    labels = {}  # by outlet, as the model gives it
    found = (
        _model("Event")
        .sources.through.objects.using(using)
        .filter(event__in=ids)
        .order_by(F("source__published").asc(nulls_first=True), "source__slug")
        .values_list(
            "event_id",
            "source__slug",
            "source__outlet",
            "source__headline",
            "source__published",
            "source__origin",
        )
    )
    for event, slug, outlet, headline, published, origin in found:
        sources.setdefault(event, []).append(
            {
                "slug": slug,
                "outlet": outlet,
                "label": labels.get(outlet)
                or labels.setdefault(outlet, _model("Source")(outlet=outlet).outlet_label),
                "headline": headline,
                "published": published,
                "origin": origin,
                "origin_label": str(origin_labels.get(origin, origin)),
                "url": slug_path("timeline:source", slug),
            }
        )
    for event in events:
        event.listed_roles = roles.get(event.pk, [])
        event.listed_places = places.get(event.pk, [])
        event.listed_sources = sources.get(event.pk, [])


def _statement_count():
    """An event's statements, counted by a subquery: a page asks it for its 20 events
    only, where a JOIN and GROUP BY would count every matching event's before the LIMIT."""
    statements = (
        _model("Statement")
        .objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(statements), 0)


class PublicRecordQuerySet(models.QuerySet):
    """Rows that readers may see only while a published event shows them: until then
    their pages are not found and filters do not know them, as if they did not exist."""

    def public_condition(self) -> Q:
        """What makes a row public (each subclass says)."""
        raise NotImplementedError

    def public(self):
        return self.filter(self.public_condition())

    def visible_to(self, user):
        """What a user may see: everything for staff (a preview), the public rows for others."""
        return self if can_preview(user) else self.public()

    def with_publicity(self):
        """Each row with ``is_public``, so that a staff preview can say it is one."""
        return self.annotate(
            is_public=ExpressionWrapper(self.public_condition(), output_field=BooleanField())
        )

    def visible_with_publicity(self, user):
        """``visible_to(user)``, each row with ``is_public``. A reader sees public rows
        only, so theirs are public without asking: the condition, a few EXISTS over the
        published events, is in their queries once, not twice."""
        if can_preview(user):
            return self.with_publicity()
        return self.public().annotate(is_public=Value(True, output_field=BooleanField()))


def _published_events():
    return _model("Event").objects.published().values("pk")


class ActorQuerySet(PublicRecordQuerySet):
    def public_condition(self) -> Q:
        """An actor is public when a published event shows it: it has a part (a role) in
        the event, or speaks in or is addressed by one of the event's statements. Nothing
        else makes it public: an affiliation, a draft, or a statement of a draft."""
        events = _published_events()
        roles = _model("EventActor").objects.filter(actor=OuterRef("pk"), event__in=events)
        spoken = _model("Statement").objects.filter(speaker=OuterRef("pk"), event__in=events)
        addressed = _model("Statement").addressees.through.objects.filter(
            actor=OuterRef("pk"), statement__event__in=events
        )
        return Q(Exists(roles)) | Q(Exists(spoken)) | Q(Exists(addressed))

    def members_of(self, actor):
        """The actors that belong to ``actor`` (its affiliation), by name."""
        return self.filter(affiliation=actor).order_by("name")

    def missing_details(self):
        """People without an office or an institution, and bodies without the state
        or organisation they belong to."""
        belongs = ["government-body", "armed-forces"]
        return self.filter(
            Q(kind="person", office="")
            | Q(kind="person", affiliation__isnull=True)
            | Q(kind__in=belongs, affiliation__isnull=True)
        )


class SourceQuerySet(PublicRecordQuerySet):
    def public_condition(self) -> Q:
        """A source is public when a published event cites it or quotes from it."""
        events = _published_events()
        cited = _model("Event").sources.through.objects.filter(
            source=OuterRef("pk"), event__in=events
        )
        quoted = _model("Statement").objects.filter(source=OuterRef("pk"), event__in=events)
        return Q(Exists(cited)) | Q(Exists(quoted))


class PlaceQuerySet(PublicRecordQuerySet):
    def public_condition(self) -> Q:
        """A place is public when a published event happens there."""
        events = _published_events()
        return Q(
            Exists(
                _model("Event").places.through.objects.filter(
                    place=OuterRef("pk"), event__in=events
                )
            )
        )


class StatementQuerySet(models.QuerySet):
    def unanchored(self):
        """Statements whose text no longer stands at their offsets in their source."""
        return self.annotate(
            passage=Substr("source__text", F("start") + 1, F("end") - F("start"))
        ).exclude(passage=F("text"))

    def published(self):
        return self.filter(event__publication="published")

    def by(self, actor):
        return self.filter(speaker=actor)

    def about(self, events):
        return self.filter(event__in=[event.pk for event in events])

    def in_source(self, source):
        return self.filter(source=source)

    def in_pages(self):
        """By their event's date, then as recorded: an order that pages by keyset."""
        return self.order_by("event__date_start", "pk")

    def after(self, cursor: tuple[datetime.date, int] | None):
        """The statements after a page that ended at ``cursor`` (its event's date, its id)."""
        return after_position(self, "event__date_start", "pk", cursor)

    def in_source_order(self):
        return self.order_by("source__published", "source__slug", "start")

    def in_text_order(self):
        """Within one source, as their passages stand in its text: an order that pages by
        keyset (a source records a passage once)."""
        return self.order_by("start", "end")

    def outermost_first(self):
        """As their passages stand in the text, a passage before those inside it: the
        order in which highlighting opens them."""
        return self.order_by("start", "-end")

    def after_passage(self, cursor: tuple[int, int] | None):
        """The statements after a page that ended at the passage ``cursor`` (start, end)."""
        return after_position(self, "start", "end", cursor)


class RecordCountQuerySet(models.QuerySet):
    def current(self):
        """The ready counts, each with the ``version`` of the records they were counted at,
        while no change awaits counting; none otherwise (in one query, so that the counts
        and whether they are current are read at the same moment)."""
        waiting = _model("RecordChange").objects.all()
        version = _model("RecordVersion").objects.values("number")[:1]
        return self.filter(~Exists(waiting)).annotate(version=Subquery(version))
