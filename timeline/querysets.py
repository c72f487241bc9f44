"""Chainable queries named after the timeline's domain.

Views and templates say what they want (``Event.objects.published().involving(...)``)
and never repeat a filter condition of their own.
"""

import datetime
import re
from dataclasses import dataclass, field

import numpy as np
from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Substr
from django.urls import reverse

from timeline.lookups import contains_pattern, contains_sql

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
    """PostgreSQL: true when a search document's words (the ``words`` column that
    migration 0007 gives its table) include words starting with each word of every one
    of ``terms``: one lookup in that column's GIN index, however many terms."""

    output_field = BooleanField()

    def __init__(self, text, *, terms: list[str]):
        words = [word for term in terms for word in WORD.findall(term)]
        # Each word quoted and marked as a prefix; WORD leaves nothing to escape.
        self.tsquery = " & ".join(f"'{word}':*" for word in words)
        super().__init__(text)

    def as_sql(self, compiler, connection, **extra):
        # The column beside the document's text, in the same table (by its alias).
        (text,) = self.get_source_expressions()
        table = compiler.quote_name(text.alias)
        words = connection.ops.quote_name("words")
        return f"{table}.{words} @@ to_tsquery('simple'::regconfig, %s)", [self.tsquery]


class TextWordsMatch(WordsMatch):
    """PostgreSQL: as WordsMatch, of the words of a text column itself, parsed as the
    GIN index ``statement_words`` on ``to_tsvector('simple', text)`` parses them
    (migration 0018), so that the index answers it."""

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        words = f"to_tsvector('simple'::regconfig, {sql})"
        return f"{words} @@ to_tsquery('simple'::regconfig, %s)", [*params, self.tsquery]


@dataclass
class Term:
    """One term of a search, with the actors and places whose names or aliases contain
    it (the ids and slugs of each)."""

    text: str
    actors: list[tuple[int, str]] = field(default_factory=list)
    places: list[tuple[int, str]] = field(default_factory=list)

    @property
    def names_something(self) -> bool:
        return bool(self.actors or self.places)

    @property
    def has_words(self) -> bool:
        return bool(WORD.search(self.text))


def _terms(query: str, using: str, index=None) -> list[Term]:
    """The terms of ``query``, each once, with what each names: the actors and places
    with the term anywhere in a name or an alias, in any case and any script
    (timeline/lookups.py). A few thousand short rows, read in one query for all the terms,
    or kept by the record's ``index``; their events are found by id, later. The query is
    written here: the ORM took longer to build its union than the database to answer it."""
    terms = [Term(text) for text in dict.fromkeys(query.split())]
    if not terms:
        return []
    if index is not None:
        for term in terms:
            term.actors, term.places = index.named_by(term.text)
        return terms
    connection = connections[using]
    quote = connection.ops.quote_name
    selects, params = [], []
    for number, term in enumerate(terms):
        pattern = contains_pattern(term.text, connection)
        for kind in ("Actor", "Place"):
            table = quote(_model(kind)._meta.db_table)
            names = ("name", "aliases", "other_aliases")
            conditions = " OR ".join(contains_sql(quote(column), connection) for column in names)
            selects.append(f"SELECT {number}, '{kind}', id, slug FROM {table} WHERE {conditions}")
            params += [pattern] * len(names)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for number, kind, pk, slug in cursor.fetchall():
            getattr(terms[number], "actors" if kind == "Actor" else "places").append((pk, slug))
    return terms


def _documents(using: str):
    return _model("SearchDocument").objects.using(using).order_by()


class AnyOf(Func):
    """PostgreSQL: true when the column holds one of ``ids``, sent as one array
    parameter (rather than one parameter each)."""

    output_field = BooleanField()

    def __init__(self, column, ids: list[int]):
        self.ids = ids
        super().__init__(column)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s::bigint[])", [*params, self.ids]


# Up to this many events found so far, a term's documents are read among them only
# (PostgreSQL): naming a few thousand ids costs less than reading tens of thousands of
# documents (at 100,000 events, "lachin road" took 55 ms rather than 150: "road" is in
# 52,000 documents).
FEW_IDS = 5_000


