"""An actor's page lists the newest of what it asked for and promised, each with what
later statements say of it, and the newest of what others said to or about it: each
list bounded, with a link to the whole of it, in a fixed number of queries."""

import datetime
import html
import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline import actor_page
from timeline.data_docs import address
from timeline.models import StatementLink

pytestmark = pytest.mark.django_db
_days = itertools.count()

TEXT = "The envoy urged both sides to talk."


def said(speaker, act="urges", *, to=(), day=None, publication="published", text=TEXT):
    """A statement by ``speaker`` with ``act``, addressed to ``to``, on its own event
    ``day`` days after 1 January 2020 (the next day by default)."""
    day = next(_days) if day is None else day
    source = make_source(text=f"Dateline. {text} Nothing else.")
    event = make_event(
        sources=[source],
        date_start=datetime.date(2020, 1, 1) + datetime.timedelta(days=day),
        publication=publication,
    )
    statement = make_statement(
        event=event, source=source, speaker=speaker, text=text, speech_act=act
    )
    statement.addressees.set(to)
    return statement


def page(client, actor) -> str:
    response = client.get(actor.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def section(text: str, heading: str) -> str:
    """The markup of the page's section with ``heading``."""
    start = text.index(f">{heading}</h2>")
    return text[start : text.index("</section>", start)]


def permalinks(markup: str) -> list[str]:
    return re.findall(r'href="(/statements/[^/"]+/)">Its page', markup)


@pytest.fixture
def envoy():
    return make_actor(name="The Envoy", slug="the-envoy")


def test_it_lists_what_the_actor_asked_for_and_promised_and_nothing_else(client, envoy):
    urged = said(envoy, "urges")
    pledged = said(envoy, "pledges")
    said(envoy, "states")
    said(envoy, "demands", publication="draft")
    said(make_actor(), "demands", to=[envoy])
    listed = section(page(client, envoy), "What they asked for and promised")
    assert permalinks(listed) == [pledged.get_permalink(), urged.get_permalink()]


def test_each_ask_or_promise_says_what_later_statements_say_of_it(client, envoy):
    urged, pledged = said(envoy, "urges"), said(envoy, "pledges")
    later = said(make_actor(name="Minister Later"), "reports", day=1000)
    StatementLink.objects.create(
        later=later, relation="disputes", earlier=urged, source=later.source, text="urged both"
    )
    listed = section(page(client, envoy), "What they asked for and promised")
    date = later.said_display
    assert f'<a href="{later.get_permalink()}">Disputed by Minister Later on {date}</a>' in listed
    # The other has none: the record's extent, said as such.
    assert listed.count("No later statement in the record.") == 1
    assert "not a finding that nothing followed" in listed
    assert listed.index(pledged.get_permalink()) < listed.index("No later statement")


def test_it_lists_what_others_said_to_or_about_the_actor(client, envoy):
    other, third = make_actor(name="Another"), make_actor()
    to_it = said(other, "condemns", to=[envoy, third])
    about_it = said(third, "states", to=[envoy])
    said(envoy, "states", to=[envoy])  # its own words are in its own lists
    said(other, "states", to=[third])
    said(other, "states", to=[envoy], publication="draft")
    listed = section(page(client, envoy), "What others said to or about them")
    assert permalinks(listed) == [about_it.get_permalink(), to_it.get_permalink()]
    assert f'<a href="{other.get_absolute_url()}">Another</a>' in listed


def test_with_nothing_to_list_each_section_says_none_is_recorded(client, envoy):
    said(envoy, "states")
    text = page(client, envoy)
    assert "None recorded." in section(text, "What they asked for and promised")
    assert "None recorded." in section(text, "What others said to or about them")


def test_each_list_shows_the_newest_few_and_links_to_the_whole_of_it(client, envoy):
    other = make_actor()
    asked = [said(envoy, "demands") for _ in range(actor_page.SHOWN + 1)]
    addressed = [said(other, "urges", to=[envoy]) for _ in range(actor_page.SHOWN + 1)]
    text = page(client, envoy)
    listed = section(text, "What they asked for and promised")
    assert permalinks(listed) == [s.get_permalink() for s in reversed(asked[1:])]
    assert f'href="{address("commitments")}?speaker=the-envoy"' in listed
    listed = section(text, "What others said to or about them")
    assert permalinks(listed) == [s.get_permalink() for s in reversed(addressed[1:])]
    assert f'href="{address("statements")}?addressee=the-envoy"' in listed


def test_a_list_shown_whole_has_no_link_to_more(client, envoy):
    said(envoy, "demands")
    said(make_actor(), "urges", to=[envoy])
    text = page(client, envoy)
    assert "?speaker=" not in text
    assert "?addressee=" not in text


def test_on_one_day_the_latest_recorded_comes_first(client, envoy):
    first, second = said(envoy, "urges", day=5000), said(envoy, "offers", day=5000)
    listed = section(page(client, envoy), "What they asked for and promised")
    assert permalinks(listed) == [second.get_permalink(), first.get_permalink()]


def test_the_sections_queries_do_not_grow_with_the_rows_shown(client, envoy):
    other = make_actor()

    def grow(n):
        for _ in range(n):
            demand = said(envoy, "demands", to=[other])
            said(other, "urges", to=[envoy])
            later = said(other, "reports", day=2000 + next(_days))
            StatementLink.objects.create(
                later=later, relation="repeats", earlier=demand, source=later.source,
                text="urged both",
            )  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(client, envoy)
        return len(captured)

    grow(1)
    few = queries()
    grow(actor_page.SHOWN)
    assert queries() == few


def test_an_actor_with_many_statements_gets_the_same_newest_by_the_date_index(
    client, envoy, monkeypatch
):
    """Past FEW statements the newest are found by walking the date index; the page is
    the same either way."""
    for day in (3, 1, 2, 2):
        said(envoy, "demands", day=day)
        said(make_actor(), "urges", to=[envoy], day=day)
    text = page(client, envoy)
    monkeypatch.setattr(actor_page, "FEW", 2)
    cache.clear()  # no page kept from before
    walked = page(client, envoy)
    for heading in ("What they asked for and promised", "What others said to or about them"):
        assert permalinks(section(walked, heading)) == permalinks(section(text, heading))
        assert len(permalinks(section(text, heading))) == 4
