"""The counts of `/` and `/events.json`: ready over the whole published record and
current after every change an editor makes, counted once per filtered view and
version of the records, and listed without numbers, never as "None", when skipped."""

import datetime
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import admin_url, form_data, new_event_data
from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline import counts, record_index
from timeline.forms import ChronologyFilter
from timeline.models import Actor, Event, RecordChange, RecordCount
from timeline.querysets import EventQuerySet

pytestmark = pytest.mark.django_db
D = datetime.date
COUNTING = (
    "count",
    "count_by_year",
    "count_by_kind",
    "count_by_origin",
    "count_by_actor",
    "count_by_place",
)


def refuse_to_count(monkeypatch):
    """From now on, any count of events fails the test."""

    def refused(*args, **kwargs):
        raise AssertionError("counted events on a reader's request")

    for method in COUNTING:
        monkeypatch.setattr(EventQuerySet, method, refused)
    monkeypatch.setattr(record_index.RecordIndex, "count", refused)


def chronology(client, params=None):
    response = client.get(reverse("timeline:chronology"), params or {})
    assert response.status_code == 200
    return response


def events_for(params: dict):
    """The published events a query string selects."""
    form = ChronologyFilter(QueryDict(urlencode(params, doseq=True)))
    assert form.is_valid(), form.errors
    return form.apply(Event.objects.published())


def shown(response) -> dict:
    """Every count the page shows, by what it counts: ("count",), ("axis", 2020),
    ("kind", "meeting"), ("actor", "central"), ..."""
    context = response.context
    found = {("count",): context["count"]}
    found.update({("axis", bar["year"]): bar["count"] for bar in context["axis"]})
    for name, options in context["facets"].items():
        found.update({(name, option["value"]): option["count"] for option in options})
    return found


def truth(params: dict, what: tuple) -> int:
    """How many events the choice ``what`` gives in the view ``params``, counted afresh:
    a bar or a kind or origin with the other filters, an actor or a place among the
    matching events."""
    if what == ("count",):
        return events_for(params).count()
    name, value = what
    if name == "axis":
        view = {k: v for k, v in params.items() if k not in ("from", "to")}
        return events_for({**view, "from": str(value), "to": str(value)}).count()
    if name in ("kind", "origin"):
        return events_for({**params, name: [value]}).count()
    return events_for({**params, name: [*params.get(name, []), value]}).count()


def assert_counts_true(response, params):
    counted = shown(response)
    assert not response.context["skipped"]
    assert counted == {what: truth(params, what) for what in counted}
    return counted


# ---------------------------------------------------------------- after an editor's change

VIEWS = [
    {},
    {"actor": ["central"]},
    {"kind": ["meeting"]},
    {"from": "2020", "to": "2020"},
    {"q": "talks"},
    {"actor": ["central"], "place": ["lachin"], "origin": ["azerbaijan"]},
]


@pytest.fixture
def record(transactional_db, editor):
    """A small published record, committed, and its ready counts."""
    with transaction.atomic():
        central, other = make_actor(slug="central"), make_actor(slug="other")
        make_actor(slug="spare")
        lachin, shusha = make_place(slug="lachin"), make_place(slug="shusha")
        american = make_source(slug="american", origin="united-states")
        azerbaijani = make_source(slug="azerbaijani", origin="azerbaijan")
        make_event(
            slug="talks",
            title="Peace talks",
            date_start=D(2020, 10, 1),
            kind="meeting",
            actors=[central, other],
            places=[lachin],
            sources=[american, azerbaijani],
        )
        make_event(
            slug="clash",
            date_start=D(2020, 9, 27),
            kind="hostilities",
            actors=[central],
            places=[shusha],
            sources=[azerbaijani],
        )
        make_event(
            slug="call",
            date_start=D(2016, 4, 5),
            kind="phone-call",
            actors=[other],
            places=[lachin],
            sources=[american],
        )
        make_event(
            slug="draft",
            date_start=D(2020, 11, 9),
            kind="meeting",
            actors=[central],
            places=[lachin],
            sources=[azerbaijani],
            publication="draft",
        )
    return {"central": central, "lachin": lachin, "azerbaijani": azerbaijani}


