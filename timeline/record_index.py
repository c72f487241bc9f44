"""The published record as arrays, to count any filtered view of it in milliseconds.

Counting a filtered view in SQL visits every matching row, and the links of each: at
100,000 events the busiest actor's view took 0.9 s for its six counts, a year 0.3 s.
So each process keeps, for the current version of the records, what the chronology's
filters and counts look at, one small number per event or link, in numpy arrays:

- each published event, in chronological order (date, then slug: its *position*), with
  its id, its first and last day and year, its kind and the origins of its sources (a
  bit each); and the ids sorted, with the position of each, to find an id's position;
- the positions of each actor's events, and of each place's, in one array per kind of
  link, so that one actor's or place's events are a slice of it.

Ids, days and positions take 32 bits (ids more only if they need it), years 16, kinds
and origins 8. A view's filters become a mask over the positions (a search asks the
database for its matching ids, once), and each count a sum over the masked events or
links: at a million events, 10 to 30 ms for a view's six counts (the busiest actor's,
300,000 events, the slowest). The page of events is the mask's first positions after
the cursor, fetched by id.

The arrays are built from the database the first time a request of a new version needs
them (``for_version``), in a few queries read in chunks between two checks that the
version has not moved, so that they hold exactly that version's records; a process
keeps one, and puts it in the cache when every process shares that (Redis), for the
others to load (``share``, ``shared``): array by array, in parts of a megabyte, so that
a process loading it holds the arrays and a part, never a second copy of them; and only
whole: with a part missing, it builds its own. At a million events (3 million links to
actors, 1 million to places) the arrays take 37 MiB; building them takes 15 to 25 s
(reading 6 million rows) and under 100 MiB beside the process's own, and loading them
0.1 s.
"""

import datetime
import itertools
import threading
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS

from timeline.models import Actor, Event, EventActor, Origin, Place

KINDS = tuple(Event.Kind.values)
ORIGINS = tuple(Origin.values)
# One bit per origin: the smallest unsigned integer that holds them all.
ORIGIN_BITS = np.min_scalar_type((1 << len(ORIGINS)) - 1)
# A mask with fewer than one event in SPARSE set has its facets counted from those
# events' own links, rather than by looking at every link: at 100,000 events, 0.1 ms
# rather than 0.6 for an actor's events.
SPARSE = 16
# Up to this many events, each process keeps the links grouped by event too (for the
# above): 2 MiB at 100,000 events. Past it, each facet scans every link, and a worker's
# memory stays within its budget at a million events (it would hold 24 MiB more).
GROUPED_BY_EVENT_UP_TO = 300_000
# Actors and places listed in a facet: the busiest, most first (in SQL too, in counts).
FACET_LIMIT = 12
# How long a shared cache keeps an index: a version lasts until the next edit.
SHARED_SECONDS = 24 * 3600
# The arrays are shared in parts of at most this many bytes: a process loading them
# holds one part a few times over (the cache client's buffers, the value it decodes),
# never a whole array, let alone the whole index.
PART_BYTES = 1 << 20

_lock = threading.Lock()
_current: dict[str, "RecordIndex"] = {}


def for_version(version: int | None, using: str = DEFAULT_DB_ALIAS) -> "RecordIndex | None":
    """The index of the records at ``version`` (which ``counts.current_version`` read),
    built now if this process has none for it; None without a version, or when the
    records moved on while it was being built (then the caller counts in SQL)."""
    return kept_for_version(
        _current,
        _lock,
        version,
        using,
        lambda: shared(version, using) or RecordIndex.build(version, using),
    )


def kept_for_version(current: dict, lock, version: int | None, using: str, build):
    """The one index a process keeps per database in ``current`` (guarded by ``lock``):
    the one there when it is at ``version``, else what ``build()`` gives (None when the
    records moved on meanwhile, and then nothing is kept). Shared by the record's index
    and the statements' (timeline/statement_index.py)."""
    if version is None:
        return None
    index = current.get(using)
    if index is not None and index.version == version:
        return index
    index = None  # no reference to the old one is left here while the new one comes
    with lock:
        if using in current and current[using].version == version:
            return current[using]
        current.pop(using, None)  # the old one's memory goes before the new one's comes
        index = build()
        if index is not None:
            current[using] = index
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


