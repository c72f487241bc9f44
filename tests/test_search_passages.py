"""A search shows, under each matching event, the statement or summary passage its
words matched, with them marked; places link to their events; nothing matching says
what to do; an event with no statement does not link to none."""

import pytest
from django.urls import reverse

from tests.factories import make_event, make_place, make_source, make_statement

pytestmark = pytest.mark.django_db
HOME = reverse("timeline:chronology")


def html_of(client, params) -> str:
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_statement_that_matched_is_shown_with_the_words_marked(client):
    text = "We discussed the reopening of the Lachin road today."
    statement = make_statement(source=make_source(text=f"Yerevan. {text} More."), text=text)
    html = html_of(client, {"q": "reopen"})
    assert f'href="{statement.event.get_absolute_url()}#statement-{statement.pk}"' in html
    assert f"Statement by {statement.speaker.name}" in html
    assert "the <mark>reopening</mark> of the Lachin road" in html


def test_the_summary_is_shown_when_no_statement_has_the_words(client):
    make_event(summary="Talks on demining the border resumed in Brussels.")
    html = html_of(client, {"q": "demining brussels"})
    assert (
        ">Summary</a>: Talks on <mark>demining</mark> the border resumed in <mark>Brussels</mark>."
        in html
    )


def test_a_long_passage_is_cut_around_its_first_match(client):
    make_event(summary="word " * 60 + "ceasefire " + "word " * 60)
    html = html_of(client, {"q": "ceasefire"})
    assert "…" in html
    assert "<mark>ceasefire</mark>" in html


def test_words_are_escaped_in_the_passage(client):
    make_event(summary='He said "<b>ceasefire</b>" & left.')
    html = html_of(client, {"q": "ceasefire"})
    assert "&lt;b&gt;<mark>ceasefire</mark>&lt;/b&gt;" in html


def test_an_event_found_by_a_place_name_shows_no_passage(client):
    make_event(summary="Nothing about it.", places=[make_place(name="Shusha")])
    assert 'class="passage"' not in html_of(client, {"q": "shusha"})


def test_places_on_an_entry_lead_to_their_events(client):
    make_event(places=[make_place(slug="lachin", name="Lachin")])
    assert '<a href="/?place=lachin">Lachin</a>' in html_of(client, {})


def test_an_event_without_statements_links_to_none(client):
    event = make_event()
    html = html_of(client, {})
    assert f'{event.get_absolute_url()}#statements"' not in html
    assert "none recorded" in html


def test_when_nothing_matches_the_page_says_what_to_do(client):
    make_event()
    html = html_of(client, {"q": "nothingmatchesthis"})
    assert "Remove one of them above" in html
    assert "see the whole chronology" in html
