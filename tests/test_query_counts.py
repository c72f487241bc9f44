"""Every public page asks the database a fixed number of questions, however many events,
actors, places, sources and statements it shows: the count with a few rows equals the
count with many. (Counts are never skipped for time here: tests/conftest.py gives them
ample time, or the number of queries would vary with the clock.)"""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.counts import recount
from timeline.models import Actor, Event, Source
from timeline.timelimits import _overran, lift_kept_limits

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


def chronology(**_):
    return reverse("timeline:chronology")


def named(name: str, **kwargs):
    return lambda **_: reverse(name, **kwargs)


FILTERS = {"actor": "central", "q": "Event", "from": "2000", "kind": "meeting"}
HTMX = {"HX-Request": "true"}

# Each page or export: (its address, given the central actor, the source and an event;
# its parameters; the htmx headers it is asked with).
CASES = {
    "chronology": (chronology, {}, {}),
    "chronology, filtered": (chronology, FILTERS, {}),
    "results fragment": (chronology, {}, {**HTMX, "HX-Target": "results"}),
    "show-more fragment": (chronology, {}, {**HTMX, "HX-Target": "show-more"}),
    "chronology fragment": (chronology, {}, {**HTMX, "HX-Target": "chronology"}),
    "results fragment, filtered": (chronology, FILTERS, {**HTMX, "HX-Target": "results"}),
    "JSON": (named("timeline:events-json"), {}, {}),
    "JSON, filtered": (named("timeline:events-json"), FILTERS, {}),
    "CSV, per chunk of 500 events": (named("timeline:events-csv"), {}, {}),
    "Atom feed": (named("timeline:events-atom"), {}, {}),
    "Atom feed, filtered": (named("timeline:events-atom"), FILTERS, {}),
    "sitemap index": (named("timeline:sitemap"), {}, {}),
    **{
        f"sitemap of {section}": (
            named("timeline:sitemap-section", kwargs={"section": section}),
            {},
            {},
        )
        for section in ("pages", "events", "actors", "sources")
    },
    "event page": (lambda event, **_: event.get_absolute_url(), {}, {}),
    "actor page": (lambda actor, **_: actor.get_absolute_url(), {}, {}),
    "source page": (lambda source, **_: source.get_absolute_url(), {}, {}),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each case's number of queries with 2 events and with 25, as (few, many). The record
    is grown once for the module (25 events take seconds to make, and every case needs
    them), in a transaction rolled back after its last test; each case is asked for once
    in each state, each time as a test's first request is (tests/conftest.py): with an
    empty cache, ample time for counts, no time limit kept, exports of its own."""
    client = Client()
    exports = tmp_path_factory.mktemp("exports")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(TIMELINE_COUNT_TIME_LIMIT_MS=60_000, EXPORTS_ROOT=exports),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr("timeline.exports.BUILD_IN_BACKGROUND", False)
        found = {}
        for rows in (2, 23):
            actor, source = grow(rows)
            event = Event.objects.order_by("pk").first()
            for name, (url, params, headers) in CASES.items():
                _overran.clear()
                cache.clear()
                address = url(actor=actor, source=source, event=event)
                found.setdefault(name, []).append(queries(client, address, params, **headers))
                lift_kept_limits()
        yield {name: tuple(counts) for name, counts in found.items()}
        transaction.set_rollback(True)
    cache.clear()


@pytest.mark.parametrize("case", CASES)
def test_each_page_and_export_takes_as_many_queries_with_25_events_as_with_2(measured, case):
    few, many = measured[case]
    assert many == few


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
