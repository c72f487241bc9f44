"""What each public page says of itself in its <head> (timeline/heads.py): a title and a
description of what is on screen, its one address (canonical), its feed, and the Open
Graph and Twitter card tags of a shared link's preview, every address on SITE_URL
whatever Host the request claims."""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from tests.site_links import FORGED, SITE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_links")]

HOME = reverse("timeline:chronology")
ATOM = reverse("timeline:events-atom")


class Head(HTMLParser):
    """The <title>, <meta> and <link> elements of a page's <head>."""

    def __init__(self, html: str):
        super().__init__()
        self.title, self.meta, self.links, self._in_title, self._in_head = "", {}, [], False, True
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._in_head:
            return
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and "content" in attrs:
            name = attrs.get("property") or attrs.get("name")
            assert name not in self.meta, f"{name} twice"
            self.meta[name] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_head = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def link(self, rel: str) -> list[dict]:
        return [link for link in self.links if link.get("rel") == rel]

    @property
    def canonical(self) -> str:
        (link,) = self.link("canonical")
        return link["href"]


def head(client, url, **params) -> Head:
    response = client.get(url, params, headers=FORGED)
    assert response.status_code == 200, url
    return Head(response.content.decode())


@pytest.fixture
def pages():
    statement = make_statement()
    return {
        "chronology": HOME,
        "filtered": HOME + "?kind=meeting",
        "event": statement.event.get_absolute_url(),
        "actor": statement.speaker.get_absolute_url(),
        "source": statement.source.get_absolute_url(),
    }


def test_every_public_page_names_its_one_address_on_the_site_url(client, pages):
    for name, url in pages.items():
        assert head(client, url).canonical == SITE + url, name


def test_a_views_address_is_written_the_one_way_the_site_writes_it(client):
    make_event(actors=[make_actor(slug="a")])
    found = head(client, HOME, kind=["meeting", "meeting"], actor="a", to=" 2024 ")
    assert found.canonical == SITE + HOME + "?actor=a&kind=meeting&to=2024"


def test_a_continued_page_of_the_chronology_names_its_own_address(client):
    for day in range(1, 23):
        make_event(date_start=datetime.date(2020, 1, day))
    more = client.get(reverse("timeline:events-json")).json()["next"]
    cursor = more.partition("?cursor=")[2]
    found = head(client, HOME, cursor=cursor)
    assert found.canonical == SITE + HOME + f"?cursor={cursor}"
    assert "continued after 20 January 2020" in found.title


def test_a_filtered_chronologys_title_says_what_is_on_screen(client):
    blinken = make_actor(slug="antony-blinken", name="Antony J. Blinken")
    aliyev = make_actor(slug="ilham-aliyev", name="Ilham Aliyev")
    for year in (2022, 2023, 2023):
        make_event(date_start=datetime.date(year, 5, 1), actors=[blinken, aliyev])
    make_event(date_start=datetime.date(2021, 5, 1), actors=[blinken, aliyev])
    make_event(date_start=datetime.date(2023, 5, 1), actors=[blinken])
    query = {"actor": ["antony-blinken", "ilham-aliyev"], "from": "2022", "to": "2023"}
    found = head(client, HOME, **query)
    title = "Antony J. Blinken and Ilham Aliyev, 2022–2023 · 3 events"
    assert found.title == f"{title} · Karabakh timeline"
    assert found.meta["og:title"] == found.meta["twitter:title"] == title
    assert "3 events" in found.meta["description"]
    assert "Antony J. Blinken and Ilham Aliyev, 2022–2023" in found.meta["description"]


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ({"from": "2020-09", "to": "2020-11"}, "September–November 2020"),
        ({"from": "2020-09-27", "to": "2020-11-10"}, "27 September – 10 November 2020"),
        ({"from": "2020-11", "to": "2020-11"}, "November 2020"),
        ({"from": "2020", "to": "2020-11"}, "2020 – November 2020"),
        ({"from": "2020-09-27"}, "from 27 September 2020"),
        ({"to": "2020-11"}, "until November 2020"),
    ],
)
def test_a_chronologys_period_is_titled_as_dates_read_on_its_pages(client, period, said):
    make_event(date_start=datetime.date(2020, 11, 10))
    assert head(client, HOME, **period).title == f"{said} · 1 event · Karabakh timeline"