def _saying(terms: list[Term], using: str) -> Q:
    """The condition for the search documents with every one of ``terms``: its words
    (PostgreSQL: all the terms in one lookup of the GIN index) or anywhere (elsewhere)."""
    if connections[using].vendor != "postgresql":
        return Q(*(Q(text__ucontains=term.text) for term in terms))
    if any(not term.has_words for term in terms):
        return Q(pk__in=[])  # no word to look for: no document has it
    return Q(WordsMatch(F("text"), terms=[term.text for term in terms]))


def _saying_ids(terms: list[Term], using: str, words=None, among=None) -> np.ndarray:
    """The ids of the events whose search documents have every one of ``terms``'s words
    (as ``_saying`` finds them): from the index of the documents' ``words``
    (timeline/word_index.py) when there is one and it can answer, else from the
    database, there among the events ``among`` only, when given (PostgreSQL)."""
    if words is not None:
        if any(not term.has_words for term in terms):
            return np.zeros(0, np.int64)  # no word to look for: no document has it
        found = words.having_all([word for term in terms for word in WORD.findall(term.text)])
        if found is not None:
            return found
    saying = _documents(using).filter(_saying(terms, using))
    if among is not None and connections[using].vendor == "postgresql":
        saying = saying.filter(AnyOf(F("event_id"), among.tolist()))
    return _fetch_ids(saying.values_list("pk"))


def _linked(term: Term, using: str):
    """The links (their event ids) of the actors and places ``term`` names."""
    found = []
    if term.actors:
        actors = [pk for pk, _ in term.actors]
        found.append(_model("EventActor").objects.using(using).filter(actor__in=actors))
    if term.places:
        places = [pk for pk, _ in term.places]
        found.append(_model("Event").places.through.objects.using(using).filter(place__in=places))
    rows = [links.order_by().values_list("event_id") for links in found]
    return rows[0].union(*rows[1:], all=True).order_by()


def _fetch_ids(rows, chunk: int = 50_000) -> np.ndarray:
    """The ids that ``rows`` (a ``values_list`` of one column) selects, as an array: not
    a Python object per row through the ORM (``fetch_columns``). At 100,000 events, a
    word in 16,000 documents took 21 ms to fetch row by row."""
    return fetch_columns(rows, chunk=chunk)[0]


