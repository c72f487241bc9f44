"""``sort=oldest`` (the default) and ``sort=newest``: the order of the chronology's
page of events, its "show more", /events.json and /events.csv, kept in every link
of the page; never what is counted."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from tests.factories import make_event
from timeline import counts

pytestmark = pytest.mark.django_db
HOME = reverse("timeline:chronology")
D = datetime.date


@pytest.fixture(params=["index", "sql"])
def record(request):
    """25 published events, a day apart, and a draft among them; counted (the record's
    index answers) or awaiting its recount (the database answers)."""
    for n in range(25):
        make_event(slug=f"day-{n:02}", kind="talks" if n % 2 else "meeting",
                   date_start=D(2020, 1, 1) + datetime.timedelta(days=n))  # fmt: skip
    make_event(slug="day-draft", date_start=D(2020, 1, 10), publication="draft")
    if request.param == "index":
        counts.recount()


def slugs_of(client, url: str) -> tuple[list[str], str | None]:
    data = client.get(url).json()
    return [e["slug"] for e in data["results"]], data["next"]


def test_newest_first_pages_through_every_event_once_in_reverse(client, record):
    seen, url = [], reverse("timeline:events-json") + "?sort=newest"
    while url:
        slugs, url = slugs_of(client, url)
        seen += slugs
        assert url is None or "sort=newest" in url
    assert seen == [f"day-{n:02}" for n in reversed(range(25))]


def test_the_page_shows_newest_first_and_its_show_more_keeps_the_order(client, record):
    response = client.get(HOME, {"sort": "newest"})
    assert response.status_code == 200
    titles = [entry["event"].slug for entry in response.context["entries"]]
    assert titles == [f"day-{n:02}" for n in reversed(range(5, 25))]
    more = response.context["more_url"]
    assert "sort=newest" in more
    shown = client.get(HOME + more).context["entries"]
    assert [entry["event"].slug for entry in shown] == [f"day-{n:02}" for n in reversed(range(25))]


def test_the_order_is_kept_in_every_link_and_never_a_filter_chip(client, record):
    response = client.get(HOME, {"sort": "newest", "kind": "talks"})
    html = response.content.decode()
    assert [chip["label"] for chip in response.context["chips"]] == ["Kind: Talks"]
    assert "events.json?kind=talks&amp;sort=newest" in html
    assert "events.csv?kind=talks&amp;sort=newest" in html
    for option in response.context["facets"]["kind"]:
        assert "sort=newest" in option["url"]
    assert '<strong aria-current="true">Newest first</strong>' in html
    assert '<a href="/?kind=talks" hx-get="/?kind=talks"' in html


def test_the_counts_do_not_depend_on_the_order(client, record):
    oldest = client.get(HOME, {"kind": "talks"}).context
    newest = client.get(HOME, {"kind": "talks", "sort": "newest"}).context
    assert oldest["count"] == newest["count"] == 12
    assert [bar["count"] for bar in oldest["axis"]] == [bar["count"] for bar in newest["axis"]]


def test_the_csv_comes_newest_first_too(client, record):
    for params in ({"sort": "newest"}, {"sort": "newest", "kind": "talks"}):
        response = client.get(reverse("timeline:events-csv"), params)
        body = b"".join(response.streaming_content).decode()
        dates = [row["date_start"] for row in csv.DictReader(io.StringIO(body))]
        assert dates == sorted(dates, reverse=True)
        assert len(dates) == (25 if "kind" not in params else 12)


def test_oldest_is_the_default_and_may_be_named(client, record):
    assert slugs_of(client, reverse("timeline:events-json") + "?sort=oldest")[0][0] == "day-00"
    assert client.get(HOME, {"sort": "oldest"}).context["orders"][0]["current"]


def test_an_unknown_order_is_a_named_400(client):
    response = client.get(HOME, {"sort": "latest"})
    assert response.status_code == 400
    assert "sort" in response.content.decode()
    assert client.get(reverse("timeline:events-json"), {"sort": "latest"}).status_code == 400


def test_the_feed_of_a_newest_first_view_is_that_of_its_filters(client, record):
    html = client.get(HOME, {"sort": "newest", "kind": "talks"}).content.decode()
    assert 'href="https://' in html or 'href="http://' in html
    assert '/events.atom?kind=talks"' in html
    response = client.get(reverse("timeline:events-atom"), {"sort": "newest"})
    assert response.status_code == 400
    assert "sort" in response.content.decode()
