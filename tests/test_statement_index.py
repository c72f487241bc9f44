"""The statements' index reads its rows a range of ids at a time: the same columns as one
query would give, whatever the ranges' size; and, when every process shares the cache,
the recount builds it once for all, and each process loads the same index."""

import numpy as np
import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline import counts, record_index, statement_index
from timeline.models import Point, Relay, Statement
from timeline.querysets import fetch_columns
from timeline.statement_index import StatementIndex, fetch_in_ranges

pytestmark = pytest.mark.django_db


def test_rows_read_a_range_of_ids_at_a_time_are_all_the_rows_once():
    for _ in range(5):
        make_statement()
    rows = Statement.objects.order_by().values_list("pk", "sort_date", "speaker_id")
    whole = sorted(zip(*(c.tolist() for c in fetch_columns(rows, days=(1,))), strict=True))
    for size in (1, 2, 3, 100):
        ranged = fetch_in_ranges(rows, days=(1,), size=size)
        assert all(column.dtype == np.int32 for column in ranged)
        assert sorted(zip(*(column.tolist() for column in ranged), strict=True)) == whole


def test_no_rows_give_empty_columns():
    rows = Statement.objects.order_by().values_list("pk", "speaker_id")
    assert [len(column) for column in fetch_in_ranges(rows)] == [0, 0]


def small_record():
    """Statements with a speaker, addressees, relays and a point each, on two events."""
    texts = ["The envoy urged talks.", "The envoy urged calm."]
    source = make_source(slug="readout", origin="united-states", text=" ".join(texts))
    envoy, minister, outlet = (make_actor(slug=slug) for slug in ("envoy", "minister", "outlet"))
    statements = []
    for day, text in enumerate(texts, start=1):
        event = make_event(slug=f"talks-{day}", sources=[source])
        said = make_statement(
            event=event, source=source, speaker=envoy, speech_act="urges", text=text
        )
        said.addressees.set([minister])
        Relay.objects.create(statement=said, actor=outlet, position=1)
        Point.objects.create(event=event, slug="amnesty", name="Amnesty").statements.add(said)
        statements.append(said)
    return statements


def test_a_process_loads_the_statements_index_another_built_from_a_shared_cache(
    shared_cache, monkeypatch
):
    monkeypatch.setattr(record_index, "PART_BYTES", 16)  # every array in several parts
    small_record()
    counts.recount()
    version = counts.current_version()
    built = StatementIndex.build(version, "default")
    with CaptureQueriesContext(connection) as queries:
        loaded = record_index.shared(version, "default", StatementIndex)
    assert len(queries) == 0
    assert loaded is not built
    assert loaded.arrays().keys() == built.arrays().keys()
    for name, array in built.arrays().items():
        assert loaded.arrays()[name].dtype == array.dtype, name
        assert np.array_equal(loaded.arrays()[name], array), name
    assert loaded.extras() == built.extras()
    everything = loaded.combined({})
    for name in ("count", "act", "speaker", "addressee", "relayer", "point", "event"):
        assert loaded.count(name, everything, 10) == built.count(name, everything, 10), name
    assert loaded.actor_name("minister") == built.actor_name("minister")


@pytest.mark.django_db(transaction=True)
def test_after_a_change_commits_its_statements_index_is_ready_in_a_shared_cache(
    shared_cache, monkeypatch
):
    small_record()  # each save commits and recounts
    version = counts.current_version()
    monkeypatch.setattr(statement_index, "_current", {})  # another process: none yet
    with CaptureQueriesContext(connection) as queries:
        index = statement_index.for_version(version)
    assert len(queries) == 0
    assert index.count("count", index.combined({}), 10) == 2
    assert [index.actor(number)[0] for number, _ in index.addressees.busiest(
        index.combined({}), 5)] == ["minister"]  # fmt: skip


def test_without_a_shared_cache_the_recount_leaves_the_statements_index_to_each_process(
    monkeypatch,
):
    monkeypatch.setattr(statement_index, "_current", {})
    small_record()
    counts.recount()
    assert statement_index._current == {}


@pytest.mark.django_db(transaction=True)
def test_the_cache_keeps_only_the_latest_versions_index(shared_cache):
    small_record()
    counts.recount(force=True)
    cache, first = caches["default"], counts.current_version()
    keys = []
    for kind in (StatementIndex, record_index.RecordIndex):
        key = record_index.shared_key(first, "default", kind)
        keys += [key] + [
            f"{key}:{name}:{number}"
            for name, (_, _, parts) in cache.get(key)["arrays"].items()
            for number in range(parts)
        ]
    assert all(cache.get(key) is not None for key in keys)
    counts.recount(force=True)
    assert [key for key in keys if cache.get(key) is not None] == []
    assert record_index.shared(counts.current_version(), "default", StatementIndex) is not None
