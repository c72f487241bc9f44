"""A facet's "show all": /choose/actor/ and /choose/place/ list every choice in the
chronology's view, with its count, each a link that toggles it there, narrowed by a
filter box; plain links and a GET form, so it works without JavaScript."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place
from timeline import counts
from timeline.models import Actor

pytestmark = pytest.mark.django_db
HOME = reverse("timeline:chronology")


def choose(name):
    return reverse("timeline:choices", kwargs={"name": name})


@pytest.fixture
def record():
    """Fifteen actors, the first in the most events; Pashinyan, in one, is not among the
    facet's first twelve. Each of the fourteen others at a place of its own."""
    actors = [make_actor(slug=f"actor-{n:02}", name=f"Actor {n:02}") for n in range(14)]
    for n, actor in enumerate(actors):
        place = make_place()
        for _ in range(1 + (13 - n) // 4):
            make_event(kind="talks", actors=[actor], places=[place])
    pashinyan = make_actor(slug="nikol-pashinyan", name="Nikol Pashinyan")
    make_event(kind="meeting", actors=[pashinyan, actors[0]])
    counts.recount()  # the record's index answers; see the last test for SQL


def test_every_actor_is_listed_with_its_count_and_toggles_into_the_view(client, record):
    assert "Nikol Pashinyan" not in client.get(HOME).content.decode()
    response = client.get(choose("actor"))
    assert response.status_code == 200
    rows = {row["label"]: row for row in response.context["rows"]}
    assert len(rows) == 15
    assert rows["Actor 00"]["count"] == 5
    assert rows["Nikol Pashinyan"]["count"] == 1
    assert rows["Nikol Pashinyan"]["url"] == HOME + "?actor=nikol-pashinyan"
    chosen = client.get(rows["Nikol Pashinyan"]["url"])
    assert chosen.context["count"] == 1


def test_choices_are_counted_in_the_view_and_keep_it(client, record):
    response = client.get(choose("actor"), {"kind": "meeting", "sort": "newest"})
    rows = {row["label"]: row for row in response.context["rows"]}
    assert set(rows) == {"Actor 00", "Nikol Pashinyan"}
    assert rows["Actor 00"]["count"] == 1
    assert (
        rows["Nikol Pashinyan"]["url"] == HOME + "?actor=nikol-pashinyan&kind=meeting&sort=newest"
    )
    html = response.content.decode()
    assert '<input type="hidden" name="kind" value="meeting">' in html
    assert f'href="{HOME}?kind=meeting&amp;sort=newest">Back to the chronology' in html


def test_a_chosen_one_is_marked_and_its_link_takes_it_off(client, record):
    response = client.get(choose("actor"), {"actor": "nikol-pashinyan"})
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Nikol Pashinyan"]["chosen"]
    assert rows["Nikol Pashinyan"]["url"] == HOME
    assert 'aria-current="true"' in response.content.decode()


def test_the_filter_box_narrows_them_by_name(client, record):
    response = client.get(choose("actor"), {"name": "pashin"})
    assert [row["label"] for row in response.context["rows"]] == ["Nikol Pashinyan"]
    assert "None has that name" in client.get(choose("actor"), {"name": "zzz"}).content.decode()


def test_every_place_too(client, record):
    response = client.get(choose("place"))
    rows = response.context["rows"]
    assert len(rows) == 14
    assert [row["count"] for row in rows] == sorted(
        (1 + (13 - n) // 4 for n in range(14)), reverse=True
    )


def test_the_facets_link_to_every_choice_in_their_view(client, record):
    html = client.get(HOME, {"kind": "talks"}).content.decode()
    assert f'href="{choose("actor")}?kind=talks">Show all actors' in html
    assert f'href="{choose("place")}?kind=talks">Show all places' in html


def test_an_unknown_facet_is_a_404_and_bad_parameters_a_named_400(client, record):
    assert client.get(choose("kind")).status_code == 404
    response = client.get(choose("actor"), {"colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.content.decode()


def test_its_queries_do_not_grow_with_the_choices(client, record):
    client.get(choose("place"))  # the record's index, read once per process and version
    with CaptureQueriesContext(connection) as few:
        client.get(choose("actor"), {"kind": "meeting"})
    with CaptureQueriesContext(connection) as more:
        client.get(choose("actor"))
    assert len(more) == len(few)


def test_while_a_change_awaits_its_recount_they_are_counted_in_sql(client, record):
    make_event(kind="meeting", actors=[Actor.objects.get(slug="nikol-pashinyan")])
    response = client.get(choose("actor"), {"kind": "meeting"})
    rows = {row["label"]: row["count"] for row in response.context["rows"]}
    assert rows == {"Nikol Pashinyan": 2, "Actor 00": 1}
