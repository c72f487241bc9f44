"""The counts of the chronology and of `/events.json` (how many events match; how many
each year, kind and origin would give with the other filters; the busiest actors and
places among them), and where each comes from, so that none is counted twice for the
same view of the same records:

1. Over the whole published record they are ready: RecordCount rows, counted again
   right after each change to the records commits. A transaction that changes them
   writes a RecordChange row too, so that from the moment the change is visible the
   ready counts are known to leave it out, and are not read until the recount
   (which deletes that row) has replaced them. They are current, or not used.
2. A count of a filtered view is kept in Django's cache, keyed by what it counts, the
   set of filters it is counted for and the version of the records (RecordVersion,
   drawn anew by each recount): counted at most once per view and version, by
   whichever process asks first. Only while the ready counts are current, which is
   when that version says what the records hold.
3. Otherwise, while the ready counts are current, it is counted in the record's index
   for that version (timeline/record_index.py): the published record as arrays, where
   any view's six counts take a few milliseconds. The same index finds the view's page
   of events (``page_ids``).
4. While a change awaits its recount there is no version to trust, so it is counted in
   SQL, under the time budget (timeline/timelimits.py). One that overruns is skipped,
   said so on the page, and kept nowhere.
"""

import functools
import hashlib

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models.signals import post_save

from timeline import record_index, statement_index, word_index
from timeline.forms import ChronologyFilter
from timeline.keyset import PAGE_SIZE, Cursor
from timeline.models import RecordChange, RecordCount, RecordVersion, SearchDocument
from timeline.record_index import FACET_LIMIT
from timeline.timelimits import TimeBudget

# The counts of a view, by name; the ready ones are those of the whole record.
NAMES = tuple(RecordCount.Facet.values)
# The filter each count leaves out: a year's bar, a kind or an origin says how many
# events choosing it would give with the other filters (apply(without=...)).
LEFT_OUT = {"axis": "period", "kind": "kind", "origin": "origin"}
# How long the cache keeps a filtered view's counts and a page's fragments. They never
# go stale (the key carries the version); this only lets those of past versions and
# rare views go.
CACHE_SECONDS = 24 * 3600
# Derived from the records, not a part of them: writing these is no change to them.
DERIVED = (RecordChange, RecordCount, RecordVersion, SearchDocument)


class CacheBatch:
    """The cache reads and writes of one response (its counts, and its fragments:
    timeline/caching.py), a round trip each way: ``fetch`` reads keys at once, ``get``
    answers from what was read (reading a key not fetched yet), ``put`` holds a value
    until ``write`` sends them all. None is no value: a key absent from the cache reads
    as None, and None is never kept."""

    def __init__(self):
        self.found, self.fresh = {}, {}

    def fetch(self, keys):
        if missing := [key for key in keys if key not in self.found]:
            cached = cache.get_many(missing)
            self.found.update({key: cached.get(key) for key in missing})

    def get(self, key: str):
        self.fetch([key])
        return self.found[key]

    def put(self, key: str, value):
        if value is not None:
            self.found[key] = self.fresh[key] = value

    def write(self):
        if self.fresh:
            cache.set_many(self.fresh, CACHE_SECONDS)
        self.fresh = {}


