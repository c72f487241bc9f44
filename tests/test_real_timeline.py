"""The real timeline, loaded from fixtures/ once for every test here (each only reads it):
the questions readers bring to it, answered on its pages, its exports and the admin."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from tests.test_chronology import get, listed_titles
from tests.test_pages import CALL, page
from timeline.models import Actor, Event, Place, Source, Statement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_timeline")]
MODELS = [Event, Actor, Place, Source, Statement]


def test_the_26_september_2023_call_sets_the_two_official_accounts_side_by_side(client):
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


def test_a_direct_quote_looks_different_from_reported_speech(client):
    html = page(client, "event", CALL)
    assert "<blockquote" in html
    assert re.search(r'<blockquote cite="[^"]+"><p>“broad amnesty”</p></blockquote>', html)
    assert re.search(
        r'<p class="paraphrase"><span class="mode-label">Reported speech:</span>', html
    )


def test_every_statement_links_to_its_passage_in_the_source(client):
    html = page(client, "event", CALL)
    for statement in Statement.objects.filter(event__slug=CALL):
        assert f'href="{statement.get_absolute_url()}"' in html


def test_an_event_page_has_neighbours_a_citation_and_json_ld(client):
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


def test_an_actor_page_shows_office_affiliation_statements_and_counterparts(client):
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


def test_aliyevs_counterparts_are_those_he_dealt_with_not_his_own_state(client):
    response = client.get(reverse("timeline:actor", kwargs={"slug": "ilham-aliyev"}))
    slugs = [row["actor__slug"] for row in response.context["counterparts"]]
    assert "antony-blinken" in slugs
    assert "azerbaijan" not in slugs
    assert "presidency-of-azerbaijan" not in slugs
    assert not {"anadolu-agency", "tdi"} & set(slugs)


def test_a_source_page_highlights_each_statement_and_links_back(client):
    slug = "anadolu-blinken-aliyev-discuss-karabakh-2023-09-27"
    html = page(client, "source", slug)
    statements = Statement.objects.filter(source__slug=slug)
    for statement in statements:
        assert f'id="{statement.anchor}"' in html
        assert f"#statement-{statement.pk}" in html
    assert html.count("<mark") >= statements.count()
    assert "Anadolu Agency" in html


def test_json_has_the_documented_shape(client):
    data = client.get(reverse("timeline:events-json"), {"actor": "ilham-aliyev"}).json()
    assert set(data) == {"count", "next", "results"}
    event = next(e for e in data["results"] if e["slug"] == CALL)
    fields = "slug url title summary kind status status_as_of date_start date_end date_precision"
    lists = "actors places sources statements mentioned_in related quantities"
    assert {*fields.split(), *lists.split()} <= set(event)
    assert {"slug", "name", "role"} == set(event["actors"][0])
    assert {"slug", "outlet", "headline", "published", "origin", "url"} == set(event["sources"][0])
    statement = "id url passage_url start end speaker relayed_by event concerns said text mode"
    more = "speech_act source origin addressees points"
    assert {*statement.split(), *more.split()} == set(event["statements"][0])


def test_exports_return_exactly_the_events_the_page_shows(client):
    params = {"origin": "united-states", "from": "2022"}
    html = client.get(reverse("timeline:chronology"), params).content.decode()
    on_page = re.findall(r'<h4 id="title-([^"]+)">', html)
    data = client.get(reverse("timeline:events-json"), params).json()
    assert [e["slug"] for e in data["results"]] == on_page
    assert data["count"] == len(on_page)
    response = client.get(reverse("timeline:events-csv"), params)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["slug"] for row in rows] == on_page


def test_the_real_timeline_answers_every_contact_between_blinken_and_aliyev(client):
    titles = listed_titles(get(client, actor=["antony-blinken", "ilham-aliyev"]))
    assert titles == [
        "Blinken speaks to the leaders of Armenia and Azerbaijan about the border clashes",
        "Blinken and Aliyev speak by phone about peace talks and the Lachin corridor",
        "Blinken and Aliyev speak by phone after the Azerbaijani operation",
        # Known only as before that call ("spoke again"): placed at its bound, after it.
        "Blinken speaks to Aliyev before their call of 26 September 2023",
    ]


def test_the_real_timeline_answers_what_happened_in_september_2022(client):
    titles = listed_titles(get(client, **{"from": "2022-09", "to": "2022-09"}))
    assert "Clashes along the Armenia–Azerbaijan border" in titles
    assert len(titles) == 5


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_list_opens_for_staff_with_the_real_data(admin_client, model):
    url = reverse(f"admin:timeline_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0
