"""The published record as arrays, to count any filtered view of it in milliseconds.

Counting a filtered view in SQL visits every matching row, and the links of each: at
100,000 events the busiest actor's view took 0.9 s for its six counts, a year 0.3 s.
So each process keeps, for the current version of the records, what the chronology's
filters and counts look at, one number per event or link, in numpy arrays:

- each published event, in chronological order (date, then slug: its *position*), with
  its id, its first and last day and year, its kind and the origins of its sources (a
  bit each);
- each of their actors' parts and places, as (position, actor or place) pairs, sorted
  by actor or place so that one's events are a slice.

A view's filters become a mask over the positions (a search asks the database for its
matching ids, once), and each count is a ``bincount`` over the masked events or links:
under 10 ms at a million events. The page of events is the mask's first positions
after the cursor, fetched by id.

The arrays are built from the database the first time a request of a new version needs
them (``for_version``), in a few queries read between two checks that the version has
not moved, so that they hold exactly that version's records; a process keeps one, and
puts it in the cache when every process shares that (Redis), for the others to load.
At 100,000 events they take about 8 MB and 0.3 s to build; at a million, ten times that.
"""

import datetime
import itertools
import threading
from dataclasses import dataclass

import numpy as np
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS

from timeline.models import Actor, Event, EventActor, Origin, Place

KINDS = tuple(Event.Kind.values)
ORIGINS = tuple(Origin.values)
# Actors and places listed in a facet: the busiest, most first (in SQL too, in counts).
FACET_LIMIT = 12
# How long a shared cache keeps an index: a version lasts until the next edit.
SHARED_SECONDS = 24 * 3600

_lock = threading.Lock()
_current: dict[str, "RecordIndex"] = {}


def for_version(version: int | None, using: str = DEFAULT_DB_ALIAS) -> "RecordIndex | None":
    """The index of the records at ``version`` (which ``counts.current_version`` read),
    built now if this process has none for it; None without a version, or when the
    records moved on while it was being built (then the caller counts in SQL)."""
    if version is None:
        return None
    index = _current.get(using)
    if index is not None and index.version == version:
        return index
    with _lock:
        index = _current.get(using)
        if index is None or index.version != version:
            _current.pop(using, None)  # the old one's memory goes before the new one's comes
            index = shared(version, using) or RecordIndex.build(version, using)
            if index is None:
                return None
            _current[using] = index
    return index


def install(index: "RecordIndex"):
    """Make ``index`` this process's, and share it, if the records are at its version
    (the recount that read it has committed, and no change has come since)."""
    from timeline.counts import current_version  # counts uses this module

    if current_version(index.using) == index.version:
        with _lock:
            _current[index.using] = index
        share(index)


def is_shared() -> bool:
    """Whether every process shares the cache (Redis), so that one can build the index
    for all. A cache each process has of its own is not used for it: storing the index
    there would only double its memory."""
    return not isinstance(caches["default"], LocMemCache)


def shared(version: int, using: str) -> "RecordIndex | None":
    """The index another process built for ``version``, if the cache is shared."""
    return caches["default"].get(f"record-index:{using}:{version}") if is_shared() else None


def share(index: "RecordIndex"):
    if is_shared():
        caches["default"].set(f"record-index:{index.using}:{index.version}", index, SHARED_SECONDS)


def columns(rows, *converters, chunk: int = 50_000) -> list[np.ndarray]:
    """One array per converter (a dtype and a function of a row) of the rows of a
    ``values_list`` queryset, read in chunks: no list of a million tuples is ever held."""
    parts = [[] for _ in converters]
    rows = rows.iterator(chunk_size=chunk)
    while batch := list(itertools.islice(rows, chunk)):
        for part, (dtype, convert) in zip(parts, converters, strict=True):
            part.append(np.fromiter(map(convert, batch), dtype, len(batch)))
    return [
        np.concatenate(part) if part else np.zeros(0, dtype)
        for part, (dtype, _) in zip(parts, converters, strict=True)
    ]