class Counts:
    """The counts of one view, and its page of events: the form's filters over ``events``
    (the published ones)."""

    def __init__(self, form: ChronologyFilter, events, *, version: int | None = None, batch=None):
        """``version``: the records' version as the request read it first, if it did
        (``current_version``), so that it is not asked again. ``batch``: the response's
        CacheBatch (above), which has read the keys that ``keys`` names
        and keeps what is counted here when the response is done; without one, each
        count is read from and kept in the cache at once."""
        self.form, self.events, self.known_version = form, events, version
        self.batch, self._own_batch = batch or CacheBatch(), batch is None
        self._filtered = {}
        self.budget = TimeBudget(settings.TIMELINE_COUNT_TIME_LIMIT_MS, using=events.db)
        self.ready, self.version = None, None
        self._read, self._index, self._masks = False, None, None

    @property
    def skipped(self) -> list[str]:
        """The counts skipped because they would have overrun the time budget."""
        return self.budget.skipped

    def filtered(self, without: str = ""):
        if without not in self._filtered:
            self._filtered[without] = self.form.apply(self.events, without=without)
        return self._filtered[without]

    def index(self, version: int | None):
        """The published record's index at ``version`` (None: count in SQL). Only for
        views of the published record, which is all the index holds."""
        if self._index is None and version is not None:
            self._index = record_index.for_version(version, self.events.db)
        return self._index

    def mask(self, without: str = ""):
        """The index's mask of the events matching the filters, all but ``without``."""
        if self._masks is None:
            data = self.form.cleaned_data
            found = None
            if data.get("q"):
                found = self.matching(data["q"])
            self._masks = self._index.masks(data, found)
        return self._index.combined(self._masks, without)

    def matching(self, query: str) -> np.ndarray:
        """The ids of the events the search ``query`` matches: the one question for the
        database, asked once per version and set of words (kept as 32-bit ids), for the
        same words come back with other filters. Words searched for one at a time before
        answer a search for several of them without it: the events with every word are
        those found for each (their intersection), as the database would find them."""
        words = sorted(set(query.split()))
        keys = [cache_key(self.version, "search", word) for word in words]
        key = cache_key(self.version, "search", " ".join(words))
        self.batch.fetch([key, *keys])  # one round trip
        if (kept := self.batch.get(key)) is not None:
            return np.frombuffer(kept, dtype=np.int32).astype(np.int64)
        each = [self.batch.get(word_key) for word_key in keys]
        if None not in each:
            arrays = sorted((np.frombuffer(ids, dtype=np.int32) for ids in each), key=len)
            found = functools.reduce(
                lambda a, b: np.intersect1d(a, b, assume_unique=True), arrays
            ).astype(np.int64)
        else:
            found = self.events.ids_matching(query, index=self._index)
        self.batch.put(key, found.astype(np.int32).tobytes())
        self._written()
        return found

    def _written(self):
        if self._own_batch:
            self.batch.write()

    def count(self, name: str):
        """Count ``name`` in the database now: an int for "count", {year: n} for "axis",
        {value: n} for "kind" and "origin", and a list of rows, most first, for "actor"
        and "place" (``actor__slug``, ``actor__name``, ``n``)."""
        events = self.filtered(LEFT_OUT.get(name, ""))
        if name == "count":
            return events.count()
        if name == "actor":
            return events.count_by_actor(FACET_LIMIT)
        if name == "place":
            return events.count_by_place(FACET_LIMIT)
        return {"axis": events.count_by_year, "kind": events.count_by_kind,
                "origin": events.count_by_origin}[name]()  # fmt: skip

    def read_ready(self):
        """Read the whole record's ready counts (``ready``, None if not current) and the
        ``version`` of the records they were counted at, once."""
        if not self._read:
            self.ready, self.version = ready_counts(self.events.db, self.known_version)
            self._read = True

    def page_ids(self, cursor: tuple | None) -> list[int] | None:
        """The ids of the matching events after ``cursor``, one more than the page shows
        (so that the page knows whether more follow), found in the record's index and cached per
        version, filters and cursor; None without the index (then the page asks the
        database)."""
        self.read_ready()
        index = self.index(self.version)
        if index is None:
            return None
        key = page_key(self.form, self.version, cursor)
        ids = self.batch.get(key)
        if ids is None:
            size = self.form.page_size() + 1
            if self.form.newest_first():
                ids = index.page_ids_newest(self.mask(), index.start_before(cursor), size)
            else:
                ids = index.page_ids(self.mask(), index.start_after(cursor), size)
            self.batch.put(key, ids)
            self._written()
        return ids

    def values(self, *names: str) -> dict:
        """The counts ``names``, each ready, cached or counted now; None for one skipped.
        Afterwards ``ready`` holds the whole record's ready counts (None if not current)."""
        self.read_ready()
        version = self.version
        found, keys = {}, {}
        for name in names:
            filters = self.form.filter_set(without=LEFT_OUT.get(name, ""))
            if self.ready is not None and not filters:
                found[name] = self.ready[name]
            else:
                keys[name] = (filters, cache_key(version, name, filters) if version else None)
        self.batch.fetch([key for _, key in keys.values() if key])
        for name, (filters, key) in keys.items():
            if key and (kept := self.batch.found[key]) is not None:
                found[name] = kept
                continue
            index = self.index(version)
            if index is not None:
                found[name] = index.count(name, self.mask(LEFT_OUT.get(name, "")))
            else:
                # An overrun is remembered whatever the version: what a count costs does
                # not change with an edit.
                found[name] = self.budget.run(
                    name, lambda n=name: self.count(n), key=name + filters
                )
            if key:
                self.batch.put(key, found[name])
        self._written()
        return {name: found[name] for name in names}

    def every(self, name: str) -> list[dict] | None:
        """Every choice of the ``name`` facet ("actor" or "place") among the matching
        events, most first, as ``values(name)`` gives the first few: from the record's
        index, or while a change awaits its recount in SQL under the time budget (None:
        skipped)."""
        self.read_ready()
        index = self.index(self.version)
        if index is not None:
            return index.links()[name].busiest(self.mask(), name, None)
        events = self.filtered()
        return self.budget.run(
            f"every {name}",
            lambda: getattr(events, f"count_by_{name}")(),
            key=f"every {name}{self.form.filter_set()}",
        )

    def months(self, year: int) -> dict[int, int] | None:
        """Events per month of ``year`` with the other filters (the period left out), as
        the axis of a year's view shows them: cached, counted in the index or, while a
        change awaits its recount, in SQL under the time budget (None: skipped)."""
        self.read_ready()
        filters = self.form.filter_set(without="period")
        key = months_key(self.form, self.version, year) if self.version else None
        if key and (kept := self.batch.get(key)) is not None:
            return kept
        index = self.index(self.version)
        if index is not None:
            found = index.count_by_month(self.mask("period"), year)
        else:
            found = self.budget.run(
                "months",
                lambda: self.filtered("period").count_by_month(year),
                key=f"months{filters}",
            )
        if key:
            self.batch.put(key, found)
            self._written()
        return found

    @staticmethod
    def keys(form: ChronologyFilter, version: int | None) -> list[str]:
        """The cache keys of the counts and the page of events a view of ``form`` may
        need at ``version``, for its CacheBatch to read at once."""
        if version is None:
            return []
        names = ("count", "axis", *form.FACETS)
        keys = [
            *(cache_key(version, name, form.filter_set(without=LEFT_OUT.get(name, "")))
              for name in names),
            page_key(form, version, form.cleaned_data.get("cursor")),
        ]  # fmt: skip
        if year := form.year_of_view():
            keys.append(months_key(form, version, year))
        return keys


