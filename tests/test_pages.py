"""Event, actor and source pages, and the JSON and CSV twins of the chronology."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline.models import Source, Statement

pytestmark = pytest.mark.django_db
CALL = "blinken-aliyev-call-2023-09-26"


def page(client, name, slug):
    response = client.get(reverse(f"timeline:{name}", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_draft_event_page_is_not_public_but_staff_can_preview_it(client, admin_client):
    event = make_event(publication="draft")
    url = event.get_absolute_url()
    assert client.get(url).status_code == 404
    assert "Draft: not public" in admin_client.get(url).content.decode()


def test_an_unknown_slug_is_a_404(client):
    for name in ("event", "actor", "source"):
        assert client.get(reverse(f"timeline:{name}", kwargs={"slug": "nope"})).status_code == 404


def test_counterparts_are_counted_by_shared_published_events(client):
    a, b = make_actor(slug="a"), make_actor(slug="b", name="Bee")
    make_event(actors=[a, b])
    make_event(actors=[a, b])
    make_event(actors=[a, b], publication="draft")
    response = client.get(reverse("timeline:actor", kwargs={"slug": "a"}))
    assert response.context["counterparts"] == [
        {"actor__slug": "b", "actor__name": "Bee", "n": 2, "url": "/?actor=a&actor=b"}
    ]


def test_counterparts_leave_out_the_actors_own_bodies_its_members_and_news_outlets(client):
    state = make_actor(slug="state", kind="state")
    office = make_actor(slug="office", kind="government-body", affiliation=state)
    leader = make_actor(slug="leader", kind="person", affiliation=office)
    aide = make_actor(slug="aide", kind="person", affiliation=leader)
    wire = make_actor(slug="wire", kind="media")
    envoy = make_actor(slug="envoy", kind="person")
    make_event(actors=[leader, state, office, aide, wire, envoy])
    response = client.get(reverse("timeline:actor", kwargs={"slug": "leader"}))
    assert [row["actor__slug"] for row in response.context["counterparts"]] == ["envoy"]


def test_a_source_page_does_not_highlight_statements_of_draft_events(client):
    source = make_source()
    make_event(sources=[source])  # a source only drafts cite has no public page
    make_statement(source=source, event=make_event(sources=[source], publication="draft"))
    html = page(client, "source", source.slug)
    assert "<mark" not in html


def test_json_pages_follow_next_links(client):
    for day in range(1, 26):
        make_event(date_start=datetime.date(2020, 1, day))
    first = client.get(reverse("timeline:events-json")).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None


def test_a_source_names_its_language_and_a_passage_prints_its_address(client, settings):
    settings.SITE_URL = "https://timeline.example.org"
    statement = make_statement()
    Source.objects.filter(pk=statement.source_id).update(language="ru")
    assert "in Russian" in page(client, "source", statement.source.slug)
    html = page(client, "event", statement.event.slug)
    assert f'data-address="https://timeline.example.org{statement.get_absolute_url()}"' in html


@pytest.mark.parametrize("name", ["event", "actor", "source"])
def test_each_listed_statement_says_once_whether_it_is_a_quote_reported_or_an_account(client, name):
    source, speaker = make_source(), make_actor(slug="minister")
    event = make_event(sources=[source])
    for mode, text in [
        ("quote", "We want peace,"),
        ("reported", "The envoy urged both sides to talk."),
        ("account", "The minister met the envoy today."),
    ]:
        make_statement(event=event, source=source, speaker=speaker, mode=mode, text=text)
    slug = {"event": event.slug, "actor": "minister", "source": source.slug}[name]
    html = page(client, name, slug)
    items = dict(re.findall(r'<li class="statement mode-(\w+)"[^>]*>(.*?)</li>', html, re.S))
    assert set(items) == {"quote", "reported", "account"}
    labels = {mode: escape(label).lower() for mode, label in Statement.Mode.choices}
    for mode, item in items.items():
        # In its text, attributes and hidden text alike: what a screen reader reads too.
        said = {other: item.lower().count(label) for other, label in labels.items()}
        assert said == {other: int(other == mode) for other in labels}, item
    # The quote's label is read before it, as reported speech's is.
    assert re.search(r'<p class="mode-label">Direct quote:</p><blockquote', items["quote"])
    assert '<span class="mode-label">Reported speech:</span>' in items["reported"]


def test_an_events_date_reads_the_same_wherever_the_site_shows_it(client):
    D = datetime.date
    war = make_event(title="War", date_start=D(1991, 1, 1), date_end=D(1994, 12, 31),
                     date_precision="year")  # fmt: skip
    unrest = make_event(title="Unrest", date_start=D(1987, 1, 1), date_end=D(1993, 12, 31),
                        date_precision="approximate")  # fmt: skip
    for event, shown in [(war, "1991–1994"), (unrest, "c. 1987–1993")]:
        html = page(client, "event", event.slug)
        assert f"<title>{event.title}, {shown} · Karabakh timeline</title>" in html
        assert re.search(rf'<p class="meta">\s*<time datetime="[^"]+">{shown}</time>', html)
        assert f"“{event.title}” ({shown})." in html  # the citation
    assert f'<a rel="next" href="{war.get_absolute_url()}">1991–1994: War →</a>' in page(
        client, "event", unrest.slug
    )
    chronology = client.get(reverse("timeline:chronology")).content.decode()
    assert '<time datetime="1987-01-01">c. 1987–1993</time>' in chronology
    assert '<time datetime="1991-01-01">1991–1994</time>' in chronology
    exported = client.get(reverse("timeline:events-json")).json()["results"]
    assert [row["date_display"] for row in exported] == ["c. 1987–1993", "1991–1994"]
    csv_body = b"".join(client.get(reverse("timeline:events-csv")).streaming_content).decode()
    rows = csv.DictReader(io.StringIO(csv_body))
    assert [row["date_display"] for row in rows] == ["c. 1987–1993", "1991–1994"]
    atom = ET.fromstring(client.get(reverse("timeline:events-atom")).content)
    summaries = [s.text for s in atom.iter("{http://www.w3.org/2005/Atom}summary")]
    assert sorted(summary.partition("</p>")[0] for summary in summaries) == [
        "<p>1991–1994",
        "<p>c. 1987–1993",
    ]
