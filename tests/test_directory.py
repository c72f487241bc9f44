"""The index pages /actors/, /places/ and /sources/ and their JSON twins: only what
published events show, grouped by kind, with how many published events each is in,
searchable by name and alias, paged by keyset; bad parameters are named 400s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source
from timeline import directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    pashinyan = make_actor(slug="nikol-pashinyan", name="Nikol Pashinyan", kind="person",
                           aliases="Pashinian")  # fmt: skip
    armenia = make_actor(slug="armenia", name="Armenia", kind="state")
    hidden = make_actor(slug="draft-only", name="Draft Only", kind="person")
    lachin = make_place(slug="lachin", name="Lachin")
    wire = make_source(slug="wire", headline="Talks resume", outlet="Wire")
    make_event(actors=[pashinyan, armenia], places=[lachin], sources=[wire])
    make_event(actors=[pashinyan], sources=[wire])
    make_event(actors=[hidden, pashinyan], publication="draft")
    return {"pashinyan": pashinyan}


def page(client, name, params=None):
    response = client.get(reverse(f"timeline:{name}"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def listed(client, name, params=None):
    response = client.get(reverse(f"timeline:{name}-json"), params or {})
    assert response.status_code == 200
    return response.json()


def test_actors_are_listed_by_kind_with_their_published_events(client, record):
    results = listed(client, "actors")["results"]
    assert [(r["slug"], r["kind"], r["events"]) for r in results] == [
        ("nikol-pashinyan", "person", 2), ("armenia", "state", 1)
    ]  # fmt: skip
    html = page(client, "actors")
    assert html.index("Nikol Pashinyan") < html.index("Armenia")
    assert "2 events" in html
    assert "Draft Only" not in html
    assert record["pashinyan"].get_absolute_url() in html


def test_a_reader_finds_an_actor_by_an_alias_or_a_part_of_the_name(client, record):
    assert [r["slug"] for r in listed(client, "actors", {"q": "pashinian"})["results"]] == [
        "nikol-pashinyan"
    ]
    assert [r["slug"] for r in listed(client, "actors", {"q": "arm"})["results"]] == ["armenia"]
    assert "show them all" in page(client, "actors", {"q": "nobody"})


def test_places_lead_to_their_events_in_the_chronology(client, record):
    (lachin,) = listed(client, "places")["results"]
    assert lachin["url"].endswith(reverse("timeline:chronology") + "?place=lachin")
    assert lachin["events"] == 1


def test_sources_are_listed_with_the_events_citing_them(client, record):
    (wire,) = listed(client, "sources")["results"]
    assert (wire["slug"], wire["name"], wire["events"]) == ("wire", "Talks resume", 2)


def test_a_kind_narrows_the_list(client, record):
    results = listed(client, "actors", {"kind": "state"})["results"]
    assert [r["slug"] for r in results] == ["armenia"]


def test_pages_follow_one_another_by_keyset_without_gaps(client, monkeypatch):
    for n in range(7):
        make_event(actors=[make_actor(slug=f"actor-{n}", kind="person")])
    monkeypatch.setattr("timeline.views.DIRECTORY_PAGE_SIZE", 3)
    seen, params = [], {}
    while True:
        data = listed(client, "actors", params)
        seen += [r["slug"] for r in data["results"]]
        if not data["next"]:
            break
        params = {"after": data["next"].split("after=")[1]}
    assert seen == [f"actor-{n}" for n in range(7)]
    html = page(client, "actors", params)
    assert "Continued from an earlier page" in html


@pytest.mark.parametrize(
    ("params", "named"),
    [({"sort": "name"}, "sort"), ({"kind": "planet"}, "kind"), ({"after": "!!"}, "after"),
     ({"q": ["a", "b"]}, "q")],
)  # fmt: skip
def test_bad_parameters_are_named_400s(client, record, params, named):
    for name in ("actors", "places", "sources"):
        html = client.get(reverse(f"timeline:{name}"), params)
        assert html.status_code == 400
        assert named in html.content.decode()
        data = client.get(reverse(f"timeline:{name}-json"), params)
        assert data.status_code == 400
        assert named in data.content.decode()


def test_queries_do_not_grow_with_the_rows_shown(client, record):
    with CaptureQueriesContext(connection) as few:
        page(client, "actors")
    for n in range(10):
        make_event(actors=[make_actor(slug=f"more-{n}")], places=[make_place()])
    with CaptureQueriesContext(connection) as more:
        page(client, "actors")
    assert len(more) == len(few)


def test_every_directory_names_its_kinds():
    for listing in directory.DIRECTORIES.values():
        assert listing.model.Kind.choices
