"""Small helpers that build just the rows a test needs.

Tests use these rather than the demo fixtures, so each test says what it
relies on; the fixtures themselves are tested in test_fixtures.py.
"""

import datetime
import itertools

from timeline.models import Actor, Event, EventActor, Place, Source, Statement

_counter = itertools.count(1)

SAMPLE_TEXT = (
    "Reporter's Town, 1 May 2023. The minister met the envoy today. "
    '"We want peace," the minister said. The envoy urged both sides to talk.'
)


def make_source(**fields) -> Source:
    n = next(_counter)
    fields.setdefault("slug", f"source-{n}")
    fields.setdefault("outlet", f"Outlet {n}")
    fields.setdefault("headline", f"Headline {n}")
    fields.setdefault("published", datetime.date(2023, 5, 1))
    fields.setdefault("origin", "united-states")
    fields.setdefault("text", SAMPLE_TEXT)
    return Source.objects.create(**fields)


def make_actor(**fields) -> Actor:
    n = next(_counter)
    fields.setdefault("slug", f"actor-{n}")
    fields.setdefault("name", f"Actor {n}")
    fields.setdefault("kind", Actor.Kind.PERSON)
    return Actor.objects.create(**fields)


def make_place(**fields) -> Place:
    n = next(_counter)
    fields.setdefault("slug", f"place-{n}")
    fields.setdefault("name", f"Place {n}")
    fields.setdefault("kind", Place.Kind.REGION)
    return Place.objects.create(**fields)


def make_event(*, sources=None, actors=(), places=(), **fields) -> Event:
    n = next(_counter)
    fields.setdefault("slug", f"event-{n}")
    fields.setdefault("title", f"Event {n}")
    fields.setdefault("summary", f"Summary of event {n}.")
    fields.setdefault("date_start", datetime.date(2023, 5, 1))
    fields.setdefault("kind", Event.Kind.MEETING)
    fields.setdefault("publication", Event.Publication.PUBLISHED)
    event = Event.objects.create(**fields)
    event.sources.set(sources if sources is not None else [make_source()])
    event.places.set(places)
    for actor in actors:
        if isinstance(actor, tuple):
            actor, role = actor
        else:
            role = EventActor.Role.PARTICIPANT
        EventActor.objects.create(event=event, actor=actor, role=role)
    return event


def make_statement(*, event=None, source=None, speaker=None, **fields) -> Statement:
    source = source or make_source()
    fields.setdefault("text", "The envoy urged both sides to talk.")
    fields.setdefault("mode", Statement.Mode.REPORTED)
    return Statement.objects.create(
        event=event or make_event(sources=[source]),
        source=source,
        speaker=speaker or make_actor(),
        **fields,
    )
