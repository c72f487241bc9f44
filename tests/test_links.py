"""Absolute links name the configured SITE_URL, whatever Host a request claims: a forged
one must never reach other readers through the page cache."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import make_event
from tests.site_links import FORGED, SITE

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
