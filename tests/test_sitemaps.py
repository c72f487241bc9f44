"""/sitemap.xml and /robots.txt: every public page, and nothing else, for search
engines, in sections of at most a sitemap's worth of addresses each, every address on
SITE_URL whatever Host the request claims (timeline/sitemaps.py)."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from tests.site_links import FORGED, SITE
from timeline.sitemaps import EventSitemap

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITEMAP = reverse("timeline:sitemap")


def parsed(client, url) -> ET.Element:
    response = client.get(url, headers=FORGED)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def sections(client) -> list[str]:
    """The addresses the index lists."""
    return [loc.text for loc in parsed(client, SITEMAP).iterfind("sm:sitemap/sm:loc", NS)]


def listed(client) -> set[str]:
    """Every address in every sitemap the index lists."""
    addresses = set()
    for section in sections(client):
        assert section.startswith(SITE + "/sitemap-"), section
        root = parsed(client, section.removeprefix(SITE))
        addresses |= {loc.text for loc in root.iterfind("sm:url/sm:loc", NS)}
    return addresses


def test_the_sitemap_lists_every_public_page_and_nothing_else(client, production_links):
    statement = make_statement()
    event, actor, source = statement.event, statement.speaker, statement.source
    draft = make_event(
        publication="draft", actors=[make_actor(slug="drafted")], sources=[make_source()]
    )
    make_actor(slug="unseen")
    pages = ("chronology", "statements", "commitments", "about", "actors", "places", "sources",
             "data")  # fmt: skip
    make_statement(event=draft, source=draft.sources.first())
    expected = {SITE + reverse(f"timeline:{name}") for name in pages} | {
        SITE + page.get_absolute_url() for page in (event, actor, source, *event.sources.all())
    }
    expected.add(SITE + statement.get_permalink())
    assert listed(client) == expected
    assert SITE + draft.get_absolute_url() not in expected


def test_its_addresses_name_the_site_url_whatever_host_the_request_claims(client, production_links):
    make_statement()
    assert sections(client) == [
        SITE + reverse("timeline:sitemap-section", kwargs={"section": section})
        for section in ("pages", "events", "actors", "sources", "statements")
    ]
    assert all(address.startswith(SITE + "/") for address in listed(client))
    for url in (SITEMAP, reverse("timeline:sitemap-section", kwargs={"section": "events"})):
        assert b"evil.example" not in client.get(url, headers=FORGED).content


def test_in_development_without_a_site_url_they_name_the_requests_host(client, settings):
    settings.SITE_URL = ""
    make_event()
    response = client.get(SITEMAP)
    assert b"<loc>http://testserver/sitemap-events.xml</loc>" in response.content


def test_events_are_dated_by_their_last_change(client, production_links):
    event = make_event()
    root = parsed(client, reverse("timeline:sitemap-section", kwargs={"section": "events"}))
    (lastmod,) = [element.text for element in root.iterfind("sm:url/sm:lastmod", NS)]
    assert lastmod == event.updated.date().isoformat()
    index = parsed(client, SITEMAP)
    dated = {
        entry.findtext("sm:loc", namespaces=NS): entry.findtext("sm:lastmod", namespaces=NS)
        for entry in index.iterfind("sm:sitemap", NS)
    }
    assert datetime.datetime.fromisoformat(dated[SITE + "/sitemap-events.xml"]) == event.updated


def test_past_a_sitemaps_worth_of_addresses_a_section_comes_in_pages(
    client, production_links, monkeypatch
):
    """At 100,000 events, the limit of 10,000 addresses a sitemap page makes the events
    section ten pages: the same with a limit of 2 and 5 events (three)."""
    monkeypatch.setattr(EventSitemap, "limit", 2)
    events = [make_event() for _ in range(5)]
    section = SITE + reverse("timeline:sitemap-section", kwargs={"section": "events"})
    assert [s for s in sections(client) if s.startswith(section)] == [
        section,
        section + "?p=2",
        section + "?p=3",
    ]
    pages = [
        [loc.text for loc in parsed(client, page.removeprefix(SITE)).iterfind("sm:url/sm:loc", NS)]
        for page in (section, section + "?p=2", section + "?p=3")
    ]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert {address for page in pages for address in page} == {
        SITE + event.get_absolute_url() for event in events
    }
    assert client.get(section.removeprefix(SITE) + "?p=4").status_code == 404


def test_a_bad_page_or_parameter_is_a_400_that_names_it_and_an_unknown_section_a_404(client):
    make_event()
    events = reverse("timeline:sitemap-section", kwargs={"section": "events"})
    for url, named in [(events + "?p=two", "p"), (events + "?page=2", "page"),
                       (SITEMAP + "?p=2", "p")]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 400, url
        assert named in response.content.decode(), url
    assert client.get(events + "?p=0").status_code == 400
    unknown = reverse("timeline:sitemap-section", kwargs={"section": "x"})
    assert client.get(unknown).status_code == 404


def test_sitemaps_are_cached_like_every_reader_page(client):
    make_event()
    for url in (SITEMAP, reverse("timeline:sitemap-section", kwargs={"section": "events"})):
        response = client.get(url)
        assert "no-cache" in response["Cache-Control"], url
        assert "public" in response["Cache-Control"], url
        assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_names_the_sitemap(client, production_links):
    response = client.get(reverse("timeline:robots"), headers=FORGED)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Sitemap: {SITE}{SITEMAP}",
    ]
    assert reverse("admin:index") == "/admin/"
    assert "public" in response["Cache-Control"]
    assert client.post(reverse("timeline:robots")).status_code == 405
