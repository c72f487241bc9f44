"""/events.atom: the events /events.json gives for the same filters, the 50 most recently
published or changed, newest change first, each with its permalink, dates, summary and
sources; the same named 400s; every address on SITE_URL (timeline/feeds.py)."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_actor, make_event, make_source
from tests.site_links import FORGED, SITE
from timeline import feeds
from timeline.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_links")]

NS = {"atom": "http://www.w3.org/2005/Atom"}
FEED = reverse("timeline:events-atom")
JSON = reverse("timeline:events-json")


def feed(client, params=None) -> ET.Element:
    response = client.get(FEED, params or {}, headers=FORGED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert b"evil.example" not in response.content
    return ET.fromstring(response.content)


def entries(root) -> list[ET.Element]:
    return root.findall("atom:entry", NS)


def link(element) -> str:
    return element.find("atom:link[@rel='alternate']", NS).get("href")


def updated(element) -> datetime.datetime:
    return datetime.datetime.fromisoformat(element.findtext("atom:updated", namespaces=NS))


def set_updated(event, when):
    """When ``event`` last changed, as if it had been then (``update`` leaves ``updated``
    as it is told: it is ``auto_now`` on save only)."""
    Event.objects.filter(pk=event.pk).update(updated=when)


@pytest.fixture
def record():
    blinken = make_actor(slug="antony-blinken", name="Antony J. Blinken")
    aliyev = make_actor(slug="ilham-aliyev", name="Ilham Aliyev")
    make_event(actors=[blinken, aliyev], kind="phone-call", date_start=datetime.date(2023, 9, 26))
    make_event(actors=[blinken, aliyev], kind="meeting", date_start=datetime.date(2022, 5, 1))
    make_event(actors=[blinken], kind="meeting", date_start=datetime.date(2021, 3, 1))
    make_event(actors=[aliyev], kind="phone-call", date_start=datetime.date(2020, 10, 10))
    make_event(actors=[blinken], publication="draft")


@pytest.mark.parametrize(
    "params",
    [{}, {"actor": "antony-blinken"}, {"actor": ["antony-blinken", "ilham-aliyev"]},
     {"kind": "phone-call"}, {"kind": ["phone-call", "meeting"], "from": "2021", "to": "2022"},
     {"origin": "azerbaijan"}, {"q": "Event"}],
)  # fmt: skip
def test_the_feed_lists_the_events_json_lists_for_the_same_filters(client, record, params):
    data = client.get(JSON, params).json()
    expected = {event["url"] for event in data["results"]}
    root = feed(client, params)
    assert {link(entry) for entry in entries(root)} == expected
    assert {entry.findtext("atom:id", namespaces=NS) for entry in entries(root)} == expected
    assert len(entries(root)) == data["count"]


def test_entries_come_newest_change_first_each_dated_by_it(client):
    now = timezone.now()
    events = [make_event() for _ in range(4)]
    for event, days_ago in zip(events, [3, 1, 4, 2], strict=True):
        set_updated(event, now - datetime.timedelta(days=days_ago))
    found = entries(feed(client))
    assert [link(entry) for entry in found] == [
        SITE + events[i].get_absolute_url() for i in (1, 3, 0, 2)
    ]
    dates = [updated(entry) for entry in found]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == now - datetime.timedelta(days=1)


def test_an_event_just_published_comes_first(client, admin_user):
    now = timezone.now()
    changed, draft = make_event(), make_event(publication="draft")
    set_updated(changed, now - datetime.timedelta(hours=1))
    set_updated(draft, now - datetime.timedelta(days=30))
    draft.refresh_from_db()
    draft.publish(by=admin_user)
    first, second = entries(feed(client))
    assert (link(first), link(second)) == (
        SITE + draft.get_absolute_url(),
        SITE + changed.get_absolute_url(),
    )
    assert updated(first) > now - datetime.timedelta(minutes=5)


def test_the_feed_holds_the_fifty_latest_changes(client):
    now = timezone.now()
    events = [make_event() for _ in range(51)]
    for minutes, event in enumerate(events):
        set_updated(event, now - datetime.timedelta(minutes=minutes))
    found = {link(entry) for entry in entries(feed(client))}
    assert found == {SITE + event.get_absolute_url() for event in events[:50]}


def test_an_entry_carries_the_events_dates_summary_and_sources(client):
    source = make_source(
        outlet="State Department", headline="Readout", published=datetime.date(2023, 9, 27)
    )
    event = make_event(
        title="Blinken & Aliyev <speak>",
        summary="They discuss <b>access</b>.",
        kind="phone-call",
        date_start=datetime.date(2023, 9, 26),
        sources=[source],
    )
    (entry,) = entries(feed(client))
    assert entry.findtext("atom:title", namespaces=NS) == "Blinken & Aliyev <speak>"
    assert link(entry) == SITE + event.get_absolute_url()
    summary = entry.find("atom:summary", NS)
    assert summary.get("type") == "html"
    assert summary.text == (
        "<p>26 September 2023</p><p>They discuss &lt;b&gt;access&lt;/b&gt;.</p>"
        f'<p>Sources:</p><ul><li><a href="{SITE}{source.get_absolute_url()}">State Department'
        "</a>, 27 September 2023</li></ul>"
    )
    assert entry.find("atom:category", NS).get("term") == "Phone call"
    assert updated(entry) == Event.objects.get(pk=event.pk).updated


def test_the_feed_names_its_view_and_itself_on_the_site_url(client, record):
    root = feed(client, {"actor": ["antony-blinken", "ilham-aliyev"], "to": "2023"})
    query = "?actor=antony-blinken&actor=ilham-aliyev&to=2023"
    assert root.findtext("atom:title", namespaces=NS) == (
        "Karabakh timeline: Antony J. Blinken and Ilham Aliyev, until 2023"
    )
    assert root.find("atom:link[@rel='self']", NS).get("href") == SITE + FEED + query
    assert link(root) == SITE + reverse("timeline:chronology") + query
    assert root.findtext("atom:id", namespaces=NS) == SITE + FEED + query
    assert root.findtext("atom:author/atom:name", namespaces=NS) == "Karabakh timeline"


@pytest.mark.parametrize(
    "params",
    [{"from": "nope"}, {"actor": "nobody"}, {"kind": "war"}, {"q": "a b c d e f g"},
     {"from": "2023", "to": "2022"}, {"place": "x", "utm": "1"}],
)  # fmt: skip
def test_bad_parameters_are_the_json_exports_named_400s(client, record, params):
    errors = client.get(JSON, params).json()["errors"]
    response = client.get(FEED, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        f"{error['parameter'] or 'query'}: {error['message']}" for error in errors
    ]


@pytest.mark.parametrize(("name", "value"), [("cursor", "MjAyMy0wMS0wMXxh"), ("shown", "40")])
def test_a_feed_has_no_pages_so_a_cursor_is_an_unknown_parameter(client, record, name, value):
    response = client.get(FEED, {name: value})
    assert response.status_code == 400
    assert response.content.decode().splitlines() == [f"query: Unknown parameter: {name}."]


def test_the_feed_is_cached_like_every_reader_page(client, record):
    response = client.get(FEED)
    assert "no-cache" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert client.get(FEED, headers={"if-none-match": response["ETag"]}).status_code == 304
    assert client.post(FEED).status_code == 405


def test_the_latest_changes_are_read_from_an_index_not_sorted(record):
    if connection.vendor != "postgresql":
        pytest.skip("The plan is PostgreSQL's; SQLite's tables here are too small to tell.")
    with connection.cursor() as cursor:
        # Few rows, whose statistics may make a sort the cheapest: leave no plain scan
        # and no sort the planner could avoid (without the index it could not).
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off")
        events = Event.objects.published().latest_changes()[: feeds.LATEST]
        sql, params = events.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_sort")
    assert "event_latest_change" in plan, plan
    assert "Sort" not in plan, plan
