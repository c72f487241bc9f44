"""The published statements as arrays, to count any filtered view of `/statements/` and
`/commitments/` in milliseconds and find its page, as timeline/record_index.py does for
the chronology's events.

Counting a view of 300,000 statements in SQL visits every matching row and its links:
at 100,000 events, 150 to 400 ms for each facet of the whole record on PostgreSQL, and
a view has ten counts. So each process keeps, for the current version of the records,
one small number per published statement, in date order (its sort date, then its id:
its *position*): its id and sort date, its speech act, mode and source's origin (a code
each), its speaker, source and occasion (dense numbers, each standing for an id); and
its links to the actors it is addressed to or about, to those who relayed it and to
the points of comparison it is under, grouped by what they link to. A view's filters
become a mask over the positions (a search asks the database for the ids of the
statements with its words, once per version and words: timeline/statement_counts.py),
each count a ``bincount`` over the masked statements or links, and its page the first
masked positions after its cursor.

The arrays are built in a few queries (each column of the statements read from
PostgreSQL as one binary array, 50,000 ids at a time so that a build's peak of memory is
bounded), and kept only if the version has not moved meanwhile, so that they hold
exactly that version's records; a process keeps one. At 300,000 statements (100,000
events) they take 13 MiB and about 1 s to build; what the build freed is handed back to
the system (``give_back_memory``): a process holds 19 MiB more after it, and 40 MiB at
its peak. When every process shares the cache (Redis), the recount builds them once its
new version is visible and shares them as the record's index is shared (``prepare``;
timeline/record_index.py): each worker loads them at its first request for a list, in
a few milliseconds, and none holds the build's peak. With a cache of its own, a process
builds its own at its first request for a list after a change (``for_version``).
"""

import contextlib
import ctypes
import datetime
import threading
from dataclasses import dataclass

import numpy as np
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, IntegerField, Max, Min, Value, When

from timeline.models import Actor, Event, Origin, Point, Relay, Source, Statement
from timeline.querysets import fetch_columns
from timeline.record_index import (
    VersionedIndex,
    is_shared,
    kept_for_version,
    narrow,
    shared,
)

ACTS = tuple(Statement.SpeechAct.values)
MODES = tuple(Statement.Mode.values)
ORIGINS = tuple(Origin.values)
# The acts that /commitments/ lists.
COMMITMENT_ACTS = [ACTS.index(act) for act in sorted(Statement.ASKS | Statement.PROMISES)]

_lock = threading.Lock()
_current: dict[str, "StatementIndex"] = {}


def for_version(version: int | None, using: str = DEFAULT_DB_ALIAS) -> "StatementIndex | None":
    """The index of the published statements at ``version`` (``counts.current_version``),
    built now if this process has none for it; None without a version, or when the
    records moved on while it was being built (then the caller counts in SQL)."""

    def build():
        index = shared(version, using, StatementIndex)
        if index is None:
            index = StatementIndex.build(version, using)
            give_back_memory()
        return index

    return kept_for_version(_current, _lock, version, using, build)


def prepare(version: int, using: str = DEFAULT_DB_ALIAS):
    """Build the index of a new ``version`` for every process, when they share the cache
    (the recount calls this once its version is visible): then no worker builds it at
    its first request for a list, nor holds the build's peak of memory. With a cache of
    its own, each process builds its own when it needs it."""
    if is_shared():
        for_version(version, using)


