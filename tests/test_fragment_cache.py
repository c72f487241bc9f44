"""Fragments of reader pages kept in the cache (timeline/caching.py): the chronology's
facets, axis and page of events, a page of /events.json, the body of an event's, an
actor's or a source's page. Never
shown after an edit changed what they show, never read or filled for staff, and shared
by the query strings that mean the same view, never by others. Also: the paths of rows,
built without reverse() per row, keep the script prefix."""

import datetime

import pytest
from django.core.cache import cache
from django.test.utils import override_script_prefix
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source
from timeline import counts
from timeline.models import Actor, Event

pytestmark = pytest.mark.django_db
D = datetime.date
HOME = reverse("timeline:chronology")
RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def record():
    """Two published events of one actor and one source, and a draft, with the counts
    (and so a version of the records) current, as after an editor's change commits."""
    central, wire = make_actor(slug="central", name="Central Actor"), make_source(slug="wire")
    talks = make_event(slug="talks", title="Peace talks", date_start=D(2020, 10, 1),
                       kind="talks", actors=[central], sources=[wire])  # fmt: skip
    make_event(slug="clash", title="Border clash", date_start=D(2020, 9, 27),
               kind="hostilities", actors=[central], sources=[wire])  # fmt: skip
    draft = make_event(slug="draft", title="Drafted meeting", date_start=D(2020, 9, 30),
                       kind="meeting", actors=[central], sources=[wire],
                       publication="draft")  # fmt: skip
    counts.recount()
    return {"central": central, "wire": wire, "talks": talks, "draft": draft}


def text(client, url, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def quietly_rename(**names):
    """Rename events and actors without the signals of an edit: the records' version
    stays, so a page that still shows the old name has it from the cache."""
    for slug, name in names.items():
        Event.objects.filter(slug=slug).update(title=name)
        Actor.objects.filter(slug=slug).update(name=name)


def publish_the_draft(record, user):
    record["draft"].publish(by=user)


def unpublish_the_talks(record, user):
    record["talks"].unpublish(by=user)


def add_an_event(record, user):
    make_event(slug="added", title="Added meeting", date_start=D(2020, 9, 29), kind="meeting",
               actors=[record["central"]], sources=[record["wire"]])  # fmt: skip


PAGES = [
    (HOME, {}),
    (HOME + "?actor=central&from=2020", {}),
    (HOME, RESULTS),
    (reverse("timeline:events-json"), {}),
    (reverse("timeline:actor", kwargs={"slug": "central"}), {}),
    (reverse("timeline:source", kwargs={"slug": "wire"}), {}),
    (reverse("timeline:event", kwargs={"slug": "clash"}), {}),
]


@pytest.mark.parametrize("edit", [publish_the_draft, unpublish_the_talks, add_an_event])
def test_an_editors_change_shows_at_once_on_every_kept_page(
    client, record, admin_user, edit, django_capture_on_commit_callbacks
):
    kept = [text(client, url, **headers) for url, headers in PAGES]
    quietly_rename(talks="Quietly renamed")
    assert [text(client, url, **headers) for url, headers in PAGES] == kept  # from the cache

    with django_capture_on_commit_callbacks(execute=True):  # the recount after the commit
        edit(record, admin_user)

    for url, headers in PAGES:
        shown = text(client, url, **headers)
        cache.clear()
        assert shown == text(client, url, **headers), url  # as rendered afresh
    *listings, clash = [text(client, url) for url, headers in PAGES if not headers]
    for listing in listings:
        assert ("Quietly renamed" in listing) == (edit is not unpublish_the_talks)
        assert ("Drafted meeting" in listing) == (edit is publish_the_draft)
        assert ("Added meeting" in listing) == (edit is add_an_event)
    assert ("Drafted meeting" in clash) == (edit is publish_the_draft)
    assert ("Added meeting" in clash) == (edit is add_an_event)


def test_staff_neither_read_nor_fill_the_readers_fragments(client, admin_client, record):
    clash = reverse("timeline:event", kwargs={"slug": "clash"})
    # Staff first: the event's page links the draft that follows it, for them alone.
    assert "Drafted meeting" in text(admin_client, clash)
    assert "Drafted meeting" not in text(client, clash)
    text(admin_client, HOME)
    text(client, HOME)
    # The readers' pages are kept now; staff still see the records as they are.
    quietly_rename(talks="Quietly renamed", draft="Quietly renamed draft")
    assert "Quietly renamed" not in text(client, HOME)
    assert "Quietly renamed" not in text(client, clash)
    assert "Quietly renamed" in text(admin_client, HOME)
    assert "Quietly renamed draft" in text(admin_client, clash)


def test_query_strings_of_the_same_view_share_its_fragments_and_no_other_does(client, record):
    text(client, HOME + "?kind=talks&actor=central&from=2020")
    quietly_rename(talks="Quietly renamed")

    for same in [
        "?actor=central&from=2020&kind=talks",  # another order
        "?kind=talks&kind=talks&actor=central&from=%202020%20",  # a repeat, spaces
        "?kind=talks&actor=central&from=2020&actor=central",
    ]:
        assert "Quietly renamed" not in text(client, HOME + same), same
    for other in [
        "?kind=talks&actor=central",  # another view
        "?kind=talks&actor=central&from=2020-01-01",  # the same events, other links
        "?kind=talks&kind=meeting&actor=central&from=2020",
    ]:
        assert "Quietly renamed" in text(client, HOME + other), other


@pytest.mark.same_on_every_database
def test_paths_of_rows_keep_the_script_prefix():
    event, actor = Event(slug="talks"), Actor(slug="central")
    assert event.get_absolute_url() == "/events/talks/"
    with override_script_prefix("/timeline/"):
        assert event.get_absolute_url() == "/timeline/events/talks/"
        assert actor.get_absolute_url() == "/timeline/actors/central/"
    assert actor.get_absolute_url() == "/actors/central/"


def test_a_readers_event_page_links_the_neighbours_the_database_finds(client, record):
    # Found in the record's index for a reader: the same, a draft between them left out,
    # events of one day in the order of their slugs.
    for slug in ("same-day-b", "same-day-a", "same-day-c"):
        make_event(slug=slug, title=slug, date_start=D(2020, 10, 1), sources=[record["wire"]])
    counts.recount()
    published = Event.objects.published()
    for event in published:
        page = text(client, event.get_absolute_url())
        for neighbour, rel in zip(published.neighbours(event), ("prev", "next"), strict=True):
            if neighbour is None:
                assert f'rel="{rel}"' not in page
            else:
                assert f'rel="{rel}" href="{neighbour.get_absolute_url()}"' in page, event
