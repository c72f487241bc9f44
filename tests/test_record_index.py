"""The chronology's pages found in the record's index (timeline/record_index.py) are the
pages the database finds: the same events in the same order, page after page, for any
filters and any cursor, a draft's included; and the index is small, and shared between
processes array by array, whole or not at all."""

import datetime
import pickle
import weakref

import numpy as np
import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source
from timeline import counts, record_index
from timeline.keyset import Cursor
from timeline.models import Event
from timeline.querysets import EventQuerySet

pytestmark = pytest.mark.django_db
D = datetime.date

VIEWS = [
    {},
    {"actor": ["busy"]},
    {"actor": ["busy", "quiet"]},
    {"kind": ["talks"], "origin": ["armenia"]},
    {"from": "2020-10", "to": "2020-10"},
    {"place": ["lachin"], "q": "summary"},
]


@pytest.fixture
def record():
    """45 published events, several on one day (ordered there by slug), and drafts."""
    busy, quiet, lachin = (
        make_actor(slug="busy"),
        make_actor(slug="quiet"),
        make_place(slug="lachin"),
    )
    armenian = make_source(origin="armenia")
    for n in range(45):
        make_event(
            slug=f"e-{(n * 7) % 45:02d}",  # slugs out of order within a day
            date_start=D(2020, 10, 1 + n // 6),
            date_end=D(2021, 1, 1) if n % 11 == 0 else None,
            kind="talks" if n % 2 else "meeting",
            actors=[busy, quiet] if n % 3 else [busy],
            places=[lachin] if n % 4 else [],
            sources=[armenian] if n % 5 else [make_source()],
        )
    make_event(slug="e-draft", date_start=D(2020, 10, 2), publication="draft", actors=[busy])
    counts.recount()
    cache.clear()


def titles_page_after_page(client, view) -> list[list[str]]:
    pages, params = [], dict(view)
    while True:
        response = client.get(reverse("timeline:chronology"), params)
        assert response.status_code == 200
        pages.append([entry["event"].slug for entry in response.context["entries"]])
        if not response.context["more_url"]:
            return pages
        # Page by page: the page after the last event shown.
        params = {**view, "cursor": Cursor.encode(response.context["entries"][-1]["event"])}


def test_pages_from_the_index_are_the_databases_pages(client, record, monkeypatch):
    from_index = {i: titles_page_after_page(client, view) for i, view in enumerate(VIEWS)}
    assert all(sum(map(len, pages)) for pages in from_index.values())
    assert len(from_index[0]) == 3  # 45 events: three pages
    monkeypatch.setattr(record_index, "for_version", lambda *args: None)
    cache.clear()
    assert from_index == {i: titles_page_after_page(client, view) for i, view in enumerate(VIEWS)}


def test_the_index_finds_the_page_and_the_database_fetches_it_by_id(client, record, monkeypatch):
    monkeypatch.setattr(EventQuerySet, "after", lambda *args: 1 / 0)  # the page query
    response = client.get(reverse("timeline:chronology"), {"actor": "busy", "kind": "talks"})
    assert response.status_code == 200
    assert len(response.context["entries"]) == 20


def test_a_cursor_naming_a_draft_pages_from_the_index_as_if_it_did_not_exist(client, record):
    cursor = {"cursor": Cursor.pack(D(2020, 10, 2), "e-draft")}
    with_draft = client.get(reverse("timeline:chronology"), cursor)
    Event.objects.filter(slug="e-draft").delete()
    counts.recount()
    cache.clear()
    without_draft = client.get(reverse("timeline:chronology"), cursor)
    assert with_draft.status_code == without_draft.status_code == 200
    assert with_draft.content == without_draft.content


def assert_same_index(one, other):
    assert (one.version, one.size) == (other.version, other.size)
    assert one.arrays().keys() == other.arrays().keys()
    for name, array in one.arrays().items():
        assert array.dtype == other.arrays()[name].dtype, name
        assert np.array_equal(array, other.arrays()[name]), name
    for name, links in one.links().items():
        twin = other.links()[name]
        assert (links.slugs, links.names, links.by_slug) == (twin.slugs, twin.names, twin.by_slug)


def test_every_array_of_the_index_takes_32_bits_or_fewer_a_value(record):
    index = record_index.RecordIndex.read(counts.current_version(), "default")
    assert index.size == 45
    assert {name: array.itemsize for name, array in index.arrays().items()} == {
        "ids": 4, "first": 4, "last": 4, "first_year": 2, "last_year": 2, "kind": 1, "origins": 1,
        "_sorted_ids": 4, "_id_order": 4,
        "actor.positions": 4, "actor.starts": 4, "actor.name_rank": 4,
        "place.positions": 4, "place.starts": 4, "place.name_rank": 4,
    }  # fmt: skip
    assert index.positions_of(index.ids[:3]).tolist() == [0, 1, 2]


def test_an_index_loaded_from_a_shared_cache_is_the_one_built_array_by_array(
    record, shared_cache, monkeypatch
):
    monkeypatch.setattr(record_index, "PART_BYTES", 64)  # most arrays in several parts
    version = counts.current_version()
    built = record_index.RecordIndex.build(version, "default")
    loaded = record_index.shared(version, "default")
    assert loaded is not built
    assert_same_index(loaded, built)
    everything = loaded.combined({})
    assert loaded.count("actor", everything) == built.count("actor", everything)


def test_the_index_is_shared_as_raw_parts_no_larger_than_a_part(record, shared_cache, monkeypatch):
    monkeypatch.setattr(record_index, "PART_BYTES", 64)
    stored = {}
    monkeypatch.setattr(
        caches["default"], "set", lambda key, value, *args: stored.setdefault(key, value)
    )
    index = record_index.RecordIndex.read(counts.current_version(), "default")
    record_index.share(index)
    manifest = stored.pop(record_index.shared_key(index.version, "default"))
    assert stored.pop("record-index:default:latest") == index.version
    assert len(stored) > len(index.arrays())
    assert all(type(part) is bytes and len(part) <= 64 for part in stored.values())
    assert sum(map(len, stored.values())) == sum(a.nbytes for a in index.arrays().values())
    assert len(pickle.dumps(manifest)) < 2_000  # names and sizes, no array


@pytest.mark.parametrize("damage", ["missing", "short"])
def test_a_process_builds_its_own_index_when_a_part_of_the_shared_one_is_gone(
    record, shared_cache, monkeypatch, damage
):
    monkeypatch.setattr(record_index, "PART_BYTES", 64)
    monkeypatch.setattr(record_index, "_current", {})  # this process has none yet
    version = counts.current_version()
    built = record_index.for_version(version)  # built here, and shared
    part = f"{record_index.shared_key(version, 'default')}:actor.positions:1"
    if damage == "missing":
        cache.delete(part)
    else:
        cache.set(part, cache.get(part)[:-4])
    record_index._current.clear()  # another process
    assert record_index.shared(version, "default") is None
    builds = []
    build = record_index.RecordIndex.build
    monkeypatch.setattr(
        record_index.RecordIndex, "build", lambda *args: builds.append(args) or build(*args)
    )
    loaded = record_index.for_version(version)
    assert builds == [(version, "default")]
    assert_same_index(loaded, built)


def test_a_process_lets_its_old_index_go_before_it_builds_the_new_one(record, monkeypatch):
    version = counts.current_version()
    monkeypatch.setattr(record_index, "_current", {})
    record_index._current["default"] = record_index.RecordIndex.read(version + 1, "default")
    old = weakref.ref(record_index._current["default"])
    alive_while_building = []
    build = record_index.RecordIndex.build

    def observed_build(*args):
        alive_while_building.append(old() is not None)
        return build(*args)

    monkeypatch.setattr(record_index.RecordIndex, "build", observed_build)
    assert record_index.for_version(version).version == version
    assert alive_while_building == [False]


def test_a_few_events_facets_count_their_own_links_as_a_scan_of_every_link_does(
    record, monkeypatch
):
    index = record_index.RecordIndex.read(counts.current_version(), "default")
    rng = np.random.default_rng(1991)
    masks = [np.zeros(index.size, bool), np.ones(index.size, bool)]
    masks += [np.arange(index.size) == n for n in range(index.size)]  # each event alone
    masks += [rng.random(index.size) < share for share in (0.05, 0.2, 0.5) for _ in range(5)]

    def facets(sparse):
        monkeypatch.setattr(record_index, "SPARSE", sparse)
        return [
            [links.busiest(mask, name, limit) for name, links in index.links().items()]
            for mask in masks
            for limit in (1, None)
        ]

    # Every mask counted by its events' links (any is sparse enough), then by the scan.
    by_events, by_scan = facets(0), facets(index.size + 1)
    assert by_events == by_scan
    # Past the number of events whose links are grouped by event too, only the scan.
    monkeypatch.setattr(record_index, "GROUPED_BY_EVENT_UP_TO", index.size - 1)
    for links in index.links().values():
        links._by_event = None
    assert facets(0) == by_scan
    assert all(links._by_event is None for links in index.links().values())
    every_event_one_actor = by_events[2][0]
    assert [(row["actor__slug"], row["n"]) for row in every_event_one_actor] == [("busy", 45)]