# What a shared index's manifest holds, in which shape: a change to it changes this
# number, so that no process reads what another version of this code shared (during a
# deployment, both run). 2: a manifest's "extras", for both indexes.
SHARED_SHAPE = 2


def shared_key(version: int, using: str, kind: type | None = None) -> str:
    """The key of the shared index's manifest (the record's, or ``kind``'s: the
    statements'); its arrays' parts are under keys that start with it."""
    return f"{(kind or RecordIndex).SHARED_AS}:{SHARED_SHAPE}:{using}:{version}:manifest"


def shared(version: int, using: str, kind: type | None = None):
    """The index (the record's, or ``kind``'s) another process built for ``version``, if
    the cache is shared and holds every part of it: with one missing (the cache let it
    go), None, and the caller builds its own."""
    if not is_shared():
        return None
    kind = kind or RecordIndex
    cache, key = caches["default"], shared_key(version, using, kind)
    manifest = cache.get(key)
    if not isinstance(manifest, dict) or manifest.get("version") != version:
        return None
    arrays = {}
    for name, (dtype, length, parts) in manifest["arrays"].items():
        # Filled part by part: only one part's bytes are held beside the arrays.
        array = np.empty(length, dtype)
        data, filled = array.view(np.uint8), 0
        for number in range(parts):
            part = cache.get(f"{key}:{name}:{number}")
            if not isinstance(part, bytes) or filled + len(part) > data.size:
                return None
            data[filled : filled + len(part)] = np.frombuffer(part, np.uint8)
            filled += len(part)
        if filled != data.size:
            return None
        arrays[name] = array
    return kind.from_arrays(version, using, arrays, manifest["extras"])


def share(index):
    """Put ``index`` (the record's or the statements') in the cache, if every process
    shares it: each array in parts of at most PART_BYTES raw bytes, then a manifest of
    them (with what is not an array: the names of the actors and places), last, so that
    a process that finds it finds the parts too."""
    if not is_shared():
        return
    cache, key = caches["default"], shared_key(index.version, index.using, type(index))
    arrays = {}
    for name, array in index.arrays().items():
        data = np.ascontiguousarray(array).view(np.uint8)
        starts = range(0, data.size, PART_BYTES)
        for number, start in enumerate(starts):
            part = data[start : start + PART_BYTES].tobytes()
            cache.set(f"{key}:{name}:{number}", part, SHARED_SECONDS)
        arrays[name] = (array.dtype.str, len(array), len(starts))
    manifest = {"version": index.version, "arrays": arrays, "extras": index.extras()}
    cache.set(key, manifest, SHARED_SECONDS)
    forget_previous(type(index), index.version, index.using)


def forget_previous(kind: type, version: int, using: str):
    """Delete the index ``kind`` shared for the version before ``version``: each edit
    shares a new one (13 MiB for the statements at 300,000), and the cache would keep
    a day's worth of them. A process still loading it finds a part gone, and builds."""
    cache = caches["default"]
    latest = f"{kind.SHARED_AS}:{using}:latest"
    previous = cache.get(latest)
    cache.set(latest, version, SHARED_SECONDS)
    if previous is None or previous == version:
        return
    key = shared_key(previous, using, kind)
    manifest = cache.get(key)
    if isinstance(manifest, dict) and isinstance(manifest.get("arrays"), dict):
        cache.delete_many(
            f"{key}:{name}:{number}"
            for name, (_, _, parts) in manifest["arrays"].items()
            for number in range(parts)
        )
    cache.delete(key)


def chunks(rows, *converters, chunk: int = 50_000):
    """The rows of a ``values_list`` queryset in chunks, each as one array per converter
    (a dtype and a function of a row): no list of a million tuples is ever held."""
    rows = rows.iterator(chunk_size=chunk)
    while batch := list(itertools.islice(rows, chunk)):
        yield [np.fromiter(map(convert, batch), dtype, len(batch)) for dtype, convert in converters]