def fetch_columns(rows, *, days=(), chunk: int = 50_000) -> list[np.ndarray]:
    """The columns of ``rows`` (a ``values_list`` of 32-bit integers, ids say, and of dates,
    those numbered in ``days``), each as an array of int64, a date as its ordinal
    (``date.toordinal()``). PostgreSQL sends each column as one value, the binary form
    of an array of 32-bit integers; elsewhere the rows are fetched ``chunk`` at a time,
    so that a million ids are never a million Python rows at once."""
    connection = connections[rows.db]
    width = len(rows._fields)
    try:
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return [np.zeros(0, np.int64) for _ in range(width)]
    names = [f"c{number}" for number in range(width)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An ordinal is the days since 1 January of year 1, which is day 1.
            each = (
                f"({name} - DATE '0001-01-01' + 1)" if number in days else name
                for number, name in enumerate(names)
            )
            arrays = ", ".join(f"array_send(array_agg({column}::int4))" for column in each)
            cursor.execute(f"SELECT {arrays} FROM ({sql}) AS found({', '.join(names)})", params)
            return [_from_array_send(data) for data in cursor.fetchone()]
        parts = [[] for _ in names]
        as_date = models.DateField().to_python  # SQLite's rows may give text
        cursor.execute(sql, params)
        while found := cursor.fetchmany(chunk):
            for number, part in enumerate(parts):
                values = (row[number] for row in found)
                if number in days:
                    values = (as_date(value).toordinal() for value in values)
                part.append(np.fromiter(values, np.int64, len(found)))
    return [np.concatenate(part) if part else np.zeros(0, np.int64) for part in parts]


def _from_array_send(data: bytes | None) -> np.ndarray:
    """A one-dimensional int4[] in PostgreSQL's binary form (``array_send``; None for
    no rows) as int64s. The form: the number of dimensions, a flag, the element type,
    then each dimension's length and lower bound, then each element as its length (4)
    and its value, all big-endian 32-bit."""
    if data is None:
        return np.zeros(0, np.int64)
    words = np.frombuffer(data, dtype=">i4")
    dimensions = int(words[0])
    return words[3 + 2 * dimensions :][1::2].astype(np.int64)


def _linked_in_index(term: Term, index) -> np.ndarray:
    """The ids of the published events linked to the actors and places ``term`` names,
    from the links of the record's ``index`` (RecordIndex): slices of its arrays."""
    linked = index.actors.having_any([slug for _, slug in term.actors], index.size)
    linked |= index.places.having_any([slug for _, slug in term.places], index.size)
    return index.ids[np.flatnonzero(linked)].astype(np.int64)


def after_position(rows, date_field: str, key_field: str, cursor, *, descending=False):
    """``rows``, ordered by (date, key), after the ``cursor`` (date, key) a page ended at;
    ``descending``: ordered the other way, so the rows before it."""
    if cursor is None:
        return rows
    date, key = cursor
    bound, beyond = ("lte", "lt") if descending else ("gte", "gt")
    # The first condition is implied by the second; it lets the database start its
    # index scan at the cursor instead of filtering every earlier row.
    return rows.filter(**{f"{date_field}__{bound}": date}).filter(
        Q(**{f"{date_field}__{beyond}": date})
        | Q(**{date_field: date, f"{key_field}__{beyond}": key})
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

    def concerning_unlinked_events(self):
        """Events with a statement that concerns another event they have no link with
        (either way): the documents may say how the two are related."""
        concerns = _model("Statement").concerns.through.objects.filter(
            statement__event=OuterRef("pk")
        )
        # Inside the concerns' subquery: OuterRef("event") is the concerned event,
        # OuterRef(OuterRef("pk")) this one.
        links = _model("EventLink").objects.filter(
            Q(from_event=OuterRef(OuterRef("pk")), to_event=OuterRef("event"))
            | Q(to_event=OuterRef(OuterRef("pk")), from_event=OuterRef("event"))
        )
        return self.filter(Exists(concerns.filter(~Exists(links))))

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

        The words of an event's title, summary and statements are in its search
        document (SearchDocument), one row per event. On PostgreSQL they are matched by
        full-text search (each term as the start of a word, in any case), all the terms
        at once in the GIN index of the documents' words; elsewhere (SQLite, the embedded
        default) each term is matched anywhere in the document. Names and aliases of
        actors and places, a few thousand short rows, are matched anywhere on every
        database: they are read first, and a term that names one matches its events too.
        """
        using, qs = self.db, self
        terms = _terms(query, using)
        if plain := [term for term in terms if not term.names_something]:
            qs = qs.filter(pk__in=_documents(using).filter(_saying(plain, using)).values("pk"))
        for term in terms:
            if term.names_something:
                # One UNION (an OR of subqueries would be checked for every event), its
                # documents with the other terms' words too: fewer to read.
                words = _documents(using).filter(_saying([*plain, term], using))
                union = words.values_list("pk").union(_linked(term, using)).order_by()
                qs = qs.filter(pk__in=union)
        return qs

    def ids_matching(self, query: str, index=None) -> np.ndarray:
        """The ids of these events that ``search(query)`` keeps, each once (int64).

        Without ``index``, in the one query ``search`` makes. With ``index``, the
        record's index of the published events, asked of the search documents alone,
        unjoined to the rest of these events' filters, for the index applies those
        (timeline/record_index.py; these events are published ones, at most): the
        events of the actors and places a term names are the index's links, not a
        query; the documents are asked once for the terms that name nothing (all
        together: on PostgreSQL, one lookup in the GIN index), and once for each term
        that names something, with those others or among the few events found so far
        (fewer documents to read); the rest is done on arrays. On PostgreSQL, the
        documents' words kept in memory for the index's version answer for the
        documents when they can (timeline/word_index.py): then no query is made."""
        from timeline import word_index  # it reads SearchDocument, which this module serves

        using = self.db
        if index is None:
            return _fetch_ids(self.search(query).order_by().values_list("pk"))
        terms = _terms(query, using, index)
        if not terms:
            return np.zeros(0, np.int64)
        words = word_index.for_version(index.version, using)
        plain = [term for term in terms if not term.names_something]
        found = None
        if plain:
            found = _saying_ids(plain, using, words)
        # The names with the fewest events first: then the events found so far are few.
        named = sorted(
            ((term, _linked_in_index(term, index)) for term in terms if term.names_something),
            key=lambda pair: len(pair[1]),
        )
        for term, linked in named:
            if found is not None and not found.size:
                break
            few = found is not None and not plain and len(found) <= FEW_IDS
            saying = _saying_ids([*plain, term], using, words, among=found if few else None)
            ids = np.union1d(saying, linked)
            found = ids if found is None else np.intersect1d(found, ids, assume_unique=True)
        return found

    def chronological(self, *, newest: bool = False):
        # (date_start, slug) is unique, so it orders pages by keyset without gaps.
        return (
            self.order_by("-date_start", "-slug") if newest else self.order_by("date_start", "slug")
        )

    def latest_changes(self):
        """The most recently published or changed first, as a feed lists them (read in
        that order from the index event_latest_change)."""
        return self.order_by("-updated", "-pk")

    def after(self, cursor: tuple[datetime.date, str] | None, *, newest: bool = False):
        """The events after a page that ended at ``cursor`` (its last event's date and
        slug), in chronological order or, ``newest`` first, in the reverse."""
        return after_position(self, "date_start", "slug", cursor, descending=newest)

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

    def count_by_month(self, year: int) -> dict[int, int]:
        """Events per month of ``year`` they overlap (1 to 12), so a month's count is
        what filtering by it shows: the dates of the events in that year, counted here."""
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        spans = (
            self.in_period(start, end)
            .order_by()
            .values_list("date_start", Coalesce("date_end", "date_start"))
        )
        counts: dict[int, int] = {}
        for first, last in spans:
            first, last = max(first, start), min(last, end)
            for month in range(first.month, last.month + 1):
                counts[month] = counts.get(month, 0) + 1
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

    def count_by_actor(self, limit: int | None = None) -> list[dict]:
        """Events per actor, most first (``actor__slug``, ``actor__name``, ``n``). An
        actor has one role per event, so plain counts of roles need no DISTINCT. Names
        come by a join, grouped with the id: subqueries for them were run for every role
        before grouping (at 100,000 events, five times slower)."""
        return self._count_linked(_model("EventActor").objects, "actor", limit)

    def counterparts(self, actor, limit: int | None = None) -> list[dict]:
        """The actors with the most of these events beside ``actor``, as
        ``count_by_actor`` gives them: not ``actor``, nor the bodies it belongs to (its
        affiliation, and theirs in turn), nor those that belong to it, nor news
        outlets, which report on events rather than take part in them."""
        bodies, body = [], actor.affiliation
        while body is not None and body.pk != actor.pk and body.pk not in bodies:
            bodies.append(body.pk)
            body = body.affiliation
        roles = (
            _model("EventActor")
            .objects.exclude(actor__in=[actor.pk, *bodies])
            .exclude(actor__affiliation=actor)
            .exclude(actor__kind=_model("Actor").Kind.MEDIA)
        )
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
    one query: ``listed_roles`` (``role`` and its ``role_label``, the actor's ``slug``,
    ``name`` and ``url``), ``listed_places`` (``slug``, ``name``, and ``url``: the chronology
    of its events) and ``listed_sources``
    (``slug``, ``outlet`` and its ``label``, ``headline``, ``published``, ``origin`` and
    its ``origin_label``, ``url``), each in the order of its model; an event's page shows
    them too. Only the columns shown (a source's text is a whole document), and no model
    instances: at 100,000 events, Django's prefetching of a page's twenty events took
    longer than the page's template. The query is written here (``_listing_rows``): the
    ORM took longer to build it than the database to answer it."""
    from timeline.models import slug_path  # the models use this module

    source = _model("Source")
    listed = {event.pk: ([], [], []) for event in events}
    place_filter = reverse("timeline:chronology") + "?place="  # a place has no page: its events
    role_labels = {value: str(label) for value, label in _model("EventActor").Role.choices}
    origin_labels = {
        value: str(label) for value, label in source._meta.get_field("origin").flatchoices
    }
    as_date = source._meta.get_field("published").to_python  # SQLite's rows give text
    labels = {}  # by outlet, as the model gives it
    for what, pk, role, slug, name, outlet, headline, published, origin in _listing_rows(
        using, list(listed)
    ):
        if what == ACTOR:
            listed[pk][0].append(
                {
                    "role": role,
                    "role_label": role_labels.get(role, role),
                    "slug": slug,
                    "name": name,
                    "url": slug_path("timeline:actor", slug),
                }
            )
        elif what == PLACE:
            listed[pk][1].append({"slug": slug, "name": name, "url": place_filter + slug})
        else:
            listed[pk][2].append(
                {
                    "slug": slug,
                    "outlet": outlet,
                    "label": labels.get(outlet)
                    or labels.setdefault(outlet, source(outlet=outlet).outlet_label),
                    "headline": headline,
                    "published": as_date(published),
                    "origin": origin,
                    "origin_label": origin_labels.get(origin, origin),
                    "url": slug_path("timeline:source", slug),
                }
            )
    for row in events:
        row.listed_roles, row.listed_places, row.listed_sources = listed[row.pk]


# What each row of ``_listing_rows`` is a link to.
ACTOR, PLACE, SOURCE = 0, 1, 2
# A date column's None in a UNION (PostgreSQL takes a bare NULL for text).
NO_DATE = "CAST(NULL AS DATE)"


def _listing_rows(using: str, ids: list[int]):
    """The actors, places and sources of the events ``ids``, in one UNION: rows of (what,
    event id, role, slug, name, outlet, headline, published, origin), None where a
    column is not the link's. Actors in the order of their role, then name; places by
    name; sources by date published (undated first), then slug. The column names are
    the models' own, which need no quoting on either database."""
    if not ids:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    event = _model("Event")
    each = ", ".join(["%s"] * len(ids))

    def links(what: int, table, target: str, columns: str) -> str:
        targets = quote(_model(target.capitalize())._meta.db_table)
        return (
            f"SELECT {what}, l.event_id, {columns} FROM {quote(table._meta.db_table)} l"
            f" JOIN {targets} t ON t.id = l.{target}_id WHERE l.event_id IN ({each})"
        )

    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([
                links(ACTOR, _model("EventActor"), "actor",
                      f"l.role, t.slug, t.name, NULL, NULL, {NO_DATE}, NULL"),
                links(PLACE, event.places.through, "place",
                      f"NULL, t.slug, t.name, NULL, NULL, {NO_DATE}, NULL"),
                links(SOURCE, event.sources.through, "source",
                      "NULL, t.slug, NULL, t.outlet, t.headline, t.published, t.origin"),
            ])
            + " ORDER BY 1, 3, 5, 8 NULLS FIRST, 4",
            ids * 3,
        )  # fmt: skip
        return cursor.fetchall()


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

    def first_public_ids(self, count: int, chunk: int = 200) -> list[int]:
        """The ids of the first ``count`` public rows, in this queryset's order, read a
        chunk at a time and each chunk's asked whether it is public: the condition asked
        of the whole table before its order (an EXISTS a row) took a quarter of a
        second for 5,000 sources, asked of a chunk's ids it looks each up."""
        found, offset = [], 0
        while len(found) < count:
            ids = list(self.values_list("pk", flat=True)[offset : offset + chunk])
            public = set(
                self.model.objects.public().filter(pk__in=ids).values_list("pk", flat=True)
            )
            found += [pk for pk in ids if pk in public]
            if len(ids) < chunk:
                break
            offset += chunk
        return found[:count]

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
        the event, or speaks in, is addressed by or relays one of the event's statements.
        Nothing else makes it public: an affiliation, a draft, or a statement of a draft."""
        events = _published_events()
        roles = _model("EventActor").objects.filter(actor=OuterRef("pk"), event__in=events)
        spoken = _model("Statement").objects.filter(speaker=OuterRef("pk"), event__in=events)
        addressed = _model("Statement").addressees.through.objects.filter(
            actor=OuterRef("pk"), statement__event__in=events
        )
        relayed = _model("Relay").objects.filter(actor=OuterRef("pk"), statement__event__in=events)
        return Q(Exists(roles)) | Q(Exists(spoken)) | Q(Exists(addressed)) | Q(Exists(relayed))

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

    def with_coverage(self):
        """Each source with what the published record draws from it: ``event_count``
        (the published events citing it), ``first_event`` and ``last_event`` (the start
        of the earliest and of the latest of them), ``statement_count``."""
        published = Q(events__publication="published")
        statements = (
            _model("Statement")
            .objects.filter(source=OuterRef("pk"), event__in=_published_events())
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            event_count=Count("events", filter=published),
            first_event=Min("events__date_start", filter=published),
            last_event=Max("events__date_start", filter=published),
            statement_count=Coalesce(Subquery(statements), 0),
        )


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


class QuantityQuerySet(models.QuerySet):
    def unanchored(self):
        """Numbers whose passage no longer stands at their offsets in their source."""
        return self.annotate(
            passage=Substr("source__text", F("start") + 1, F("end") - F("start"))
        ).exclude(passage=F("text"))


class StatementQuerySet(models.QuerySet):
    def unanchored(self):
        """Statements whose text no longer stands at their offsets in their source."""
        return self.annotate(
            passage=Substr("source__text", F("start") + 1, F("end") - F("start"))
        ).exclude(passage=F("text"))

    def published(self):
        return self.filter(event__publication="published")

    def visible_to(self, user):
        """What a user may see: everything for staff (a preview), the published record's
        statements for everyone else."""
        return self if can_preview(user) else self.published()

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

    # The lists of statements (/statements/, /commitments/): what their filters ask.

    def demands_and_commitments(self):
        """Those that ask something of someone or promise something."""
        Statement = _model("Statement")
        return self.filter(speech_act__in=sorted(Statement.ASKS | Statement.PROMISES))

    def saying(self, query: str):
        """Those whose text has every word of ``query``: on PostgreSQL each as the start of
        a word, in any case (as a search of events matches its words); elsewhere anywhere,
        in any case."""
        terms = list(dict.fromkeys(query.split()))
        if not terms:
            return self
        if connections[self.db].vendor != "postgresql":
            return self.filter(*(Q(text__ucontains=term) for term in terms))
        if any(not WORD.search(term) for term in terms):
            return self.none()  # no word to look for: no statement has it
        return self.filter(TextWordsMatch(F("text"), terms=terms))

    def ids_saying(self, query: str) -> np.ndarray:
        """The ids of those ``saying(query)``, each once (int64), in one query."""
        return _fetch_ids(self.saying(query).order_by().values_list("pk"))

    def spoken_by(self, *actors):
        """Those said by every one of the given actors (slugs): a statement has one speaker,
        so two of them give none."""
        ids = _ids_by_slug(_model("Actor"), actors)
        if ids is None or len(ids) > 1:
            return self.none()
        return self.filter(speaker_id=ids[0]) if ids else self

    def addressed_to(self, *actors):
        """Those addressed to or about every one of the given actors (slugs)."""
        return self._linked_to_all(_model("Statement").addressees.through.objects, actors)

    def relayed_by(self, *actors):
        """Those relayed by every one of the given actors (slugs), wherever in the chain."""
        return self._linked_to_all(_model("Relay").objects, actors)

    def _linked_to_all(self, links, actors):
        ids = _ids_by_slug(_model("Actor"), actors)
        if ids is None:
            return self.none()
        qs = self
        for pk in ids:  # at most MAX_SLUGS (timeline/forms.py): one EXISTS each
            qs = qs.filter(Exists(links.filter(statement=OuterRef("pk"), actor_id=pk)))
        return qs

    def of_speech_act(self, *acts):
        return self.filter(speech_act__in=acts) if acts else self

    def in_mode(self, *modes):
        return self.filter(mode__in=modes) if modes else self

    def from_origin(self, *origins):
        """Those whose source carries the account of one of ``origins``."""
        return self.filter(source__origin__in=origins) if origins else self

    def in_sources(self, *sources):
        """Those recorded in one of the given sources (slugs)."""
        return self._with_one_of("source", _model("Source"), sources)

    def said_at(self, *events):
        """Those said at one of the given occasions (slugs of events)."""
        return self._with_one_of("event", _model("Event"), events)

    def _with_one_of(self, field: str, model, slugs):
        if not slugs:
            return self
        ids = _ids_by_slug(model, slugs)
        return self.none() if ids is None else self.filter(**{f"{field}_id__in": ids})

    def on_points(self, *points):
        """Those under one of the given points of comparison (slugs: of every published
        event's point with that slug)."""
        if not points:
            return self
        under = _model("Point").statements.through.objects.filter(
            statement=OuterRef("pk"),
            point__slug__in=points,
            point__event__publication="published",
        )
        return self.filter(Exists(under))

    def said_in_period(self, start: datetime.date | None = None, end: datetime.date | None = None):
        """Those whose sort date (the start of their own date, else of their occasion's)
        lies in the period from ``start`` to ``end``, both inclusive."""
        qs = self
        if start is not None:
            qs = qs.filter(sort_date__gte=start)
        if end is not None:
            qs = qs.filter(sort_date__lte=end)
        return qs

    def in_date_order(self, *, newest: bool = False):
        """By sort date, then as recorded (the index statement_in_date_order), or the
        reverse: an order that pages by keyset."""
        return self.order_by("-sort_date", "-pk") if newest else self.order_by("sort_date", "pk")

    def after_said(self, cursor: tuple[datetime.date, int] | None, *, newest: bool = False):
        """Those after a page in date order that ended at ``cursor`` (its sort date, its id),
        or, ``newest`` first, before it."""
        return after_position(self, "sort_date", "pk", cursor, descending=newest)

    # Counts of the lists' facets, in SQL: while the published statements have no index
    # (timeline/statement_index.py). Rows of (key, n), most first, then by key.

    def count_by_value(self, field: str) -> dict[str, int]:
        """Statements per value of ``field`` (``speech_act``, ``mode``, ``source__origin``)."""
        rows = self.order_by().values(field).annotate(n=Count("pk"))
        return {row[field]: row["n"] for row in rows}

    def count_by_column(self, field: str, limit: int) -> list[tuple[int, int]]:
        """The ``limit`` ids of ``field`` (``speaker_id``, ``source_id``, ``event_id``)
        with the most statements, and how many."""
        rows = self.order_by().values(field).annotate(n=Count("pk")).order_by("-n", field)
        return [(row[field], row["n"]) for row in rows[:limit]]

    def count_by_link(self, name: str, limit: int) -> list[tuple[int | str, int]]:
        """The ``limit`` actors (ids) these statements are addressed to (``addressee``) or
        relayed by (``relayer``), or the points (slugs) they are under (``point``), with the
        most statements, and how many."""
        links, key = {
            "addressee": (_model("Statement").addressees.through.objects, "actor_id"),
            "relayer": (_model("Relay").objects, "actor_id"),
            "point": (
                _model("Point").statements.through.objects.filter(
                    point__event__publication="published"
                ),
                "point__slug",
            ),
        }[name]
        rows = (
            links.filter(statement__in=self.order_by().values("pk"))
            .values(key)
            .annotate(n=Count("statement", distinct=True))
            .order_by("-n", key)
        )
        return [(row[key], row["n"]) for row in rows[:limit]]


class RecordCountQuerySet(models.QuerySet):
    def current(self):
        """The ready counts, each with the ``version`` of the records they were counted at,
        while no change awaits counting; none otherwise (in one query, so that the counts
        and whether they are current are read at the same moment)."""
        waiting = _model("RecordChange").objects.all()
        version = _model("RecordVersion").objects.values("number")[:1]
        return self.filter(~Exists(waiting)).annotate(version=Subquery(version))