@dataclass
class Links:
    """(position, target) pairs sorted by target: each target's events are one slice."""

    positions: np.ndarray  # int32, the event's position
    targets: np.ndarray  # int32, a dense number for the actor or place
    starts: np.ndarray  # int64, where each target's slice starts (len = targets + 1)
    slugs: list[str]  # by dense number
    names: list[str]
    name_rank: np.ndarray  # each target's place in name order, to break ties as SQL does
    by_slug: dict[str, int]

    @classmethod
    def build(cls, events, targets, rows, index: "RecordIndex") -> "Links":
        """``events`` and ``targets``: the ids of each link of every event; ``rows``:
        (target id, slug, name) of every target, of which those of published events are
        kept."""
        known = index.known(events)
        events, targets = events[known], targets[known]
        present = set(np.unique(targets).tolist())
        rows = sorted((row for row in rows if row[0] in present), key=lambda row: row[0])
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        dense = np.searchsorted(ids, targets).astype(np.int32)
        positions = index.positions_of(events)
        order = np.lexsort((positions, dense))
        dense, positions = dense[order], positions[order]
        names = [row[2] for row in rows]
        name_rank = np.empty(len(rows), dtype=np.int32)
        name_rank[sorted(range(len(rows)), key=names.__getitem__)] = np.arange(len(rows))
        return cls(
            positions=positions,
            targets=dense,
            starts=np.searchsorted(dense, np.arange(len(rows) + 1)),
            slugs=[row[1] for row in rows],
            names=names,
            name_rank=name_rank,
            by_slug={row[1]: i for i, row in enumerate(rows)},
        )

    def having_all(self, slugs, size: int) -> np.ndarray:
        """A mask of the events linked to every one of ``slugs``."""
        mask = np.ones(size, dtype=bool)
        for slug in slugs:
            number = self.by_slug.get(slug)
            linked = np.zeros(size, dtype=bool)
            if number is not None:
                linked[self.positions[self.starts[number] : self.starts[number + 1]]] = True
            mask &= linked
        return mask

    def busiest(self, mask: np.ndarray, name: str, limit: int) -> list[dict]:
        """The targets of the masked events, most events first, then by name."""
        counts = np.bincount(self.targets[mask[self.positions]], minlength=len(self.slugs))
        found = np.flatnonzero(counts)
        order = np.lexsort((self.name_rank[found], -counts[found]))[:limit]
        return [
            {f"{name}__slug": self.slugs[i], f"{name}__name": self.names[i], "n": int(counts[i])}
            for i in found[order]
        ]


