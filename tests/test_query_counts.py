"""Every public page asks the database a fixed number of questions, however many events,
actors, places, sources and statements it shows: the count with a few rows equals the
count with many. (Counts are never skipped for time here: tests/conftest.py gives them
ample time, or the number of queries would vary with the clock.)"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.counts import recount
from timeline.models import Actor, Event, Source

pytestmark = pytest.mark.django_db
_numbers = itertools.count()


def grow(rows: int):
    """Add ``rows`` published events, each with three actors, two places, two sources and
    a quoted statement addressed to two actors; one actor, "central", is in all of them
    (and the others are affiliated to it), and one source, "the-source", carries all the
    statements."""
    actor = Actor.objects.filter(slug="central").first() or make_actor(slug="central")
    source = Source.objects.filter(slug="the-source").first() or make_source(
        slug="the-source", text=""
    )
    for _ in range(rows):
        n = next(_numbers)
        text = f'Speaker {n} said: "we shall talk about point {n}" today.'
        source.text += f" {text}"
        Source.objects.filter(pk=source.pk).update(text=source.text)
        others = [make_actor(affiliation=actor) for _ in range(2)]
        event = make_event(
            date_start=datetime.date(2000 + n % 20, 1 + n % 12, 1 + n % 28),
            actors=[actor, *others],
            places=[make_place(), make_place()],
            sources=[source, make_source()],
        )
        statement = make_statement(
            event=event, source=source, speaker=actor, text=f"we shall talk about point {n}",
            mode="quote",
        )  # fmt: skip
        statement.addressees.set(others)
    return actor, source


def queries(client, url, params=None, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, headers=headers)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def assert_constant(client, url, params=None, **headers):
    """The number of queries for ``url`` is the same with 2 events and with 25."""
    actor, source = grow(2)
    event = Event.objects.order_by("pk").first()
    resolve = lambda: url(actor=actor, source=source, event=event)  # noqa: E731
    few = queries(client, resolve(), params, **headers)
    grow(23)
    many = queries(client, resolve(), params, **headers)
    assert many == few


def chronology(**_):
    return reverse("timeline:chronology")


FILTERS = {"actor": "central", "q": "Event", "from": "2000", "kind": "meeting"}


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        (FILTERS, {}),
        ({}, {"HX-Request": "true", "HX-Target": "results"}),
        ({}, {"HX-Request": "true", "HX-Target": "show-more"}),
        ({}, {"HX-Request": "true", "HX-Target": "chronology"}),
        (FILTERS, {"HX-Request": "true", "HX-Target": "results"}),
    ],
)
def test_the_chronology_and_its_fragments_take_a_fixed_number_of_queries(client, params, headers):
    assert_constant(
        client, chronology, params, **{k.replace("-", "_"): v for k, v in headers.items()}
    )


@pytest.mark.parametrize("params", [{}, FILTERS])
def test_the_json_export_takes_a_fixed_number_of_queries(client, params):
    assert_constant(client, lambda **_: reverse("timeline:events-json"), params)


def test_the_csv_export_takes_a_fixed_number_of_queries_per_chunk_of_500_events(client):
    assert_constant(client, lambda **_: reverse("timeline:events-csv"))


@pytest.mark.parametrize("params", [{}, FILTERS])
def test_the_atom_feed_takes_a_fixed_number_of_queries(client, params):
    assert_constant(client, lambda **_: reverse("timeline:events-atom"), params)


def test_the_sitemap_index_takes_a_fixed_number_of_queries(client):
    assert_constant(client, lambda **_: reverse("timeline:sitemap"))


@pytest.mark.parametrize("section", ["pages", "events", "actors", "sources"])
def test_a_sitemap_section_takes_a_fixed_number_of_queries(client, section):
    url = reverse("timeline:sitemap-section", kwargs={"section": section})
    assert_constant(client, lambda **_: url)


def test_an_event_page_takes_a_fixed_number_of_queries(client):
    assert_constant(client, lambda event, **_: event.get_absolute_url())


def test_an_actor_page_takes_a_fixed_number_of_queries(client):
    assert_constant(client, lambda actor, **_: actor.get_absolute_url())


def test_a_source_page_takes_a_fixed_number_of_queries(client):
    assert_constant(client, lambda source, **_: source.get_absolute_url())


def test_the_chronology_with_its_counts_ready_takes_fewer_queries_and_a_fixed_number(client):
    """With the whole record's counts ready, `/` reads them in one query and counts
    nothing: its page of events and their details take the rest."""
    grow(2)
    without = queries(client, chronology())
    recount()
    few = queries(client, chronology())
    grow(23)
    recount()
    assert queries(client, chronology()) == few
    assert few < without