def months_key(form: ChronologyFilter, version: int, year: int) -> str:
    """The key of a view's counts per month of ``year`` (its period left out)."""
    return cache_key(version, f"months:{year}", form.filter_set(without="period"))


def page_key(form: ChronologyFilter, version: int, cursor: tuple | None) -> str:
    """The key of the ids of a view's page of events after ``cursor``, in its order, as
    many as it shows."""
    order = "newest:" if form.newest_first() else ""
    size = f"{form.page_size()}:" if form.page_size() != PAGE_SIZE else ""
    what = f"page:{order}{size}" + (Cursor.pack(*cursor) if cursor else "")
    return cache_key(version, what, form.filter_set())


def cache_key(version: int, name: str, filters: str) -> str:
    digest = hashlib.sha256(filters.encode()).hexdigest()[:32]
    return f"count:{version}:{name}:{digest}"


def current_version(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The version of the published record while the ready counts are current, in one
    small query; None while a change awaits its recount (then nothing derived from the
    records may be read from a cache keyed by a version). Asked at least twice by every
    reader's request (before it reads anything, and before it keeps what it rendered),
    so in plain SQL: the ORM took eight times as long to build the query as the
    database to answer it."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('number')} FROM {quote(RecordVersion._meta.db_table)}"
            f" WHERE NOT EXISTS (SELECT 1 FROM {quote(RecordChange._meta.db_table)})"
            f" ORDER BY {quote('id')} LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else None


# This process's last ready counts read, per database: (version, values). A version is
# drawn anew by each recount that replaces them, so those of a version never change.
_ready: dict[str, tuple[int, dict]] = {}


def ready_counts(
    using: str = DEFAULT_DB_ALIAS, version: int | None = None
) -> tuple[dict | None, int | None]:
    """The whole published record's ready counts, as ``Counts.count`` gives them, and the
    version of the records they were counted at; (None, None) while they are not current.

    Those of the current version are read from the database once per process, as its
    index of the record is built once (timeline/record_index.py): later, only whether
    they are still current, in ``current_version``'s one small query. The values are
    shared by every caller: read them, never change them. ``version``: the current one,
    if the caller has just read it."""
    version = version or current_version(using)
    if version is None:
        return None, None
    kept = _ready.get(using)
    if kept is not None and kept[0] == version:
        return kept[1], version
    rows = list(
        RecordCount.objects.using(using)
        .current()
        .order_by("facet", "-n", "name")
        .values_list("facet", "key", "name", "n", "version")
    )
    if not rows:
        return None, None
    values = {"count": 0, "axis": {}, "kind": {}, "origin": {}, "actor": [], "place": []}
    for facet, key, name, n, _ in rows:
        if facet == "count":
            values["count"] = n
        elif facet == "axis":
            values["axis"][int(key)] = n
        elif facet in ("actor", "place"):
            values[facet].append({f"{facet}__slug": key, f"{facet}__name": name, "n": n})
        else:
            values[facet][key] = n
    # Read in one query with the version they were counted at, which may be newer than
    # the one just asked for: a recount committed between the two.
    version = rows[0][-1]
    _ready[using] = (version, values)
    return values, version


def as_rows(values: dict) -> list[RecordCount]:
    """``ready_counts``'s values as RecordCount rows."""
    rows = [RecordCount(facet="count", key="", n=values["count"])]
    for facet in ("axis", "kind", "origin"):
        rows += [RecordCount(facet=facet, key=str(k), n=n) for k, n in values[facet].items()]
    for facet in ("actor", "place"):
        rows += [
            RecordCount(facet=facet, key=row[f"{facet}__slug"], name=row[f"{facet}__name"],
                        n=row["n"])
            for row in values[facet]
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- keeping them ready


def recount(using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> bool:
    """Count the whole published record into RecordCount, if a change awaits counting,
    or there are no counts yet, or ``force``; whether it counted.

    In one transaction, one recount at a time (each waits for the lock on the version's
    row): the changes waiting are read after that lock, so that each was committed before
    the counting began and is in the counts; only those are deleted, so that one committed
    meanwhile, perhaps not counted, keeps the new counts from being read. The counts are
    those of the record's index for the new version, read in the same transaction
    (timeline/record_index.py; docs/performance.md, "Design", gives its time)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        versions = RecordVersion.objects.using(using)
        if not versions.select_for_update().filter(pk=1).exists():
            versions.bulk_create(
                [RecordVersion(number=RecordVersion.draw())], ignore_conflicts=True
            )
            versions.select_for_update().filter(pk=1).exists()
        changes = list(RecordChange.objects.using(using).values_list("pk", flat=True))
        counts = RecordCount.objects.using(using)
        if not (changes or force) and counts.exists():
            return False
        # Counted in the record's index of the new version, read now: faster than SQL
        # (at a million events, 35 s in SQL), and then ready for the readers' requests.
        number = RecordVersion.draw()
        index = record_index.RecordIndex.read(number, using)
        rows = as_rows(index.whole_record(NAMES))
        counts.all().delete()
        counts.bulk_create(rows)
        versions.filter(pk=1).update(number=number)
        for start in range(0, len(changes), 500):
            RecordChange.objects.using(using).filter(pk__in=changes[start : start + 500]).delete()
    # A change after this, in a transaction still open, is one these counts lack.
    connection.timeline_recounts = recounts(connection) + 1
    if not connection.in_atomic_block:
        # This process's, and every process's through a shared cache, once the version
        # is visible: none of them builds it again at its first request; nor the
        # statements' index and the documents' words, when the cache is shared.
        record_index.install(index)
        statement_index.prepare(number, using)
        word_index.prepare(number, using)
    return True


def recounts(connection) -> int:
    """How many recounts this connection has made (its process's own count)."""
    return getattr(connection, "timeline_recounts", 0)


def record_changed(sender, using=DEFAULT_DB_ALIAS, signal=None, **kwargs):
    """Signal receiver: a record is being saved or deleted, or a list of its links
    changed. The change's transaction writes one RecordChange (from then on, the ready
    counts are not read) and, once it commits, recounts. A save outside a transaction
    writes one before its write and one after, then recounts at once: its change is
    never visible while the counts could be taken for current. Writing a row of its own
    (rather than moving a shared number on) keeps two editors' transactions from
    waiting on each other."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        pending = (callback for _, callback, _ in connection.run_on_commit)
        if any(isinstance(callback, RecountAfterCommit) and callback.noted(connection)
               for callback in pending):  # fmt: skip
            return  # this transaction has written its RecordChange since any recount
    RecordChange.objects.using(using).create()
    if connection.in_atomic_block or signal is post_save:
        transaction.on_commit(RecountAfterCommit(connection), using=using, robust=True)


class RecountAfterCommit:
    """The recount a transaction that changed the records leaves for after its commit."""

    def __init__(self, connection):
        self.using, self.after = connection.alias, recounts(connection)

    def noted(self, connection) -> bool:
        """Whether the RecordChange written with it is still to be counted (no recount
        has been made in the transaction since)."""
        return recounts(connection) == self.after

    def __call__(self):
        recount(self.using)


def count_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate: a database just migrated to these counts, or flushed, has them
    counted at once rather than at its first change."""
    tables = connections[using].introspection.table_names()
    if router.allow_migrate_model(using, RecordCount) and all(
        model._meta.db_table in tables for model in DERIVED
    ):
        recount(using)
