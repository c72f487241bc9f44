"""The counts of `/statements/` and `/commitments/` and of their JSON (how many
statements match; how many each speech act, mode and origin would give with the other
filters; the speakers, addressees, relays, sources, points and occasions with the most
of them), and the ids of a view's page, each from where it comes cheapest, as
timeline/counts.py does for the chronology:

1. kept in Django's cache, keyed by the list, what it counts, the set of filters it is
   counted for and the version of the records (``counts.current_version``): counted at
   most once per view and version, by whichever process asks first;
2. otherwise, while there is a version, counted in the published statements' index for
   it (timeline/statement_index.py), in a few milliseconds, as is the page;
3. while a change awaits its recount there is no version to trust: counted in SQL,
   under the time budget (timeline/timelimits.py). One that overruns is skipped, said so
   on the page, and kept nowhere.
"""

import hashlib

import numpy as np
from django.conf import settings

from timeline import statement_index
from timeline.counts import CacheBatch, cache_key, current_version
from timeline.dates import format_date
from timeline.forms import StatementFilter
from timeline.models import Actor, Event, Point, Source
from timeline.record_index import FACET_LIMIT
from timeline.timelimits import TimeBudget

NAMES = ("count", *StatementFilter.FACETS)
# Whose ids each facet counts; points are counted by slug.
ACTOR_FACETS = ("speaker", "addressee", "relayer")
# The column each single-valued facet counts, in SQL.
COLUMNS = {"speaker": "speaker_id", "source": "source_id", "event": "event_id"}
VALUES = {"act": "speech_act", "mode": "mode", "origin": "source__origin"}


def left_out(name: str) -> str:
    """The filter a count leaves out: its own, when any one of its values is enough."""
    return name if name in StatementFilter.ANY_OF else ""


class StatementCounts:
    """The counts of one view of a list (its validated ``form``) over ``statements``
    (the published ones), and its page."""

    def __init__(self, form: StatementFilter, statements, *, version=None, batch=None):
        """``version``: the records' version as the request read it first, if it did;
        ``batch``: the response's CacheBatch (timeline/counts.py), which has read the keys
        ``keys`` names and keeps what is counted here once the response is done; without
        one, each count is read from and kept in the cache at once."""
        self.form, self.statements, self.using = form, statements, statements.db
        self.version = version if version is not None else current_version(self.using)
        self.batch, self._own_batch = batch or CacheBatch(), batch is None
        self.budget = TimeBudget(settings.TIMELINE_COUNT_TIME_LIMIT_MS, using=self.using)
        self._index, self._masks = None, None

    @property
    def skipped(self) -> list[str]:
        """The counts skipped because they would have overrun the time budget."""
        return self.budget.skipped

    @staticmethod
    def list_name(form: StatementFilter) -> str:
        return "commitments" if form.COMMITMENTS else "statements"

    @classmethod
    def keys(cls, form: StatementFilter, version: int | None) -> list[str]:
        """The cache keys of the counts a view of ``form`` may need at ``version``, and of
        its search's ids, for its CacheBatch to read at once."""
        if version is None:
            return []
        keys = [count_key(form, version, name) for name in NAMES]
        if form.cleaned_data.get("q"):
            keys.append(search_key(version, form.cleaned_data["q"]))
        return keys

    def index(self):
        """The published statements' index at the version (None: count in SQL)."""
        if self._index is None and self.version is not None:
            self._index = statement_index.for_version(self.version, self.using)
        return self._index

    def mask(self, without: str = "") -> np.ndarray:
        """The index's mask of the statements matching the filters, all but ``without``."""
        index = self.index()
        if self._masks is None:
            data = self.form.cleaned_data
            found = self.matching(data["q"]) if data.get("q") else None
            ids = {
                name: list(
                    model.objects.using(self.using)
                    .filter(slug__in=data[name])
                    .values_list("pk", flat=True)
                )
                for name, model in (("source", Source), ("event", Event))
                if data.get(name)
            }
            self._masks = index.masks(data, commitments=self.form.COMMITMENTS, found=found, ids=ids)
        return index.combined(self._masks, without)

    def matching(self, query: str) -> np.ndarray:
        """The ids of the statements (published or not) with the words of ``query``: the
        one question for the database, asked once per version and set of words (kept
        as 32-bit ids), for the same words come back with other filters."""
        key = search_key(self.version, query)
        if (kept := self.batch.get(key)) is not None:
            return np.frombuffer(kept, dtype=np.int32).astype(np.int64)
        found = self.statements.model.objects.using(self.using).ids_saying(query)
        self.batch.put(key, found.astype(np.int32).tobytes())
        self._written()
        return found

    def _written(self):
        if self._own_batch:
            self.batch.write()

    def values(self, *names: str) -> dict:
        """The counts ``names``, each cached, counted in the index or in SQL now; None for
        one skipped. A count of statements is an int; of acts, modes and origins a dict
        {value: n}; of the others a list of the busiest, most first, each a dict of
        ``slug``, ``label`` and ``n``."""
        found, fresh = {}, {}
        keys = {name: count_key(self.form, self.version, name) for name in names}
        if self.version is not None:
            self.batch.fetch(list(keys.values()))
        for name in names:
            key = keys[name]
            if key and (kept := self.batch.found.get(key)) is not None:
                found[name] = kept
            elif self.index() is not None:
                fresh[name] = self.index().count(name, self.mask(left_out(name)), FACET_LIMIT)
            else:
                filters = self.form.filter_set(without=left_out(name))
                # An overrun is remembered whatever the version: what a count costs does
                # not change with an edit.
                fresh[name] = self.budget.run(
                    name,
                    lambda n=name: self.count(n),
                    key=f"{self.list_name(self.form)}:{name}{filters}",
                )
        for name, value in labelled(fresh, self.index(), self.using).items():
            found[name] = value
            if keys[name]:
                self.batch.put(keys[name], value)
        self._written()
        return {name: found[name] for name in names}

    def count(self, name: str):
        """Count ``name`` in SQL now, as StatementIndex.count gives it."""
        statements = self.form.apply(self.statements, without=left_out(name))
        if name == "count":
            return statements.count()
        if name in VALUES:
            return statements.count_by_value(VALUES[name])
        if name in COLUMNS:
            return statements.count_by_column(COLUMNS[name], FACET_LIMIT)
        return statements.count_by_link(name, FACET_LIMIT)

    def page_ids(self, cursor, size: int | None, *, newest: bool) -> list[int] | None:
        """The ids of the matching statements after ``cursor``, ``size`` of them (None:
        all), newest first or in date order, found in the index; None without one (then
        the caller asks the database)."""
        if self.index() is None:
            return None
        return self.index().page_ids(self.mask(), cursor, size, newest=newest)