def give_back_memory():
    """Hand the memory the build freed back to the system. The C library keeps freed
    blocks of the build's rows for the process to reuse, and a worker that built the
    index held 20 MiB more for ever (at 300,000 statements); ``malloc_trim`` (GNU libc,
    where the site runs) returns them. Elsewhere, nothing is done."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


# Statements read at a time while the index is built, by ranges of ids: the rows a query
# brings (and their copies while they become arrays) are what a build holds at its
# peak, so a range bounds it whatever the number of statements (at 300,000 in one
# query, a worker's memory grew by 60 MiB).
RANGE = 50_000


def fetch_in_ranges(rows, *, days=(), size: int = RANGE) -> list[np.ndarray]:
    """``fetch_columns`` of ``rows``, ``size`` of their ids (their own table's primary
    key) at a time, each column kept in 32 bits (ids, days and codes fit)."""
    bounds = rows.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return [np.zeros(0, np.int32) for _ in rows._fields]
    parts = []
    for low in range(bounds["low"], bounds["high"] + 1, size):
        columns = fetch_columns(rows.filter(pk__gte=low, pk__lt=low + size), days=days)
        parts.append([column.astype(np.int32) for column in columns])
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def code_of(field: str, values: tuple[str, ...]) -> Case:
    """The number of ``field``'s value among ``values``, in SQL."""
    whens = [When(**{field: value}, then=Value(number)) for number, value in enumerate(values)]
    return Case(*whens, default=Value(len(values)), output_field=IntegerField())