def add_event(editor_client, record):
    data = new_event_data(
        publication="published",
        date_start="2020-11-10",
        sources=[record["azerbaijani"]],
        places=[record["lachin"]],
        roles=[(record["central"], "participant")],
    )
    return editor_client.post(admin_url(Event, "add"), data)


def bulk_action(action: str, slug: str):
    def act(editor_client, record):
        event = Event.objects.get(slug=slug)
        changelist = admin_url(Event, "changelist")
        return editor_client.post(changelist, {"action": action, "_selected_action": [event.pk]})

    return act


def edit_roles(slug: str, change):
    """The event's admin form posted back with ``change`` made to its actors' rows."""

    def edit(editor_client, record):
        url = admin_url(Event, "change", Event.objects.get(slug=slug).pk)
        data = form_data(editor_client.get(url))
        change(data, record)
        return editor_client.post(url, data)

    return edit


def give_central_a_part(data, record):
    index = int(data["roles-TOTAL_FORMS"])
    data["roles-TOTAL_FORMS"] = str(index + 1)
    data.update({f"roles-{index}-actor": record["central"].pk, f"roles-{index}-role": "mediator"})


def take_centrals_part_away(data, record):
    for key, value in list(data.items()):
        if key.endswith("-actor") and value == record["central"].pk:
            data[key.replace("-actor", "-DELETE")] = "on"


def make_others_part_mediation(data, record):
    for key, value in list(data.items()):
        if key.endswith("-actor") and value != record["central"].pk:
            data[key.replace("-actor", "-role")] = "mediator"


def delete_event(editor_client, record):
    url = admin_url(Event, "delete", Event.objects.get(slug="clash").pk)
    return editor_client.post(url, {"post": "yes"})


