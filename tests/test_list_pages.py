"""An actor's and a source's long lists come in keyset pages, like the chronology's."""

import datetime
import re
from html import unescape
from urllib.parse import urljoin

import pytest

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline.keyset import PAGE_SIZE
from timeline.models import Statement

pytestmark = pytest.mark.django_db


def titles(page: str) -> list[str]:
    return re.findall(r">(Event \d+)</a>", page)


def next_link(page: str, label: str, base: str) -> str | None:
    """Where the page's 'show more' link with ``label`` leads, as a browser on ``base`` reads it."""
    match = re.search(rf'<a href="([^"]+)" rel="next">{label}</a>', page)
    return urljoin(base, unescape(match.group(1)).split("#")[0]) if match else None


def follow_all(client, url, label) -> tuple[list[str], int]:
    """Every page, following the 'show more' links: the titles seen, and how many pages."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        seen += titles(page)
        pages += 1
        url = next_link(page, label, url)
    return seen, pages


def test_an_actors_events_come_in_pages_that_add_up_to_all_of_them(client):
    actor = make_actor()
    source = make_source()
    for n in range(PAGE_SIZE * 2 + 3):
        day = datetime.date(2000, 1, 1) + datetime.timedelta(days=n % 7)  # many on one day
        make_event(title=f"Event {n}", actors=[actor], sources=[source], date_start=day)
    seen, pages = follow_all(client, actor.get_absolute_url(), "Show more events")
    assert pages == 3
    assert sorted(seen) == sorted(f"Event {n}" for n in range(PAGE_SIZE * 2 + 3))
    assert len(set(seen)) == len(seen)


def test_an_actors_statements_come_in_pages(client):
    actor = make_actor()
    source = make_source(text=" ".join(f"Sentence number {n}." for n in range(PAGE_SIZE + 5)))
    event = make_event(sources=[source])
    for n in range(PAGE_SIZE + 5):
        make_statement(event=event, source=source, speaker=actor, text=f"Sentence number {n}.")
    first = client.get(actor.get_absolute_url()).content.decode()
    assert first.count('class="statement ') == PAGE_SIZE
    assert 'rel="next">Show more statements' in first
    url = actor.get_absolute_url()
    second = client.get(next_link(first, "Show more statements", url)).content.decode()
    assert second.count('class="statement ') == 5
    assert "Show more statements" not in second


def test_a_sources_events_come_in_pages(client):
    source = make_source()
    for n in range(PAGE_SIZE + 1):
        make_event(title=f"Event {n}", sources=[source])
    seen, pages = follow_all(client, source.get_absolute_url(), "Show more events")
    assert pages == 2
    assert sorted(seen) == sorted(f"Event {n}" for n in range(PAGE_SIZE + 1))


def test_a_sources_statements_come_in_pages_below_its_whole_highlighted_text(client):
    count = PAGE_SIZE * 2 + 3
    source = make_source(text=" ".join(f"Sentence number {n}." for n in range(count)))
    event, speaker = make_event(sources=[source]), make_actor()
    statements = [
        make_statement(event=event, source=source, speaker=speaker, text=f"Sentence number {n}.")
        for n in range(count)
    ]
    make_statement(  # a passage around two others: listed in the order of the text
        event=event, source=source, speaker=speaker, text="Sentence number 1. Sentence number 2."
    )
    draft = make_statement(
        event=make_event(sources=[source], publication="draft"),
        source=source,
        speaker=speaker,
        text="Sentence number 3. Sentence number 4.",
    )
    published = Statement.objects.published().in_source(source).order_by("start", "end")
    url, listed, pages = source.get_absolute_url(), [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        # Every page has the whole text, with every published passage highlighted.
        for statement in published:
            assert f'id="{statement.anchor}"' in page
        assert f'id="{draft.anchor}"' not in page
        listed += re.findall(r'<a href="#(passage-\d+-\d+)"[^>]*>Its place in the text</a>', page)
        pages += 1
        url = next_link(page, "Show more statements", url)
    assert pages == 3
    assert listed == [statement.anchor for statement in published]
    assert len(listed) == len(statements) + 1


def test_counterparts_are_capped_at_the_twenty_who_share_most(client):
    actor = make_actor()
    others = [make_actor(name=f"Other {n}") for n in range(25)]
    for n, other in enumerate(others):
        make_event(actors=[actor, other] if n else [actor, other, others[1]])
    page = client.get(actor.get_absolute_url()).content.decode()
    assert page.count("/?actor=") >= 20
    assert "the chronology’s actor filter" in page
    assert 'Other 1</a> <span class="count">2 events' in page


def speaker():
    return make_statement().speaker  # an actor a published event shows, so with a page


def source():
    return make_statement().source


@pytest.mark.parametrize(
    ("make", "query", "named"),
    [
        (speaker, "?events=broken!", "<code>events</code>"),
        (speaker, "?statements=" + "MjAwMC0wMS0wMXxub3QtYW4taWQ", "<code>statements</code>"),
        (speaker, "?page=2", "Unknown parameter: page"),
        (speaker, "?events=a&events=b", "events: give it once only"),
        (source, "?statements=x", "<code>statements</code>"),
        (source, "?statements=" + "MjAwMC0wMS0wMXwx", "<code>statements</code>"),  # an actor's
        (source, "?statements=1-2&statements=3-4", "statements: give it once only"),
        (make_event, "?source=mail", "Unknown parameter: source"),  # takes none
        (make_event, "?cursor=x", "Unknown parameter: cursor"),
    ],
)
def test_a_bad_query_on_an_actor_source_or_event_page_is_a_400_that_names_it(
    client, make, query, named
):
    page = make().get_absolute_url()
    response = client.get(page + query)
    assert response.status_code == 400
    assert named in response.content.decode()
    assert client.get(page).status_code == 200