def count_key(form: StatementFilter, version: int | None, name: str) -> str | None:
    """The cache key of count ``name`` of a view of ``form`` at ``version``."""
    if version is None:
        return None
    what = f"{StatementCounts.list_name(form)}:{name}"
    return cache_key(version, what, form.filter_set(without=left_out(name)))


def search_key(version: int, query: str) -> str:
    """The cache key of the ids of the statements with the words of ``query``."""
    words = " ".join(sorted(set(query.split())))
    return f"statement-search:{version}:{hashlib.sha256(words.encode()).hexdigest()[:32]}"


def labelled(counts: dict, index, using: str) -> dict:
    """``counts`` (by name, as StatementIndex.count gives them) with each key of a busiest
    list as a dict of its ``slug``, ``label`` and ``n``: the actors named from the index,
    or with the sources, occasions and points in one query each (at most)."""
    wanted = {
        name: [key for key, _ in rows] for name, rows in counts.items() if isinstance(rows, list)
    }
    names = {}
    actors = {pk for name in ACTOR_FACETS for pk in wanted.get(name, [])}
    if actors:
        names["actor"] = (
            {pk: index.actors[pk] for pk in actors}
            if index is not None
            else {
                pk: (slug, name)
                for pk, slug, name in Actor.objects.using(using)
                .filter(pk__in=actors)
                .values_list("pk", "slug", "name")
            }
        )
    if wanted.get("source"):
        rows = Source.objects.using(using).filter(pk__in=wanted["source"])
        names["source"] = {
            pk: (slug, source_label(headline, outlet, published, slug))
            for pk, slug, headline, outlet, published in rows.values_list(
                "pk", "slug", "headline", "outlet", "published"
            )
        }
    if wanted.get("event"):
        rows = Event.objects.using(using).filter(pk__in=wanted["event"])
        names["event"] = {
            pk: (slug, title) for pk, slug, title in rows.values_list("pk", "slug", "title")
        }
    if wanted.get("point"):
        names["point"] = (
            {slug: (slug, index.point_name(slug)) for slug in wanted["point"]}
            if index is not None
            else {
                slug: (slug, name)
                for slug, name in Point.objects.using(using)
                .filter(slug__in=wanted["point"], event__publication="published")
                .order_by("-event__date_start")  # the earliest event's name, last, wins
                .values_list("slug", "name")
            }
        )
    result = {}
    for name, rows in counts.items():
        if name not in wanted:
            result[name] = rows
            continue
        table = names.get("actor" if name in ACTOR_FACETS else name, {})
        result[name] = [
            {"slug": table[key][0], "label": table[key][1], "n": n}
            for key, n in rows
            if key in table
        ]
    return result


def source_label(headline: str, outlet: str, published, slug: str) -> str:
    """How a source reads in a list of choices: its headline (or slug), its outlet and date."""
    outlet = Source(outlet=outlet).outlet_label
    when = f", {format_date(published)}" if published else ""
    return f"{headline or slug} ({outlet}{when})"