def columns(rows, *converters, chunk: int = 50_000) -> list[np.ndarray]:
    """One array per converter of the rows, read in ``chunks``; each column is joined,
    and its chunks let go, before the next."""
    parts = [[] for _ in converters]
    for arrays in chunks(rows, *converters, chunk=chunk):
        for part, array in zip(parts, arrays, strict=True):
            part.append(array)
    found = []
    for number, (dtype, _) in enumerate(converters):
        found.append(np.concatenate(parts[number]) if parts[number] else np.zeros(0, dtype))
        parts[number] = None
    return found


def narrow(values: np.ndarray) -> np.ndarray:
    """Integer ``values`` in 32 bits when they fit (ids do, below 2**31), else as they are."""
    limits = np.iinfo(np.int32)
    if values.dtype == np.int32 or (
        values.size and (values.min() < limits.min or values.max() > limits.max)
    ):
        return values
    return values.astype(np.int32)


@dataclass
class Links:
    """The links of published events to actors (or places): the events' positions,
    grouped by target and in chronological order within each, so that target ``i``'s
    events are ``positions[starts[i] : starts[i + 1]]``. Only the targets of published
    events are numbered, so that no slice is empty."""

    positions: np.ndarray  # int32, the event's position
    starts: np.ndarray  # int32, where each target's slice starts (len = targets + 1)
    slugs: list[str]  # by number
    names: list[str]
    name_rank: np.ndarray  # int32, each target's place in name order, to break ties as SQL does
    by_slug: dict[str, int] = field(init=False, repr=False)
    # The links grouped by event instead: where each event's start, and their targets.
    _by_event: tuple[np.ndarray, np.ndarray] | None = field(init=False, repr=False)

    ARRAYS = ("positions", "starts", "name_rank")

    def __post_init__(self):
        self.by_slug = {slug: number for number, slug in enumerate(self.slugs)}
        self._by_event = None

    def targets_of(self, chosen: np.ndarray, size: int) -> np.ndarray:
        """The target numbers of the links of the events at positions ``chosen`` (of
        ``size`` events in all), one per link: read from the links grouped by event, which
        are built from the grouping by target at the first call (per process)."""
        if self._by_event is None or len(self._by_event[0]) != size + 1:
            order = np.argsort(self.positions, kind="stable")
            targets = np.repeat(np.arange(len(self.slugs), dtype=np.int32), np.diff(self.starts))
            starts = np.searchsorted(self.positions[order], np.arange(size + 1, dtype=np.int32))
            self._by_event = (starts.astype(np.int32), targets[order])
        starts, targets = self._by_event
        first, lengths = starts[chosen], starts[chosen + 1] - starts[chosen]
        # Each event's slice, end to end: an offset per slice, repeated along it.
        shift = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
        return targets[np.arange(int(lengths.sum())) + shift]

    def name_of(self, slug: str) -> str | None:
        """The name of the target ``slug`` (public: a published event links to it), or
        None for one that no published event links to."""
        number = self.by_slug.get(slug)
        return None if number is None else self.names[number]

    @classmethod
    def build(cls, links, targets, index: "RecordIndex") -> "Links":
        """``links``: a ``values_list`` of (event id, target id) of every link of every
        event, published or not; ``targets``: one of (id, slug, name) of every target."""
        rows = list(targets.order_by("pk"))
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        # Each link of a published event as one number, its target's above its event's
        # position: sorted, they are grouped by target, in chronological order in each,
        # with no second array to sort by.
        keys = []
        pair = ((np.int64, lambda row: row[0]), (np.int64, lambda row: row[1]))
        for events, linked in chunks(links, *pair) if rows else []:
            known = index.known(events)
            events, linked = events[known], linked[known]
            number = np.minimum(np.searchsorted(ids, linked), len(ids) - 1)
            # A target that came after its rows were read is left out: the records moved
            # on, and this index will not be used as of that version.
            listed = ids[number] == linked
            keys.append(number[listed] << 32 | index.positions_of(events[listed]))
        key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        del keys
        key.sort()
        assert len(key) < 2**31
        bounds = np.searchsorted(key, np.arange(len(rows) + 1, dtype=np.int64) << 32)
        positions = np.empty(len(key), np.int32)
        np.bitwise_and(key, 0xFFFF_FFFF, out=positions, casting="unsafe")
        del key
        present = np.flatnonzero(np.diff(bounds))  # each a target of published events
        names = [rows[number][2] for number in present]
        name_rank = np.empty(len(names), dtype=np.int32)
        name_rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return cls(
            positions=positions,
            starts=np.append(bounds[present], len(positions)).astype(np.int32),
            slugs=[rows[number][1] for number in present],
            names=names,
            name_rank=name_rank,
        )

    def having_all(self, slugs, size: int) -> np.ndarray:
        """A mask of the events linked to every one of ``slugs``."""
        mask = np.ones(size, dtype=bool)
        for slug in slugs:
            mask &= self.mark(np.zeros(size, dtype=bool), slug)
        return mask

    def having_any(self, slugs, size: int) -> np.ndarray:
        """A mask of the events linked to any of ``slugs``."""
        mask = np.zeros(size, dtype=bool)
        for slug in slugs:
            self.mark(mask, slug)
        return mask

    def mark(self, mask: np.ndarray, slug: str) -> np.ndarray:
        """``mask`` with the events linked to ``slug`` set (none, for a target of no
        published event): its slice of ``positions``."""
        number = self.by_slug.get(slug)
        if number is not None:
            mask[self.positions[self.starts[number] : self.starts[number + 1]]] = True
        return mask

    def busiest(self, mask: np.ndarray, name: str, limit: int) -> list[dict]:
        """The targets of the masked events, most events first, then by name."""
        if not self.slugs:
            return []
        chosen = np.flatnonzero(mask)
        if len(chosen) * SPARSE < mask.size <= GROUPED_BY_EVENT_UP_TO:
            # A few events (an actor's, a month's): their own links, counted by target.
            counts = np.bincount(self.targets_of(chosen, mask.size), minlength=len(self.slugs))
        else:
            # Each target's masked links, summed over its slice (none is empty).
            linked = mask[self.positions].view(np.uint8)
            counts = np.add.reduceat(linked, self.starts[:-1], dtype=np.int32)
        found = np.flatnonzero(counts)
        order = np.lexsort((self.name_rank[found], -counts[found]))[:limit]
        return [
            {f"{name}__slug": self.slugs[i], f"{name}__name": self.names[i], "n": int(counts[i])}
            for i in found[order]
        ]


