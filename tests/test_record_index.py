"""The chronology's pages found in the record's index (timeline/record_index.py) are the
pages the database finds: the same events in the same order, page after page, for any
filters and any cursor, a draft's included."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source
from timeline import counts, record_index
from timeline.keyset import Cursor
from timeline.models import Event
from timeline.querysets import EventQuerySet

pytestmark = pytest.mark.django_db
D = datetime.date

VIEWS = [
    {},
    {"actor": ["busy"]},
    {"actor": ["busy", "quiet"]},
    {"kind": ["talks"], "origin": ["armenia"]},
    {"from": "2020-10", "to": "2020-10"},
    {"place": ["lachin"], "q": "summary"},
]


@pytest.fixture
def record():
    """45 published events, several on one day (ordered there by slug), and drafts."""
    busy, quiet, lachin = (
        make_actor(slug="busy"),
        make_actor(slug="quiet"),
        make_place(slug="lachin"),
    )
    armenian = make_source(origin="armenia")
    for n in range(45):
        make_event(
            slug=f"e-{(n * 7) % 45:02d}",  # slugs out of order within a day
            date_start=D(2020, 10, 1 + n // 6),
            date_end=D(2021, 1, 1) if n % 11 == 0 else None,
            kind="talks" if n % 2 else "meeting",
            actors=[busy, quiet] if n % 3 else [busy],
            places=[lachin] if n % 4 else [],
            sources=[armenian] if n % 5 else [make_source()],
        )
    make_event(slug="e-draft", date_start=D(2020, 10, 2), publication="draft", actors=[busy])
    counts.recount()
    cache.clear()


def titles_page_after_page(client, view) -> list[list[str]]:
    pages, params = [], dict(view)
    while True:
        response = client.get(reverse("timeline:chronology"), params)
        assert response.status_code == 200
        pages.append([entry["event"].slug for entry in response.context["entries"]])
        more = response.context["more_url"]
        if not more:
            return pages
        params = {**view, "cursor": re.search(r"cursor=([^&]+)", more).group(1)}


def test_pages_from_the_index_are_the_databases_pages(client, record, monkeypatch):
    from_index = {i: titles_page_after_page(client, view) for i, view in enumerate(VIEWS)}
    assert all(sum(map(len, pages)) for pages in from_index.values())
    assert len(from_index[0]) == 3  # 45 events: three pages
    monkeypatch.setattr(record_index, "for_version", lambda *args: None)
    cache.clear()
    assert from_index == {i: titles_page_after_page(client, view) for i, view in enumerate(VIEWS)}


def test_the_index_finds_the_page_and_the_database_fetches_it_by_id(client, record, monkeypatch):
    monkeypatch.setattr(EventQuerySet, "after", lambda *args: 1 / 0)  # the page query
    response = client.get(reverse("timeline:chronology"), {"actor": "busy", "kind": "talks"})
    assert response.status_code == 200
    assert len(response.context["entries"]) == 20


def test_a_cursor_naming_a_draft_pages_from_the_index_as_if_it_did_not_exist(client, record):
    cursor = {"cursor": Cursor.pack(D(2020, 10, 2), "e-draft")}
    with_draft = client.get(reverse("timeline:chronology"), cursor)
    Event.objects.filter(slug="e-draft").delete()
    counts.recount()
    cache.clear()
    without_draft = client.get(reverse("timeline:chronology"), cursor)
    assert with_draft.status_code == without_draft.status_code == 200
    assert with_draft.content == without_draft.content
