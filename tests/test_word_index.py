"""The documents' words in memory (timeline/word_index.py) find what PostgreSQL's
full-text search finds, are built once per change and shared, and step aside (the
database is asked) for what they cannot answer alike. The searches of tests/test_search.py
compare every way of asking too."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_event, make_source, make_statement
from timeline import counts, record_index, word_index
from timeline.models import Event
from timeline.querysets import Term, _documents, _fetch_ids, _saying

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite searches the text itself"),
]

TEXTS = [
    "Road talks in Ağdam", "The roadmap was signed", "A roadblock on the Lachin road",
    "Talks resumed", "Ceasefire 2023 and the 2020 war", "ROADS reopened",
]  # fmt: skip


def record():
    source = make_source(text=" ".join(TEXTS))
    for number, text in enumerate(TEXTS):
        event = make_event(title=f"Event {number}", summary=text)
        make_statement(event=event, source=source, text=text.split()[-1])
    make_event(title="A draft on the road", publication="draft")
    counts.recount(force=True)


def by_database(*words) -> list[int]:
    rows = _documents("default").filter(_saying([Term(word) for word in words], "default"))
    return sorted(_fetch_ids(rows.values_list("pk")).tolist())


def test_words_in_memory_find_the_documents_the_database_finds():
    record()
    index = word_index.WordIndex.read(counts.current_version(), "default")
    searches = [
        ["road"], ["ROAD"], ["roa"], ["r"], ["roads"], ["talks"], ["talks", "road"],
        ["2023"], ["202"], ["lachin", "roadblock"], ["nothing"], ["road", "nothing"],
    ]  # fmt: skip
    for words in searches:
        assert sorted(index.having_all(words).tolist()) == by_database(*words), words
    # Drafts' documents too, as the database's: the record's index leaves them out later.
    draft = Event.objects.get(title="A draft on the road").pk
    assert draft in index.having_all(["road"]).tolist()


def test_a_word_not_in_ascii_is_asked_of_the_database():
    record()
    index = word_index.WordIndex.read(counts.current_version(), "default")
    assert index.having_all(["ağdam"]) is None
    assert index.having_all(["road", "Ağdam"]) is None
    events = Event.objects.published()
    found = events.ids_matching("ağdam road", index=record_index.for_version(
        counts.current_version(), "default"))  # fmt: skip
    assert sorted(found.tolist()) == by_database("ağdam", "road")
    assert len(found) == 1


@pytest.mark.django_db(transaction=True)
def test_after_a_change_commits_its_words_are_ready_in_a_shared_cache(shared_cache, monkeypatch):
    record()
    monkeypatch.setattr(record_index, "PART_BYTES", 16)  # every array in several parts
    event = Event.objects.get(title="Event 3")
    event.summary = "Talks about demining resumed"
    event.save()  # commits, and the recount shares the new version's words
    version = counts.current_version()
    monkeypatch.setattr(word_index, "_current", {})  # another process: none yet
    with CaptureQueriesContext(connection) as queries:
        index = word_index.for_version(version)
    assert len(queries) == 0
    assert index.having_all(["demin"]).tolist() == [event.pk]
    built = word_index.WordIndex.read(version, "default")
    for name, array in built.arrays().items():
        assert np.array_equal(index.arrays()[name], array), name
    assert index.extras() == built.extras()


def test_a_search_finds_its_events_in_memory_without_asking_the_database(monkeypatch):
    record()
    version = counts.current_version()
    monkeypatch.setattr(word_index, "_current", {})
    index = record_index.for_version(version, "default")
    word_index.for_version(version)  # built at the first search after the change
    events = Event.objects.published()
    with CaptureQueriesContext(connection) as queries:
        found = events.ids_matching("roadmap signed", index=index)
    # (The names of actors and places are read, once per version: a term may name one.)
    assert not [query for query in queries if "searchdocument" in query["sql"]]
    assert sorted(found.tolist()) == by_database("roadmap", "signed") != []


def test_past_its_limit_no_word_is_kept_and_the_database_answers(monkeypatch):
    record()
    monkeypatch.setattr(word_index, "MAX_WORDS", 3)
    monkeypatch.setattr(word_index, "_current", {})
    version = counts.current_version()
    assert word_index.for_version(version) is None
    assert word_index._current["default"].ids.size == 0  # nothing held
    found = Event.objects.published().ids_matching(
        "road", index=record_index.for_version(version, "default")
    )
    assert sorted(found.tolist()) == by_database("road")