class VersionedIndex:
    """An index of the records (the record's, the statements', the documents' words),
    read for one version of them and kept only if they are still at it once read. Each
    kind says how it is read (``_load``) and shared (``SHARED_AS``, ``arrays()``,
    ``extras()``, ``from_arrays()``)."""

    def __init__(self, version: int, using: str):
        self.version, self.using = version, using

    def _load(self):
        raise NotImplementedError

    @classmethod
    def read(cls, version: int, using: str):
        """The index of the records as they are now, to stand for ``version``."""
        index = cls(version, using)
        index._load()
        return index

    @classmethod
    def build(cls, version: int, using: str):
        """The index of the records at ``version``, if they are still at it once read;
        shared with every process (when they share the cache)."""
        from timeline.counts import current_version  # counts uses this module

        index = cls.read(version, using)
        # The records have not moved while they were read: no change committed since the
        # version was read (each leaves a RecordChange until a recount draws a new one).
        if current_version(using) != version:
            return None
        share(index)
        return index


class RecordIndex(VersionedIndex):
    SHARED_AS = "record-index"
    # The arrays of the events, by position; but ``_sorted_ids`` and ``_id_order``, in
    # the order of the ids: the ids, and the position of each, to find an id's position.
    ARRAYS = (
        "ids", "first", "last", "first_year", "last_year", "kind", "origins",
        "_sorted_ids", "_id_order",
    )  # fmt: skip

    def __init__(self, version: int, using: str):
        super().__init__(version, using)
        self._names = None

    def named_by(self, text: str) -> tuple[list, list]:
        """The actors and the places with ``text`` anywhere in a name or an alias, in any
        letter case (Python's lower-casing, as the ``ucontains`` lookup on SQLite), each
        as (id, slug): a search term's names, without a query. A few thousand names,
        read once per version and process."""
        if self._names is None:
            self._names = [
                [(pk, slug, "\n".join(names).lower()) for pk, slug, *names in model.objects
                 .using(self.using).order_by("pk")
                 .values_list("pk", "slug", "name", "aliases", "other_aliases")]
                for model in (Actor, Place)
            ]  # fmt: skip
        needle = text.lower()
        actors, places = (
            [(pk, slug) for pk, slug, names in rows if needle in names] for rows in self._names
        )
        return actors, places

    @classmethod
    def from_arrays(cls, version: int, using: str, arrays: dict, extras: dict) -> "RecordIndex":
        """The index of ``arrays`` (as ``arrays()`` names them) and ``extras()``, as
        ``share`` puts them in the cache."""
        targets = extras["targets"]
        index = cls(version, using)
        for name in cls.ARRAYS:
            setattr(index, name, arrays[name])
        index.size = len(index.ids)
        links = {
            name: Links(
                **{part: arrays[f"{name}.{part}"] for part in Links.ARRAYS},
                slugs=slugs,
                names=names,
            )
            for name, (slugs, names) in targets.items()
        }
        index.actors, index.places = links["actor"], links["place"]
        return index

    def links(self) -> dict[str, Links]:
        """The links to actors and to places, by the name of their filter."""
        return {"actor": self.actors, "place": self.places}

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the index, each by a name of its own (``actor.positions``)."""
        found = {name: getattr(self, name) for name in self.ARRAYS}
        for name, links in self.links().items():
            found.update({f"{name}.{part}": getattr(links, part) for part in Links.ARRAYS})
        return found

    def extras(self) -> dict:
        """What the index holds beside its arrays: the slugs and the names of each of
        ``links()``' targets."""
        links = self.links().items()
        return {"targets": {name: (target.slugs, target.names) for name, target in links}}

    def _load(self):
        published = Event.objects.using(self.using).published().chronological()
        kind_code = {kind: i for i, kind in enumerate(KINDS)}
        ids, self.first, self.last, self.first_year, self.last_year, self.kind = columns(
            published.values_list("pk", "date_start", "date_end", "kind"),
            (np.int64, lambda row: row[0]),
            (np.int32, lambda row: row[1].toordinal()),
            (np.int32, lambda row: (row[2] or row[1]).toordinal()),
            (np.int16, lambda row: row[1].year),
            (np.int16, lambda row: (row[2] or row[1]).year),
            (np.int8, lambda row: kind_code[row[3]]),
        )
        self.ids = narrow(ids)
        del ids
        self.size = len(self.ids)
        assert self.size < 2**31  # positions are int32
        self._id_order = np.argsort(self.ids, kind="stable").astype(np.int32)
        # The ids in their order, to search: searchsorted can search ids through
        # _id_order instead, but copies it to 64 bits each time, and is slower.
        self._sorted_ids = self.ids[self._id_order]

        # The links of every event, published or not, in no order (a sort in the
        # database would cost more than the one here): known and positions_of drop the
        # drafts', which is cheaper than a join to leave them out.
        origin_bit = {origin: 1 << i for i, origin in enumerate(ORIGINS)}
        self.origins = np.zeros(self.size, dtype=ORIGIN_BITS)
        reports = Event.sources.through.objects.using(self.using).order_by()
        for events, bits in chunks(
            reports.values_list("event_id", "source__origin"),
            (np.int64, lambda row: row[0]),
            (ORIGIN_BITS, lambda row: origin_bit[row[1]]),
        ):
            known = self.known(events)
            np.bitwise_or.at(self.origins, self.positions_of(events[known]), bits[known])
        roles = EventActor.objects.using(self.using).order_by()
        actors = Actor.objects.using(self.using).values_list("pk", "slug", "name")
        self.actors = Links.build(roles.values_list("event_id", "actor_id"), actors, self)
        at = Event.places.through.objects.using(self.using).order_by()
        places = Place.objects.using(self.using).values_list("pk", "slug", "name")
        self.places = Links.build(at.values_list("event_id", "place_id"), places, self)

    def _as_ids(self, ids) -> np.ndarray:
        """``ids`` in the dtype of ``ids`` when they fit it, so that a search among them
        compares them as they are, with no wider copy of them."""
        ids = np.asarray(ids, dtype=np.int64) if not isinstance(ids, np.ndarray) else ids
        return narrow(ids) if self.ids.dtype == np.int32 else ids

    def known(self, ids) -> np.ndarray:
        """Which of ``ids`` are published events' ids."""
        if not self.size:
            return np.zeros(len(ids), dtype=bool)
        ids = self._as_ids(ids)
        found = np.minimum(np.searchsorted(self._sorted_ids, ids), self.size - 1)
        return self._sorted_ids[found] == ids

    def positions_of(self, ids) -> np.ndarray:
        """The positions (int32) of ``ids``, each a published event's id (``known``)."""
        return self._id_order[np.searchsorted(self._sorted_ids, self._as_ids(ids))]

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

    def count_by_month(self, mask: np.ndarray, year: int) -> dict[int, int]:
        """Events per month of ``year`` they overlap (1 to 12), as
        EventQuerySet.count_by_month counts them."""
        starts = np.array([datetime.date(year, m, 1).toordinal() for m in range(1, 13)])
        end = datetime.date(year, 12, 31).toordinal()
        inside = mask & (self.first <= end) & (self.last >= starts[0])
        first = np.searchsorted(starts, self.first[inside], side="right") - 1
        last = np.searchsorted(starts, self.last[inside], side="right") - 1
        first, last = np.clip(first, 0, 11), np.clip(last, 0, 11)
        running = np.cumsum(np.bincount(first, minlength=13) - np.bincount(last + 1, minlength=13))
        return {m + 1: int(n) for m, n in enumerate(running[:12]) if n}

    # ------------------------------------------------------------ a page of them

    def page_ids(self, mask: np.ndarray, after: int, size: int) -> list[int]:
        """The ids of the first ``size`` masked events at or after position ``after``."""
        found = np.flatnonzero(mask[after:])[:size] + after
        return [int(pk) for pk in self.ids[found]]

    def page_ids_newest(self, mask: np.ndarray, before: int, size: int) -> list[int]:
        """The ids of the last ``size`` masked events before position ``before``, the
        latest first."""
        found = np.flatnonzero(mask[:before])[::-1][:size]
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
        return self._position_of(cursor, "lte", 0)

    def start_before(self, cursor: tuple[datetime.date, str] | None) -> int:
        """The first position at or after ``cursor`` (where a page, newest first, ended),
        so that the events before it are those before the cursor: the end without one."""
        return self._position_of(cursor, "lt", self.size)

    def _position_of(self, cursor, comparison: str, default: int) -> int:
        """The first position after the cursor's day's events whose slug compares so
        (``lte``: up to and with the cursor's; ``lt``: before it)."""
        if cursor is None:
            return default
        date, slug = cursor
        ordinal = date.toordinal()
        low = int(np.searchsorted(self.first, ordinal, side="left"))
        high = int(np.searchsorted(self.first, ordinal, side="right"))
        if low == high:
            return low
        day = [int(pk) for pk in self.ids[low:high]]
        return (
            low
            + Event.objects.using(self.using)
            .filter(pk__in=day, **{f"slug__{comparison}": slug})
            .count()
        )
