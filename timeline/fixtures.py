"""Where the timeline's fixtures live and in which order they load.

Shared by the command that writes the database back to ``fixtures/`` and the
one that loads them into an empty database, so both agree on the layout.
"""

from django.conf import settings

from timeline.models import (
    Actor,
    Event,
    EventActor,
    EventLink,
    Place,
    Point,
    Quantity,
    Relay,
    Source,
    Statement,
    StatementLink,
)

# One file per part of the record, in an order that loads cleanly.
FIXTURE_FILES = {
    "sources": [Source],
    "actors": [Actor],
    "places": [Place],
    "events": [Event, EventActor],
    "statements": [Statement, Relay],
    "links": [EventLink],
    "quantities": [Quantity],
    "points": [Point],
    "statement-links": [StatementLink],
}


def fixture_dir():
    return settings.FIXTURE_DIRS[0]


def fixture_names() -> list[str]:
    return list(FIXTURE_FILES)
