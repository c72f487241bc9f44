"""A statement's own page follows it through the record: the points of comparison it
stands under, the earlier statements it speaks of and what later ones say of it, each
link with the passage that makes it, worded as someone's account; and for a demand
nothing later speaks of, the record's extent, never a verdict. In a fixed number of
queries."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline.followups import NO_LATER_STATEMENT
from timeline.models import Point, StatementLink

pytestmark = pytest.mark.django_db

DEMAND_TEXT = "The envoy urged both sides to talk."
LATER_TEXT = (
    "Yerevan, 9 May 2023. The minister said the talks had begun, as the envoy had urged. "
    "Both sides met on Monday."
)


def page(client, statement) -> str:
    response = client.get(reverse("timeline:statement", kwargs={"uid": statement.uid}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def later_statement(earlier, *, relation="reports-done", publication="published", text=None):
    """A statement said after ``earlier`` that links to it through its passage."""
    source = make_source(text=LATER_TEXT + (f" {text}" if text else ""))
    event = make_event(
        sources=[source], date_start=datetime.date(2023, 5, 9), publication=publication
    )
    later = make_statement(
        event=event,
        source=source,
        speaker=make_actor(name="Minister Later"),
        text=text or "The minister said the talks had begun, as the envoy had urged.",
        speech_act="reports",
    )
    StatementLink.objects.create(
        later=later,
        relation=relation,
        earlier=earlier,
        source=source,
        text=text or "as the envoy had urged",
    )
    return later


@pytest.fixture
def demand():
    envoy = make_actor(name="The Envoy", slug="the-envoy")
    return make_statement(speaker=envoy, text=DEMAND_TEXT, speech_act="urges")


def test_it_names_its_points_each_linked_to_its_events_comparison(client, demand):
    Point.objects.create(event=demand.event, slug="talks", name="Talks between the sides")
    other = make_event(title="The later meeting")
    demand.concerns.add(other)
    Point.objects.create(event=other, slug="dialogue", name="Dialogue")
    for point in Point.objects.all():
        point.statements.add(demand)
    text = page(client, demand)
    assert (
        f'<a href="{demand.event.get_absolute_url()}#point-talks">Talks between the sides</a>'
        in text
    )
    assert (
        f'<a href="{other.get_absolute_url()}#point-dialogue">Dialogue</a> (on The later meeting)'
        in text
    )


def test_a_point_on_a_draft_event_is_not_named_to_readers(client, demand):
    draft = make_event(publication="draft")
    demand.concerns.add(draft)
    Point.objects.create(event=draft, slug="secret", name="Not yet public").statements.add(demand)
    assert "Not yet public" not in page(client, demand)


def test_it_links_the_earlier_statements_it_speaks_of_and_the_passage_that_does(client, demand):
    later = later_statement(demand)
    link = StatementLink.objects.get()
    text = page(client, later)
    assert "Earlier statements it speaks of" in text
    assert "Reports as done" in text
    assert f'<a href="{demand.speaker.get_absolute_url()}">The Envoy</a>' in text
    assert f'<a href="{demand.get_permalink()}">That statement’s page</a>' in text
    assert DEMAND_TEXT in text
    passage = f"{later.source.get_absolute_url()}#passage-{link.start}-{link.end}"
    assert f'<a href="{passage}">“as the envoy had urged”</a>' in text


def test_it_words_what_later_statements_say_of_it_as_their_speakers_accounts(client, demand):
    later = later_statement(demand)
    link = StatementLink.objects.get()
    text = page(client, demand)
    assert "What later statements say of it" in text
    status = "Reported as done by Minister Later on 9 May 2023"
    assert f'<a href="{later.get_permalink()}">{status}</a>' in text
    passage = f"{later.source.get_absolute_url()}#passage-{link.start}-{link.end}"
    assert f'<a href="{passage}">“as the envoy had urged”</a>' in text
    assert NO_LATER_STATEMENT not in text.lower()


def test_a_demand_nothing_later_speaks_of_says_so_as_the_records_extent(client, demand):
    text = page(client, demand)
    assert "No later statement in the record." in text
    assert "how far this record goes, not a finding that nothing followed" in text


def test_what_a_draft_says_later_is_not_shown_to_readers(client, demand):
    later_statement(demand, publication="draft")
    text = page(client, demand)
    assert "Minister Later" not in text
    assert "No later statement in the record." in text


def test_a_statement_that_asks_and_promises_nothing_has_no_status(client):
    statement = make_statement(speech_act="states")
    text = page(client, statement)
    assert "What later statements say of it" not in text
    assert "No later statement" not in text


def queries(client, statement) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, statement)
    return len(captured)


def test_its_queries_do_not_grow_with_its_points_and_links(client, demand):
    def grow(n):
        for _ in range(n):
            later = later_statement(demand, relation="repeats")
            point = Point.objects.create(event=later.event, slug="talks", name="Talks")
            later.concerns.add(demand.event)
            point.statements.add(demand)
            demand.concerns.add(later.event)
            # A link out from the demand too: it speaks of an earlier statement.
            earlier = make_statement(speech_act="urges")
            StatementLink.objects.create(
                later=demand, relation="responds-to", earlier=earlier, source=demand.source,
                text="urged both sides",
            )  # fmt: skip

    grow(1)
    few = queries(client, demand)
    grow(4)
    assert queries(client, demand) == few
