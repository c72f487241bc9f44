"""Absolute links name the configured SITE_URL, whatever Host a request claims: a forged
one must never reach other readers through the page cache."""

import csv
import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import make_event, make_statement
from tests.site_links import FORGED, SITE
from timeline import counts

pytestmark = pytest.mark.django_db


def assert_only_the_site(links: set[str]):
    assert links
    assert all(link.startswith(SITE + "/") for link in links), links


def test_an_event_pages_permalink_and_json_ld_name_the_site(client, production_links):
    event = make_event()
    response = client.get(event.get_absolute_url(), headers=FORGED)
    assert response.context["permalink"] == SITE + event.get_absolute_url()
    block = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    ).group(1)
    data = json.loads(block)
    assert data["url"] == SITE + event.get_absolute_url()
    assert_only_the_site({data["url"], *(article["url"] for article in data["subjectOf"])})
    assert "evil.example" not in response.content.decode()


def test_the_json_export_and_its_next_page_name_the_site(client, production_links):
    for _ in range(21):
        make_event()
    data = client.get(reverse("timeline:events-json"), headers=FORGED).json()
    assert data["next"].startswith(SITE + reverse("timeline:events-json") + "?cursor=")
    urls = {data["next"]}
    for event in data["results"]:
        urls |= {event["url"], *(source["url"] for source in event["sources"])}
    assert_only_the_site(urls)


def test_the_csv_exports_urls_name_the_site(client, production_links):
    event = make_event()
    response = client.get(reverse("timeline:events-csv"), headers=FORGED)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["url"] for row in rows] == [SITE + event.get_absolute_url()]


def test_a_forged_host_cannot_reach_other_readers_through_the_page_cache(
    production_links, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    event = make_event()
    Client().get(event.get_absolute_url(), headers=FORGED)
    page = Client().get(event.get_absolute_url()).content.decode()
    assert "evil.example" not in page
    assert SITE + event.get_absolute_url() in page
    cache.clear()


def test_in_development_without_a_site_url_links_name_the_requests_host(client, settings):
    settings.SITE_URL = ""
    event = make_event()
    response = client.get(event.get_absolute_url())
    assert response.context["permalink"] == "http://testserver" + event.get_absolute_url()


# The pages that list a statement with a link to its passage, and the slug of each.
LISTING_PAGES = {
    "event": lambda statement: statement.event.slug,
    "actor": lambda statement: statement.speaker.slug,
    "source": lambda statement: statement.source.slug,
}


def printed_addresses(client, name: str, statement, **headers) -> list[str]:
    """What a printed page shows after each link to a passage (site.css: on paper, a
    link with ``data-address`` is followed by it)."""
    url = reverse(f"timeline:{name}", kwargs={"slug": LISTING_PAGES[name](statement)})
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return re.findall(r'<a [^>]*data-address="([^"]*)"', response.content.decode())


def test_on_paper_a_link_to_a_passage_is_followed_by_its_address():
    with open(finders.find("css/site.css"), encoding="utf-8") as css:
        printed = css.read().partition("@media print")[2]
    assert re.search(r"a\[data-address\]::after \{ content: [^}]*attr\(data-address\)", printed)


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_a_passage_prints_its_own_address_on_the_site(client, production_links, name):
    statement = make_statement()
    printed = printed_addresses(client, name, statement, **FORGED)
    assert printed == [SITE + statement.get_absolute_url()]


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_in_development_a_passage_prints_its_address_on_the_host_asked(client, settings, name):
    settings.SITE_URL = ""
    statement = make_statement()
    counts.recount()  # a reader's page body is kept, and read again
    for host in ("localhost", "127.0.0.1", "localhost"):
        printed = printed_addresses(client, name, statement, host=host)
        assert printed == [f"http://{host}{statement.get_absolute_url()}"]