def test_the_whole_chronologys_title_counts_its_events(client):
    make_event()
    assert head(client, HOME).title == "Chronology, 1991–2023 · 1 event · Karabakh timeline"
    found = head(client, HOME, q="talks", kind=["meeting", "talks"], origin="azerbaijan")
    title = "“talks”, Meeting or Talks, reported by Azerbaijan · 0 events"
    assert found.title == f"{title} · Karabakh timeline"


def test_an_event_page_is_titled_by_the_event_and_its_date_and_described_by_its_summary(client):
    event = make_event(
        title="Blinken and Aliyev speak by phone",
        summary="They discuss the humanitarian situation.",
        date_start=datetime.date(2023, 9, 26),
    )
    found = head(client, event.get_absolute_url())
    title = "Blinken and Aliyev speak by phone, 26 September 2023"
    assert found.title == f"{title} · Karabakh timeline"
    assert found.meta["description"] == "They discuss the humanitarian situation."
    assert found.meta["og:type"] == "article"


def test_an_actor_and_a_source_page_are_titled_by_their_name_and_document(client):
    source = make_source(headline="Secretary Blinken's call", outlet="State Department")
    actor = make_actor(name="Antony J. Blinken", office="Secretary of State")
    make_statement(source=source, speaker=actor)
    found = head(client, actor.get_absolute_url())
    assert found.title == "Antony J. Blinken · Karabakh timeline"
    assert found.meta["description"].startswith("Antony J. Blinken, Secretary of State (person)")
    found = head(client, source.get_absolute_url())
    assert found.title.startswith("Secretary Blinken's call, State Department, 1 May 2023")


def test_every_public_page_previews_as_itself_with_the_sites_own_image(client, pages):
    image = staticfiles_storage.url("img/share.png")
    assert finders.find("img/share.png")
    for name, url in pages.items():
        found = head(client, url)
        meta = found.meta
        assert meta["og:url"] == found.canonical == SITE + url, name
        assert meta["og:title"], name
        assert meta["og:title"] in found.title, name
        assert meta["og:description"] == meta["description"] == meta["twitter:description"]
        assert meta["og:type"] in ("website", "article"), name
        assert meta["og:image"] == meta["twitter:image"] == SITE + image, name
        assert meta["twitter:card"] == "summary_large_image", name
        assert all(value and "evil.example" not in value for value in meta.values()), name


def test_the_share_image_is_a_png_of_the_size_the_page_says(client):
    meta = head(client, HOME).meta
    with open(finders.find("img/share.png"), "rb") as file:
        data = file.read(24)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
    assert (str(width), str(height)) == (meta["og:image:width"], meta["og:image:height"])


def test_the_chronology_links_to_the_feed_of_the_view_on_screen(client):
    make_event()
    (feed,) = head(client, HOME).link("alternate")
    assert (feed["type"], feed["href"]) == ("application/atom+xml", SITE + ATOM)
    (feed,) = head(client, HOME, kind="meeting", q="a  b").link("alternate")
    assert feed["href"] == SITE + ATOM + "?q=a+b&kind=meeting"


def test_an_actors_page_links_to_the_feed_of_its_events(client):
    actor = make_actor(slug="ilham-aliyev")
    make_event(actors=[actor])
    (feed,) = head(client, actor.get_absolute_url()).link("alternate")
    assert (feed["type"], feed["href"]) == (
        "application/atom+xml",
        SITE + ATOM + "?actor=ilham-aliyev",
    )
    assert client.get(feed["href"].removeprefix(SITE)).status_code == 200


def test_a_page_with_a_problem_names_no_address_of_its_own(client):
    html = client.get(HOME, {"from": "nope"}).content.decode()
    found = Head(html)
    assert found.title == "This address has a problem · Karabakh timeline"
    assert not found.link("canonical")
    assert "og:url" not in found.meta
