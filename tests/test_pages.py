"""Event, actor and source pages, and the JSON and CSV twins of the chronology."""

import csv
import datetime
import io
import json
import re

import pytest
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline.models import Statement

pytestmark = pytest.mark.django_db
CALL = "blinken-aliyev-call-2023-09-26"


def page(client, name, slug):
    response = client.get(reverse(f"timeline:{name}", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_26_september_2023_call_sets_the_two_official_accounts_side_by_side(client, seeded):
    html = page(client, "event", CALL)
    assert 'class="accounts side-by-side"' in html
    columns = {
        origin: html.split(f'id="account-{origin}"')[1].split("</section>")[0]
        for origin in ("united-states", "azerbaijan")
    }
    assert "broad amnesty and allow an international observer mission" in columns["united-states"]
    assert "disarming illegal Armenian armed forces" not in columns["united-states"]
    assert "disarming illegal Armenian armed forces" in columns["azerbaijan"]
    assert "broad amnesty" not in columns["azerbaijan"]


def test_a_direct_quote_looks_different_from_reported_speech(client, seeded):
    html = page(client, "event", CALL)
    assert "<blockquote" in html
    assert re.search(r'<blockquote cite="[^"]+"><p>“broad amnesty”</p></blockquote>', html)
    assert re.search(
        r'<p class="paraphrase"><span class="mode-label">Reported speech:</span>', html
    )


def test_every_statement_links_to_its_passage_in_the_source(client, seeded):
    html = page(client, "event", CALL)
    for statement in Statement.objects.filter(event__slug=CALL):
        assert f'href="{statement.get_absolute_url()}"' in html


def test_an_event_page_has_neighbours_a_citation_and_json_ld(client, seeded):
    html = page(client, "event", CALL)
    assert 'rel="prev"' in html
    assert 'rel="next"' in html
    assert "Cite this" in html
    assert "(accessed " in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2023-09-26"
    assert len(data["subjectOf"]) == 3


def test_a_draft_event_page_is_not_public_but_staff_can_preview_it(client, admin_client):
    event = make_event(publication="draft")
    url = event.get_absolute_url()
    assert client.get(url).status_code == 404
    assert "Draft: not public" in admin_client.get(url).content.decode()


def test_an_unknown_slug_is_a_404(client):
    for name in ("event", "actor", "source"):
        assert client.get(reverse(f"timeline:{name}", kwargs={"slug": "nope"})).status_code == 404


def test_an_actor_page_shows_office_affiliation_statements_and_counterparts(client, seeded):
    html = page(client, "actor", "antony-blinken")
    assert "U.S. Secretary of State" in html
    assert 'href="/actors/us-department-of-state/"' in html
    assert "Энтони Блинкен" in html
    assert 'href="/?actor=antony-blinken&amp;actor=ilham-aliyev"' in html
    dates = re.findall(
        r'<li class="statement[^"]*">\s*<p class="who"><time datetime="([^"]+)"', html
    )
    assert dates
    assert dates == sorted(dates)


def test_counterparts_are_counted_by_shared_published_events(client):
    a, b = make_actor(slug="a"), make_actor(slug="b", name="Bee")
    make_event(actors=[a, b])
    make_event(actors=[a, b])
    make_event(actors=[a, b], publication="draft")
    response = client.get(reverse("timeline:actor", kwargs={"slug": "a"}))
    assert response.context["counterparts"] == [
        {"actor__slug": "b", "actor__name": "Bee", "n": 2, "url": "/?actor=a&actor=b"}
    ]


def test_a_source_page_highlights_each_statement_and_links_back(client, seeded):
    slug = "anadolu-blinken-aliyev-discuss-karabakh-2023-09-27"
    html = page(client, "source", slug)
    statements = Statement.objects.filter(source__slug=slug)
    for statement in statements:
        assert f'id="{statement.anchor}"' in html
        assert f"#statement-{statement.pk}" in html
    assert html.count("<mark") >= statements.count()
    assert "Anadolu Agency" in html


def test_a_source_page_does_not_highlight_statements_of_draft_events(client):
    source = make_source()
    make_event(sources=[source])  # a source only drafts cite has no public page
    make_statement(source=source, event=make_event(sources=[source], publication="draft"))
    html = page(client, "source", source.slug)
    assert "<mark" not in html


def test_json_has_the_documented_shape(client, seeded):
    data = client.get(reverse("timeline:events-json"), {"actor": "ilham-aliyev"}).json()
    assert set(data) == {"count", "next", "results"}
    event = next(e for e in data["results"] if e["slug"] == CALL)
    fields = "slug url title summary kind status date_start date_end date_precision"
    assert {*fields.split(), "actors", "places", "sources", "statements"} <= set(event)
    assert {"slug", "name", "role"} == set(event["actors"][0])
    assert {"slug", "outlet", "headline", "published", "origin", "url"} == set(event["sources"][0])
    assert {"speaker", "text", "mode", "speech_act", "source"} == set(event["statements"][0])


def test_exports_return_exactly_the_events_the_page_shows(client, seeded):
    params = {"origin": "united-states", "from": "2022"}
    html = client.get(reverse("timeline:chronology"), params).content.decode()
    on_page = re.findall(r'<h4 id="title-([^"]+)">', html)
    data = client.get(reverse("timeline:events-json"), params).json()
    assert [e["slug"] for e in data["results"]] == on_page
    assert data["count"] == len(on_page)
    response = client.get(reverse("timeline:events-csv"), params)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["slug"] for row in rows] == on_page


def test_json_pages_follow_next_links(client):
    for day in range(1, 26):
        make_event(date_start=datetime.date(2020, 1, day))
    first = client.get(reverse("timeline:events-json")).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