def dense(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ids`` as dense numbers (int32), and the id each number stands for, in order: a
    count per number is then a ``bincount`` as long as there are distinct ids."""
    values, numbers = np.unique(ids, return_inverse=True)
    return numbers.astype(np.int32), values


def numbers_of(values: np.ndarray, ids) -> list[int]:
    """The numbers that ``values`` (as ``dense`` gives them) has for those of ``ids``
    it holds."""
    ids = np.asarray(list(ids), dtype=np.int64)
    if not len(values) or not len(ids):
        return []
    at = np.minimum(np.searchsorted(values, ids), len(values) - 1)
    return [int(n) for n in at[values[at] == ids]]


def busiest(numbers: np.ndarray, size: int, limit: int) -> list[tuple[int, int]]:
    """The ``limit`` commonest of ``numbers`` (each below ``size``), most first, then the
    lowest, each with how many times it comes."""
    counts = np.bincount(numbers, minlength=size)
    found = np.flatnonzero(counts)
    order = np.lexsort((found, -counts[found]))[:limit]
    return [(int(found[i]), int(counts[found[i]])) for i in order]


@dataclass
class Grouped:
    """Links of the statements to what they link to (an actor, a point's slug), as
    positions and the number of each link's target, sorted by target, then position: a
    target's statements are a slice of ``positions``."""

    targets: np.ndarray  # int32, sorted
    positions: np.ndarray  # int32
    size: int  # how many targets there are to number

    @classmethod
    def of(cls, positions: np.ndarray, targets: np.ndarray, size: int) -> "Grouped":
        order = np.lexsort((positions, targets))
        return cls(targets[order].astype(np.int32), positions[order].astype(np.int32), size)

    def slice(self, target: int) -> np.ndarray:
        low = np.searchsorted(self.targets, target, side="left")
        high = np.searchsorted(self.targets, target, side="right")
        return self.positions[low:high]

    def having_all(self, targets, size: int) -> np.ndarray:
        """A mask of the statements linked to every one of ``targets``."""
        mask = np.ones(size, dtype=bool)
        for target in targets:
            linked = np.zeros(size, dtype=bool)
            linked[self.slice(target)] = True
            mask &= linked
        return mask

    def having_any(self, targets, size: int) -> np.ndarray:
        """A mask of the statements linked to any of ``targets``."""
        mask = np.zeros(size, dtype=bool)
        for target in targets:
            mask[self.slice(target)] = True
        return mask

    def busiest(self, mask: np.ndarray, limit: int) -> list[tuple[int, int]]:
        """The targets of the masked statements with the most of them, most first."""
        return busiest(self.targets[mask[self.positions]], self.size, limit)


class StatementIndex(VersionedIndex):
    SHARED_AS = "statement-index"
    # The arrays by position (but ``_sorted_ids`` and ``_id_order``, by id, as in the
    # record's index), and the ids each dense number stands for.
    ARRAYS = (
        "ids", "day", "act", "mode", "origin", "speaker", "source", "event",
        "_sorted_ids", "_id_order", "actor_ids", "source_ids", "event_ids",
    )  # fmt: skip
    GROUPED = ("addressees", "relayers", "points")

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the index, each by a name of its own (``points.targets``)."""
        found = {name: getattr(self, name) for name in self.ARRAYS}
        for name in self.GROUPED:
            for part in ("targets", "positions"):
                found[f"{name}.{part}"] = getattr(getattr(self, name), part)
        return found

    def extras(self) -> dict:
        """What the index holds beside its arrays: the slug and the name of each actor a
        statement names, and the name of each point's slug, in their numbers' order."""
        return {"actors": self.actors, "points": self._point_names}

    @classmethod
    def from_arrays(cls, version: int, using: str, arrays: dict, extras: dict):
        """The index of ``arrays`` and ``extras``, as ``share`` puts them in the cache."""
        index = cls(version, using)
        for name in cls.ARRAYS:
            setattr(index, name, arrays[name])
        index.size = len(index.ids)
        index._name(extras["actors"], extras["points"])
        sizes = {"addressees": len(index.actor_ids), "relayers": len(index.actor_ids),
                 "points": len(index.point_slugs)}  # fmt: skip
        for name in cls.GROUPED:
            grouped = Grouped(arrays[f"{name}.targets"], arrays[f"{name}.positions"], sizes[name])
            setattr(index, name, grouped)
        return index

    def _name(self, actors: dict, points: dict):
        """Keep the actors' slugs and names by id, and the points' names by slug (in the
        order of their numbers)."""
        self.actors = actors
        self._actor_by_slug = {slug: (pk, name) for pk, (slug, name) in actors.items()}
        self._point_names = points
        self.point_slugs = list(points)

    def _load(self):
        # Every statement, and then those of published events kept here, the origin of
        # each's source looked up here: a join in the database took longer (at 300,000
        # statements, 0.7 s against 0.3).
        rows = Statement.objects.using(self.using).filter(sort_date__isnull=False).order_by()
        found = fetch_in_ranges(
            rows.values_list(
                "pk", "sort_date", code_of("speech_act", ACTS), code_of("mode", MODES),
                "speaker_id", "source_id", "event_id",
            ),
            days=(1,),
        )  # fmt: skip
        events = Event.objects.using(self.using).published().order_by()
        published = np.sort(fetch_columns(events.values_list("pk"))[0])
        sources = Source.objects.using(self.using).order_by()
        source_ids, origins = fetch_columns(sources.values_list("pk", code_of("origin", ORIGINS)))
        kept = np.isin(found[-1], published)
        # In date order (sort date, then id): sorted here, cheaper than in the database.
        order = np.flatnonzero(kept)[np.lexsort((found[0][kept], found[1][kept]))]
        ids, day, act, mode, speakers, sources, events = (column[order] for column in found)
        del found, order, kept
        source_order = np.argsort(source_ids)
        origin = origins[source_order][np.searchsorted(source_ids[source_order], sources)]
        self.ids, self.day = narrow(ids), day.astype(np.int32)
        self.act, self.mode, self.origin = (codes.astype(np.int8) for codes in (act, mode, origin))
        self.size = len(self.ids)
        # The ids in their order, to find an id's position.
        self._id_order = np.argsort(self.ids, kind="stable").astype(np.int32)
        self._sorted_ids = self.ids[self._id_order]
        self.source, self.source_ids = dense(sources)
        self.event, self.event_ids = dense(events)

        # The links of every statement, published or not: those of drafts are left out
        # here (cheaper than a join).
        addressed = Statement.addressees.through.objects.using(self.using).order_by()
        relayed = Relay.objects.using(self.using).order_by()
        addressees = fetch_in_ranges(addressed.values_list("statement_id", "actor_id"))
        relays = fetch_in_ranges(relayed.values_list("statement_id", "actor_id"))
        addressees = [column[self.known(addressees[0])] for column in addressees]
        relays = [column[self.known(relays[0])] for column in relays]
        # Every actor a published statement names, as speaker, addressee or relay: one
        # number each for the three.
        self.actor_ids = np.unique(np.concatenate([speakers, addressees[1], relays[1]]))
        self.speaker = np.searchsorted(self.actor_ids, speakers).astype(np.int32)
        size = len(self.actor_ids)
        self.addressees, self.relayers = (
            Grouped.of(self.positions_of(statements), np.searchsorted(self.actor_ids, actors), size)
            for statements, actors in (addressees, relays)
        )
        named = set(self.actor_ids.tolist())
        rows = Actor.objects.using(self.using).values_list("pk", "slug", "name")
        actors = {pk: (slug, name) for pk, slug, name in rows if pk in named}

        # Points of published events: one number per slug (one subject, across events),
        # named as its earliest event's point.
        under = (
            Point.statements.through.objects.using(self.using)
            .filter(point__event__publication="published")
            .order_by("point__slug", "point__event__date_start", "point_id")
            .values_list("statement_id", "point__slug", "point__name")
        )
        point_names, pairs = {}, set()
        for statement, slug, name in under:
            point_names.setdefault(slug, name)
            pairs.add((statement, slug))
        self._name(actors, point_names)
        number = {slug: i for i, slug in enumerate(self.point_slugs)}
        # A statement under two points with one slug is under that subject once (a set).
        statements = np.array([statement for statement, _ in pairs], dtype=np.int64)
        targets = np.array([number[slug] for _, slug in pairs], dtype=np.int64)
        known = self.known(statements)
        self.points = Grouped.of(
            self.positions_of(statements[known]), targets[known], len(self.point_slugs)
        )

    # ------------------------------------------------------------ ids and positions

    def known(self, ids) -> np.ndarray:
        """Which of ``ids`` are published statements' ids."""
        ids = np.asarray(ids, dtype=np.int64)
        if not self.size:
            return np.zeros(len(ids), dtype=bool)
        found = np.minimum(np.searchsorted(self._sorted_ids, ids), self.size - 1)
        return self._sorted_ids[found] == ids

    def positions_of(self, ids) -> np.ndarray:
        """The positions (int32) of ``ids``, each a published statement's (``known``)."""
        ids = np.asarray(ids, dtype=np.int64)
        return self._id_order[np.searchsorted(self._sorted_ids, ids)]

    def actor_name(self, slug: str) -> str | None:
        """The name of the actor ``slug`` when a published statement names it (as its
        speaker, an addressee or a relay: then it is public), else None."""
        found = self._actor_by_slug.get(slug)
        return found[1] if found else None

    def point_name(self, slug: str) -> str | None:
        """The name of the points with ``slug`` that hold published statements, else None."""
        return self._point_names.get(slug)

    def actor(self, number: int) -> tuple[str, str]:
        """The slug and the name of actor ``number``."""
        return self.actors[int(self.actor_ids[number])]

    # ------------------------------------------------------------ a view's statements

    def masks(self, data: dict, *, commitments: bool, found=None, ids=None) -> dict:
        """One mask per active filter of a form's ``cleaned_data`` (StatementFilter), by
        the filter's name (``period`` for both dates; ``list`` for what /commitments/
        holds); ``found``: the ids of the statements with the search's words; ``ids``:
        the ids of the sources and the occasions chosen, by filter."""
        ids, masks = ids or {}, {}
        if commitments:
            masks["list"] = np.isin(self.act, COMMITMENT_ACTS)
        if data.get("q"):
            masks["q"] = np.zeros(self.size, dtype=bool)
            found = np.asarray(found, dtype=np.int64)
            masks["q"][self.positions_of(found[self.known(found)])] = True
        actors = {slug: pk for slug, (pk, _) in self._actor_by_slug.items()}

        def actor_numbers(slugs):
            chosen = [actors[slug] for slug in slugs if slug in actors]
            # One not named by any published statement: none has it.
            return numbers_of(self.actor_ids, chosen) if len(chosen) == len(slugs) else None

        for name, links in (("addressee", self.addressees), ("relayer", self.relayers)):
            if data.get(name):
                numbers = actor_numbers(data[name])
                masks[name] = (
                    np.zeros(self.size, bool)
                    if numbers is None
                    else links.having_all(numbers, self.size)
                )
        if data.get("speaker"):
            numbers = actor_numbers(data["speaker"])
            if numbers is None or len(numbers) > 1:  # one speaker each: two give none
                masks["speaker"] = np.zeros(self.size, dtype=bool)
            else:
                masks["speaker"] = self.speaker == numbers[0]
        for name, values, codes in (("act", self.act, ACTS), ("mode", self.mode, MODES),
                                    ("origin", self.origin, ORIGINS)):  # fmt: skip
            if data.get(name):
                masks[name] = np.isin(values, [codes.index(value) for value in data[name]])
        for name, values, numbers in (("source", self.source, self.source_ids),
                                      ("event", self.event, self.event_ids)):  # fmt: skip
            if data.get(name):
                masks[name] = np.isin(values, numbers_of(numbers, ids.get(name, [])))
        if data.get("point"):
            number = {slug: i for i, slug in enumerate(self.point_slugs)}
            chosen = [number[slug] for slug in data["point"] if slug in number]
            masks["point"] = self.points.having_any(chosen, self.size)
        start, end = data.get("from"), data.get("to")
        if start or end:
            mask = np.ones(self.size, dtype=bool)
            if start:
                mask &= self.day >= start.toordinal()
            if end:
                mask &= self.day <= end.toordinal()
            masks["period"] = mask
        return masks

    def combined(self, masks: dict, without: str = "") -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        for name, one in masks.items():
            if name != without:
                mask &= one
        return mask

    # ------------------------------------------------------------ counts

    def count(self, name: str, mask: np.ndarray, limit: int):
        """Count ``name`` among the masked statements, as StatementCounts gives it: an
        int for "count"; {value: n} for "act", "mode" and "origin"; and for the others,
        the ``limit`` with the most statements, most first, as (key, n): an actor's, a
        source's or an occasion's id, a point's slug."""
        if name == "count":
            return int(np.count_nonzero(mask))
        if name in ("act", "mode", "origin"):
            values, codes = {"act": (self.act, ACTS), "mode": (self.mode, MODES),
                             "origin": (self.origin, ORIGINS)}[name]  # fmt: skip
            counts = np.bincount(values[mask], minlength=len(codes))
            return {codes[i]: int(n) for i, n in enumerate(counts) if n}
        if name == "speaker":
            top = busiest(self.speaker[mask], len(self.actor_ids), limit)
            return [(int(self.actor_ids[number]), n) for number, n in top]
        if name in ("addressee", "relayer"):
            links = self.addressees if name == "addressee" else self.relayers
            return [(int(self.actor_ids[number]), n) for number, n in links.busiest(mask, limit)]
        if name in ("source", "event"):
            numbers, ids = (self.source, self.source_ids) if name == "source" else (
                self.event, self.event_ids)  # fmt: skip
            return [(int(ids[number]), n) for number, n in busiest(numbers[mask], len(ids), limit)]
        if name == "point":
            return [(self.point_slugs[number], n) for number, n in self.points.busiest(mask, limit)]
        raise ValueError(name)

    # ------------------------------------------------------------ a page of them

    def start_after(self, cursor: tuple[datetime.date, int] | None) -> int:
        """The first position after ``cursor`` (the sort date and id a page ended at): a
        day's statements are in the order of their ids."""
        return self._position_of(cursor, "right", 0)

    def start_before(self, cursor: tuple[datetime.date, int] | None) -> int:
        """The position of ``cursor``, or the first after it: the statements before it are
        those a page, newest first, goes on with; the end without one."""
        return self._position_of(cursor, "left", self.size)

    def _position_of(self, cursor, side: str, default: int) -> int:
        if cursor is None:
            return default
        date, pk = cursor
        ordinal = date.toordinal()
        low = int(np.searchsorted(self.day, ordinal, side="left"))
        high = int(np.searchsorted(self.day, ordinal, side="right"))
        return low + int(np.searchsorted(self.ids[low:high], pk, side=side))

    def page_ids(self, mask: np.ndarray, cursor, size: int, *, newest: bool) -> list[int]:
        """The ids of the first ``size`` masked statements after ``cursor``, in date order
        or, ``newest`` first, in the reverse."""
        if newest:
            before = self.start_before(cursor)
            found = np.flatnonzero(mask[:before])[::-1][:size]
        else:
            after = self.start_after(cursor)
            found = np.flatnonzero(mask[after:])[:size] + after
        return [int(pk) for pk in self.ids[found]]