class RecordIndex:
    def __init__(self, version: int, using: str):
        self.version, self.using = version, using

    @classmethod
    def read(cls, version: int, using: str) -> "RecordIndex":
        """The index of the records as they are now, to stand for ``version``."""
        index = cls(version, using)
        index._load()
        return index

    @classmethod
    def build(cls, version: int, using: str) -> "RecordIndex | None":
        """The index of the records at ``version``, if they are still at it once read."""
        from timeline.counts import current_version  # counts uses this module

        index = cls.read(version, using)
        # The records have not moved while they were read: no change committed since the
        # version was read (each leaves a RecordChange until a recount draws a new one).
        if current_version(using) != version:
            return None
        share(index)
        return index

    def _load(self):
        published = Event.objects.using(self.using).published().chronological()
        kind_code = {kind: i for i, kind in enumerate(KINDS)}
        self.ids, self.first, self.last, self.first_year, self.last_year, self.kind = columns(
            published.values_list("pk", "date_start", "date_end", "kind"),
            (np.int64, lambda row: row[0]),
            (np.int32, lambda row: row[1].toordinal()),
            (np.int32, lambda row: (row[2] or row[1]).toordinal()),
            (np.int16, lambda row: row[1].year),
            (np.int16, lambda row: (row[2] or row[1]).year),
            (np.int8, lambda row: kind_code[row[3]]),
        )
        self.size = len(self.ids)
        self._id_order = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._id_order]

        # The links of every event, published or not: positions_of drops the others,
        # which is cheaper than a join to leave them out.
        origin_bit = {origin: 1 << i for i, origin in enumerate(ORIGINS)}
        events, bits = columns(
            Event.sources.through.objects.using(self.using).values_list(
                "event_id", "source__origin"
            ),
            (np.int64, lambda row: row[0]),
            (np.uint16, lambda row: origin_bit[row[1]]),
        )
        self.origins = np.zeros(self.size, dtype=np.uint16)
        known = self.known(events)
        np.bitwise_or.at(self.origins, self.positions_of(events[known]), bits[known])
        pair = ((np.int64, lambda row: row[0]), (np.int64, lambda row: row[1]))
        roles = EventActor.objects.using(self.using).values_list("event_id", "actor_id")
        actors = Actor.objects.using(self.using).values_list("pk", "slug", "name")
        self.actors = Links.build(*columns(roles, *pair), actors, self)
        at = Event.places.through.objects.using(self.using).values_list("event_id", "place_id")
        places = Place.objects.using(self.using).values_list("pk", "slug", "name")
        self.places = Links.build(*columns(at, *pair), places, self)

    def known(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` are published events' ids."""
        if not self.size:
            return np.zeros(len(ids), dtype=bool)
        found = np.minimum(np.searchsorted(self._sorted_ids, ids), self.size - 1)
        return self._sorted_ids[found] == ids

    def positions_of(self, ids: np.ndarray) -> np.ndarray:
        """The positions of ``ids``, each a published event's id (``known``)."""
        return self._id_order[np.searchsorted(self._sorted_ids, ids)].astype(np.int32)

    # ------------------------------------------------------------ a view's events

    def masks(self, data: dict, matching_ids=None) -> dict[str, np.ndarray]:
        """One mask per active filter of a form's ``cleaned_data``, by the name the
        counts leave out (``period`` for both dates); ``matching_ids`` are the ids of the
        events the search matches, when there is one."""
        masks = {}
        if data.get("q"):
            masks["q"] = np.zeros(self.size, dtype=bool)
            found = np.asarray(matching_ids, dtype=np.int64)
            masks["q"][self.positions_of(found[self.known(found)])] = True
        if data.get("actor"):
            masks["actor"] = self.actors.having_all(data["actor"], self.size)
        if data.get("place"):
            masks["place"] = self.places.having_all(data["place"], self.size)
        if data.get("kind"):
            codes = [KINDS.index(kind) for kind in data["kind"]]
            masks["kind"] = np.isin(self.kind, codes)
        if data.get("origin"):
            bits = sum(1 << ORIGINS.index(origin) for origin in data["origin"])
            masks["origin"] = (self.origins & bits) != 0
        start, end = data.get("from"), data.get("to")
        if start or end:
            mask = np.ones(self.size, dtype=bool)
            if end:
                mask &= self.first <= end.toordinal()
            if start:
                mask &= self.last >= start.toordinal()
            masks["period"] = mask
        return masks

    def combined(self, masks: dict[str, np.ndarray], without: str = "") -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        for name, one in masks.items():
            if name != without:
                mask &= one
        return mask

    # ------------------------------------------------------------ counts, as Counts gives them

    def whole_record(self, names) -> dict:
        """The counts ``names`` of the whole published record."""
        everything = np.ones(self.size, dtype=bool)
        return {name: self.count(name, everything) for name in names}

    def count(self, name: str, mask: np.ndarray):
        if name == "count":
            return int(mask.sum())
        if name == "axis":
            return self.count_by_year(mask)
        if name == "kind":
            counts = np.bincount(self.kind[mask], minlength=len(KINDS))
            return {KINDS[i]: int(n) for i, n in enumerate(counts) if n}
        if name == "origin":
            origins = self.origins[mask]
            counts = {o: int(np.count_nonzero(origins & (1 << i))) for i, o in enumerate(ORIGINS)}
            return {origin: n for origin, n in counts.items() if n}
        if name == "actor":
            return self.actors.busiest(mask, "actor", FACET_LIMIT)
        if name == "place":
            return self.places.busiest(mask, "place", FACET_LIMIT)
        raise ValueError(name)

    def count_by_year(self, mask: np.ndarray) -> dict[int, int]:
        """Events per year they overlap, as EventQuerySet.count_by_year counts them."""
        if not mask.any():
            return {}
        first, last = self.first_year[mask], self.last_year[mask]
        low = int(first.min())
        width = int(last.max()) - low + 2
        starting = np.bincount(first - low, minlength=width)
        ending = np.bincount(last - low + 1, minlength=width)
        running = np.cumsum(starting - ending)[:-1]
        return {low + i: int(n) for i, n in enumerate(running) if n}

    # ------------------------------------------------------------ a page of them

    def page_ids(self, mask: np.ndarray, after: int, size: int) -> list[int]:
        """The ids of the first ``size`` masked events at or after position ``after``."""
        found = np.flatnonzero(mask[after:])[:size] + after
        return [int(pk) for pk in self.ids[found]]

    def neighbours(self, pk: int) -> tuple[int | None, int | None] | None:
        """The ids of the published events just before and after event ``pk`` in the
        chronology (either None at an end); None when ``pk`` is no published event."""
        here = np.array([pk], dtype=np.int64)
        if not self.known(here)[0]:
            return None
        position = int(self.positions_of(here)[0])
        before = int(self.ids[position - 1]) if position > 0 else None
        after = int(self.ids[position + 1]) if position + 1 < self.size else None
        return before, after

    def start_after(self, cursor: tuple[datetime.date, str] | None) -> int:
        """The first position after ``cursor`` (the date and slug a page ended at), as
        ``EventQuerySet.after`` finds it. The events of that day are in slug order, as
        the database sorts slugs, so those up to the cursor's are the day's first few:
        the database counts them, comparing slugs as it sorted them."""
        if cursor is None:
            return 0
        date, slug = cursor
        ordinal = date.toordinal()
        low = int(np.searchsorted(self.first, ordinal, side="left"))
        high = int(np.searchsorted(self.first, ordinal, side="right"))
        if low == high:
            return low
        day = [int(pk) for pk in self.ids[low:high]]
        return low + Event.objects.using(self.using).filter(pk__in=day, slug__lte=slug).count()