EDITS = {
    "an added published event": add_event,
    "a publication": bulk_action("publish", "draft"),
    "an unpublication": bulk_action("unpublish", "talks"),
    "an actor given a part in an event": edit_roles("call", give_central_a_part),
    "an actor's part in an event taken away": edit_roles("talks", take_centrals_part_away),
    "an actor's role changed": edit_roles("talks", make_others_part_mediation),
    "a deleted event": delete_event,
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_every_count_shown_is_current_after_an_editors_change(client, editor_client, record, edit):
    assert counts.ready_counts()[0] is not None  # counted when the record was committed
    before = [assert_counts_true(chronology(client, view), view) for view in VIEWS]

    response = edit(editor_client, record)

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not RecordChange.objects.exists()  # counted again once the change committed
    after = [assert_counts_true(chronology(client, view), view) for view in VIEWS]
    if edit is not EDITS["an actor's role changed"]:
        assert after != before  # the change is one the counts show


# ---------------------------------------------------------------- ready: never counted on request


def small_record():
    central, lachin = make_actor(slug="central"), make_place(slug="lachin")
    make_event(
        title="Talks",
        date_start=D(2020, 10, 1),
        kind="talks",
        actors=[central],
        places=[lachin],
        sources=[make_source(origin="azerbaijan")],
    )
    make_event(
        date_start=D(1992, 5, 8),
        date_end=D(1994, 5, 12),
        date_precision="month",
        kind="hostilities",
        actors=[central, make_actor()],
    )
    make_event(date_start=D(2020, 10, 10), publication="draft", actors=[central])


def test_the_whole_record_is_never_counted_on_a_readers_request(client, monkeypatch):
    small_record()
    counts.recount()
    year = {"from": "2020", "to": "2020"}
    whole, in_year = assert_counts_true(chronology(client), {}), shown(chronology(client, year))
    refuse_to_count(monkeypatch)

    assert shown(chronology(client)) == whole
    assert client.get(reverse("timeline:events-json")).json()["count"] == 2
    # A year's view: its own events are counted (and cached), its axis is the record's.
    assert shown(chronology(client, year)) == in_year


def test_filtered_views_are_counted_from_the_records_index_never_in_sql(client, monkeypatch):
    small_record()
    two_origins = [make_source(origin="armenia"), make_source(origin="azerbaijan")]
    third = make_actor(slug="third")
    make_event(kind="talks", date_start=D(2021, 3, 1), actors=[third], sources=two_origins)
    counts.recount()
    views = [
        *VIEWS[1:],
        {"actor": ["central", "third"]},
        {"from": "1993-02", "to": "1993-03"},
        {"origin": ["armenia", "azerbaijan"], "kind": ["talks", "hostilities"]},
    ]
    monkeypatch.setattr(counts.Counts, "count", lambda *args: 1 / 0)  # counting in SQL
    for view in views:
        assert_counts_true(chronology(client, view), view)


def test_a_readers_filters_of_the_records_actors_and_places_are_checked_without_a_query(client):
    place = make_place(slug="brussels", name="Brussels")
    make_event(actors=[make_actor(slug="central", name="Central Actor")], places=[place])
    counts.recount()
    chronology(client)  # the index of this version is built
    with CaptureQueriesContext(connection) as queries:
        html = chronology(client, {"actor": ["central"], "place": ["brussels"]}).content.decode()
    assert "Actor: Central Actor" in html
    assert "Place: Brussels" in html
    # Checking a slug is a query for the rows of that slug; the page's own queries
    # (its events' actors and places) are not.
    asked = [q["sql"] for q in queries if '"slug" IN (' in q["sql"]]
    assert asked == []


def test_an_actor_who_only_speaks_is_still_known_to_the_filter(client):
    """The index holds the actors with a part in a published event; one who only speaks
    in one is public too, and is found by the query the index cannot answer."""
    event = make_event(actors=[make_actor(slug="central")])
    make_statement(event=event, speaker=make_actor(slug="spokesperson", name="A Spokesperson"))
    counts.recount()
    response = client.get(reverse("timeline:chronology"), {"actor": "spokesperson"})
    assert response.status_code == 200
    assert "Actor: A Spokesperson" in response.content.decode()
    assert client.get(reverse("timeline:chronology"), {"actor": "nobody"}).status_code == 400


def whole_record() -> ChronologyFilter:
    """The chronology with no filter, whose counts in SQL the ready ones must equal."""
    form = ChronologyFilter(QueryDict())
    form.full_clean()
    return form


def test_the_ready_counts_are_those_of_the_whole_published_record():
    small_record()
    assert counts.recount()
    ready, version = counts.ready_counts()
    view = counts.Counts(whole_record(), Event.objects.published())
    assert ready == {name: view.count(name) for name in counts.NAMES}
    assert ready["axis"] == {1992: 1, 1993: 1, 1994: 1, 2020: 1}
    assert version is not None
    assert not counts.recount()  # nothing changed since: nothing to count


def test_the_ready_counts_are_not_read_while_a_change_awaits_counting():
    small_record()
    counts.recount()
    make_event(date_start=D(2001, 1, 1))
    assert counts.ready_counts() == (None, None)
    counts.recount()
    assert counts.ready_counts()[0]["axis"][2001] == 1


def test_a_change_committed_while_counting_keeps_the_new_counts_from_being_read(monkeypatch):
    small_record()
    count = record_index.RecordIndex.count

    def count_while_someone_changes_the_record(self, name, mask):
        if name == "place":
            RecordChange.objects.create()  # another transaction's, committed meanwhile
        return count(self, name, mask)

    monkeypatch.setattr(record_index.RecordIndex, "count", count_while_someone_changes_the_record)
    counts.recount()
    assert counts.ready_counts() == (None, None)
    monkeypatch.undo()
    counts.recount()
    assert counts.ready_counts()[0] is not None


# ---------------------------------------------------------------- filtered: once per version


def test_a_filtered_view_is_counted_once_per_version_of_the_records(client, monkeypatch):
    small_record()
    central, second = Actor.objects.get(slug="central"), make_actor(slug="second")
    make_event(actors=[central, second])
    counts.recount()
    pair = {"actor": ["central", "second"], "q": "event summary"}
    first = assert_counts_true(chronology(client, pair), pair)

    refuse_to_count(monkeypatch)
    # The same filters in another order: the same set, counted once.
    same = {"q": "summary event", "actor": ["second", "central"]}
    assert shown(chronology(client, same)) == first
    assert client.get(reverse("timeline:events-json"), same).json()["count"] == 1

    monkeypatch.undo()
    make_event(actors=[central, second])
    counts.recount()  # the change has committed: a new version
    again = assert_counts_true(chronology(client, pair), pair)
    assert again[("count",)] == first[("count",)] + 1


def record_cache_round_trips(monkeypatch) -> list[str]:
    """From now on, the name of each call to the cache (a round trip to Redis), in order;
    not those a call makes of its own (the local memory cache's get_many calls get)."""
    calls, backend, depth = [], caches["default"], [0]

    def counted(name, method):
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    return calls


def test_a_new_views_counts_page_and_fragments_take_one_cache_round_trip_each_way(
    client, monkeypatch
):
    small_record()
    counts.recount()
    calls = record_cache_round_trips(monkeypatch)
    view = {"actor": ["central"], "kind": ["talks"]}
    assert_counts_true(chronology(client, view), view)
    assert calls == ["get_many", "set_many"]
    calls.clear()
    chronology(client, view)  # all of it kept: read, nothing written
    assert calls == ["get_many"]


def test_the_same_words_with_other_filters_are_searched_once_per_version(client):
    small_record()
    counts.recount()
    first = {"q": "event summary"}
    assert_counts_true(chronology(client, first), first)
    other = {"q": "summary event", "kind": ["talks"]}
    with CaptureQueriesContext(connection) as queries:
        response = chronology(client, other)
    assert_counts_true(response, other)
    assert not [q for q in queries if "timeline_searchdocument" in q["sql"]]
    make_event(title="Another event summary")
    counts.recount()  # a new version: the words are searched again
    with CaptureQueriesContext(connection) as queries:
        response = chronology(client, other)
    assert_counts_true(response, other)
    assert [q for q in queries if "timeline_searchdocument" in q["sql"]]


def test_words_searched_one_at_a_time_answer_a_search_for_them_together(client):
    small_record()
    counts.recount()
    for word in ("event", "summary"):
        assert_counts_true(chronology(client, {"q": word}), {"q": word})
    together = {"q": "summary event", "actor": ["central"]}
    with CaptureQueriesContext(connection) as queries:
        response = chronology(client, together)
    assert_counts_true(response, together)
    assert not [q for q in queries if "timeline_searchdocument" in q["sql"]]


def test_the_names_a_search_term_matches_are_read_once_per_version(client):
    small_record()
    Actor.objects.filter(slug="central").update(name="Central Committee", aliases="ЦК")
    counts.recount()
    assert_counts_true(chronology(client, {"q": "talks"}), {"q": "talks"})
    for view in ({"q": "committee"}, {"q": "цк"}, {"q": "lachin talks"}):
        with CaptureQueriesContext(connection) as queries:
            response = chronology(client, view)
        assert_counts_true(response, view)
        assert not [q for q in queries if 'FROM "timeline_actor" WHERE' in q["sql"]]


def test_a_skipped_count_is_not_kept(client, settings):
    small_record()  # not counted since: counted in SQL, under the time limit
    view = {"actor": ["central"]}
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 0
    assert chronology(client, view).context["count"] is None
    assert client.get(reverse("timeline:events-json"), view).json()["count"] is None
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 60_000
    assert chronology(client, view).context["count"] == 2


def test_counts_are_not_cached_while_a_change_awaits_counting(client):
    small_record()  # not counted since
    view = {"kind": ["talks"]}
    assert_counts_true(chronology(client, view), view)
    make_event(kind="talks")
    assert_counts_true(chronology(client, view), view)


# ---------------------------------------------------------------- skipped: listed, never "None"


def test_a_skipped_facet_lists_its_choices_uncounted_and_never_says_none(
    client, settings, monkeypatch
):
    small_record()
    counts.recount()
    # The record's index could not be had (the records moved on while it was built):
    # counted in SQL, where every count not ready is skipped.
    monkeypatch.setattr(record_index, "for_version", lambda *args: None)
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 0
    response = chronology(client, {"kind": ["talks"]})
    page = response.content.decode()
    assert set(response.context["skipped"]) == {"count", "axis", "origin", "actor", "place"}
    assert "None for this selection" not in page
    # The whole record's busiest actors and places, uncounted.
    facets = response.context["facets"]
    busiest = [row["actor__slug"] for row in counts.ready_counts()[0]["actor"]]
    assert [o["value"] for o in facets["actor"]] == busiest
    assert {o["count"] for o in facets["actor"]} == {None}
    assert [o["value"] for o in facets["place"]] == ["lachin"]
    # Every origin, uncounted; the kinds are counted from the ready counts.
    assert len(facets["origin"]) == len(ChronologyFilter.base_fields["origin"].choices)
    assert [(o["value"], o["count"]) for o in facets["kind"]] == [("hostilities", 1), ("talks", 1)]


def test_a_skipped_facet_without_ready_counts_lists_the_chosen_ones(client, settings):
    small_record()  # not counted: nothing ready to list
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 0
    response = chronology(client)
    assert "None for this selection" not in response.content.decode()
    assert list(response.context["facets"]["actor"]) == []
    response = chronology(client, {"actor": ["central"]})
    assert [(o["value"], o["count"]) for o in response.context["facets"]["actor"]] == [
        ("central", None)
    ]
    assert "None for this selection" not in response.content.decode()


def test_a_facet_with_no_choice_for_the_view_says_none(client):
    make_event(title="No actors")
    response = chronology(client, {"q": "No actors"})
    assert list(response.context["facets"]["actor"]) == []
    assert "None for this selection" in response.content.decode()


# ---------------------------------------------------------------- commands keep them current


def test_count_record_counts_the_whole_record_and_again_gives_the_same(capsys):
    small_record()
    call_command("count_record", "--dry-run")
    assert "not current" in capsys.readouterr().out
    assert RecordChange.objects.exists()  # a dry run counts nothing

    call_command("count_record")
    assert "2 events" in capsys.readouterr().out
    first = counts.ready_counts()
    call_command("count_record", verbosity=0)
    again = counts.ready_counts()
    assert again[0] == first[0]
    assert again[1] != first[1]  # counted anew: a new version
    call_command("count_record", "--dry-run")
    assert "current: 2 events" in capsys.readouterr().out


def test_generate_timeline_leaves_the_counts_current():
    call_command(
        "generate_timeline",
        "--events",
        "60",
        "--actors",
        "8",
        "--places",
        "4",
        "--statements",
        "30",
        "--sources",
        "6",
        "--seed",
        "3",
        verbosity=0,
    )
    ready, _ = counts.ready_counts()
    view = counts.Counts(whole_record(), Event.objects.published())
    assert ready == {name: view.count(name) for name in counts.NAMES}
    assert ready["count"] > 0


@pytest.mark.django_db(transaction=True)
def test_loading_the_timeline_leaves_the_counts_current():
    call_command("seed_timeline", verbosity=0)
    ready, _ = counts.ready_counts()
    view = counts.Counts(whole_record(), Event.objects.published())
    assert ready == {name: view.count(name) for name in counts.NAMES}
    assert ready["count"] == Event.objects.published().count() > 0
    assert RecordCount.objects.filter(facet="actor").count() == counts.FACET_LIMIT


def test_a_process_loads_the_index_another_built_from_a_shared_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    small_record()
    counts.recount()
    version = counts.current_version()
    built = record_index.for_version(version)
    record_index._current.clear()  # another process: nothing of its own yet
    with CaptureQueriesContext(connection) as queries:
        loaded = record_index.for_version(version)
    assert loaded is not built
    assert len(queries) == 0
    assert loaded.count("actor", loaded.combined({})) == built.count("actor", built.combined({}))


def test_after_a_change_commits_its_versions_index_is_ready_in_a_shared_cache(
    transactional_db, settings, tmp_path
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    make_event(actors=[make_actor(slug="central")])  # each save commits and recounts
    version = counts.current_version()
    record_index._current.clear()  # another process
    with CaptureQueriesContext(connection) as queries:
        index = record_index.for_version(version)
    assert len(queries) == 0
    assert index.count("actor", index.combined({}))[0]["actor__slug"] == "central"
