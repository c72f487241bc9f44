"""Markup and script typed by an editor, or put in a query string, is shown as text and never
runs: on the public pages and their fragments, in the exports and in the admin."""

import csv
import datetime
import io

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.models import Actor, Event, Place, Source, Statement

pytestmark = pytest.mark.django_db

# A script element, an element with an event handler, and quotes that would end an attribute.
SCRIPT = '<script>alert("x")</script>'
HANDLER = "<img src=x onerror=alert(1)>"
ATTRIBUTE = '" onmouseover="alert(2)" data-x=\''
PAYLOAD = SCRIPT + HANDLER + ATTRIBUTE
# What must never stand unescaped in an HTML response.
RAW = ["<script>alert(", "<img src=x", '" onmouseover="', "<b>lang</b>"]


def typed(field: str) -> str:
    return f"{field} {PAYLOAD}"


LANGUAGE = 'en"><b>lang</b>'  # the language field holds at most 20 characters


@pytest.fixture(scope="module")
def marked_up(django_db_setup, django_db_blocker):
    """A published event in which every text field an editor types holds the payload.
    Made once for the module (80 tests, 0.15 s each to make it): the tests only read it,
    each in a transaction of its own inside this one, which is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_marked_up()
        transaction.set_rollback(True)


def make_marked_up():
    affiliation = make_actor(slug="body", name=typed("affiliation name"), kind="state")
    speaker = make_actor(
        slug="speaker",
        name=typed("actor name"),
        office=typed("office"),
        aliases=f"{typed('alias one')}\n{typed('alias two')}",
        affiliation=affiliation,
    )
    place = make_place(slug="place", name=typed("place name"), aliases=typed("place alias"))
    source = make_source(
        slug="source",
        outlet=typed("outlet"),
        headline=typed("headline"),
        published_note=typed("published note"),
        dateline=typed("dateline"),
        language=LANGUAGE,
        relays=typed("relays"),
        url='https://example.org/"><script>alert("url")</script>',
        seed_file=typed("seed file"),
        text=f"Before. {typed('statement')} Between. “{typed('quote')}” After. {typed('text')}",
    )
    event = make_event(
        slug="event",
        title=typed("title"),
        summary=typed("summary"),
        date_note=typed("date note"),
        date_start=datetime.date(2023, 9, 26),
        sources=[source],
        actors=[speaker],
        places=[place],
    )
    make_statement(event=event, source=source, speaker=speaker, text=typed("statement"))
    make_statement(
        event=event, source=source, speaker=speaker, text=typed("quote"), mode="quote"
    ).addressees.add(affiliation)
    # A draft without sources or places, which the curation queue lists.
    make_event(slug="draft", title=typed("draft title"), publication="draft", sources=[])
    return event


def assert_inert(response, *shown):
    """An HTML response in which no payload is markup, and each of ``shown`` is text."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html
    # Django escapes ' and " as &#x27; and &quot;, Jinja2 (the chronology's hottest
    # parts) as &#39; and &#34;: the same text.
    as_text = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    for text in shown:
        assert escape(text) in as_text
    return html


HTMX = {"HX-Request": "true"}


def test_the_chronology_shows_typed_markup_as_text(client, marked_up):
    url = reverse("timeline:chronology")
    assert_inert(client.get(url), typed("title"), typed("summary"), typed("actor name"),
                 typed("place name"), typed("outlet"))  # fmt: skip


@pytest.mark.parametrize("target", ["results", "show-more", "chronology"])
def test_the_chronology_fragments_show_typed_markup_as_text(client, marked_up, target):
    url = reverse("timeline:chronology")
    response = client.get(url, {"actor": "speaker"}, headers={**HTMX, "HX-Target": target})
    html = assert_inert(response, typed("title"), typed("summary"))
    assert "<html" not in html


def test_filters_naming_marked_up_actors_and_places_show_them_as_text(client, marked_up):
    response = client.get(
        reverse("timeline:chronology"), {"actor": "speaker", "place": "place", "q": "title"}
    )
    # The chips and the facets name the chosen actor and place.
    assert_inert(response, f"Actor: {typed('actor name')}", f"Place: {typed('place name')}")


def test_the_event_page_shows_typed_markup_as_text(client, marked_up):
    html = assert_inert(
        client.get(marked_up.get_absolute_url()),
        typed("title"),
        typed("summary"),
        typed("date note"),
        typed("actor name"),
        typed("place name"),
        typed("statement"),
        typed("quote"),
        typed("outlet"),
    )
    # The JSON-LD block keeps the data but cannot close its <script> element.
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block
    assert "\\u003Cscript\\u003E" in block


def test_the_actor_page_shows_typed_markup_as_text(client, marked_up):
    assert_inert(
        client.get(reverse("timeline:actor", kwargs={"slug": "speaker"})),
        typed("actor name"),
        typed("office"),
        typed("alias one"),
        typed("alias two"),
        typed("affiliation name"),
        typed("statement"),
        typed("title"),
    )


def test_the_source_page_shows_typed_markup_as_text(client, marked_up):
    html = assert_inert(
        client.get(reverse("timeline:source", kwargs={"slug": "source"})),
        typed("headline"),
        typed("outlet"),
        typed("published note"),
        typed("dateline"),
        typed("relays"),
        typed("statement"),
        typed("quote"),
        typed("text"),
        LANGUAGE,
    )
    assert 'href="https://example.org/&quot;&gt;&lt;script&gt;' in html


def test_the_json_export_carries_typed_markup_as_data(client, marked_up):
    response = client.get(reverse("timeline:events-json"))
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    (event,) = response.json()["results"]
    assert event["title"] == typed("title")
    assert event["summary"] == typed("summary")
    assert event["actors"][0]["name"] == typed("actor name")
    assert event["places"][0]["name"] == typed("place name")
    assert event["sources"][0]["outlet"] == typed("outlet")
    assert event["sources"][0]["headline"] == typed("headline")
    assert {s["text"] for s in event["statements"]} == {typed("statement"), typed("quote")}


def test_the_csv_export_carries_typed_markup_as_data(client, marked_up):
    response = client.get(reverse("timeline:events-csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title"] == typed("title")
    assert row["summary"] == typed("summary")
    assert row["places"] == typed("place name")
    assert row["outlets"] == typed("outlet")
    assert row["actors"] == f"{typed('actor name')} (participant)"


# ---------------------------------------------------------------- the admin


@pytest.mark.parametrize("model", [Event, Actor, Place, Source, Statement])
def test_the_admin_lists_show_typed_markup_as_text(admin_client, marked_up, model):
    url = reverse(f"admin:timeline_{model._meta.model_name}_changelist")
    assert_inert(admin_client.get(url))
    # Searching for markup shows the search as text too.
    assert_inert(admin_client.get(url, {"q": SCRIPT}), SCRIPT)


@pytest.mark.parametrize("model", [Event, Actor, Place, Source, Statement])
def test_the_admin_forms_and_histories_show_typed_markup_as_text(admin_client, marked_up, model):
    for row in model.objects.all():
        for view in ("change", "history"):
            url = reverse(f"admin:timeline_{model._meta.model_name}_{view}", args=[row.pk])
            assert_inert(admin_client.get(url))


def test_the_admin_shows_typed_markup_on_the_pages_editors_work_on(admin_client, marked_up):
    source = Source.objects.get(slug="source")
    url = reverse("admin:timeline_source_change", args=[source.pk])
    # The source's read-only list of the statements anchored in it.
    assert_inert(admin_client.get(url), typed("statement"), typed("quote"), typed("title"))
    url = reverse("admin:timeline_event_change", args=[marked_up.pk])
    assert_inert(admin_client.get(url), typed("title"), typed("summary"), typed("statement"))


def test_the_curation_queue_shows_typed_markup_as_text(admin_client, marked_up):
    assert_inert(admin_client.get(reverse("admin:curation")), typed("draft title"))


def test_a_statement_not_in_its_source_is_refused_with_the_typed_markup_as_text(
    admin_client, marked_up
):
    statement = Statement.objects.get(mode="reported")
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    form = {
        "event": statement.event_id,
        "speaker": statement.speaker_id,
        "source": statement.source_id,
        "text": f"not in the source {PAYLOAD}",
        "mode": "reported",
        "speech_act": "states",
    }
    html = assert_inert(admin_client.post(url, form), f"not in the source {PAYLOAD}")
    assert "does not occur verbatim" in html


# ---------------------------------------------------------------- query strings


CRAFTED = {
    "q": PAYLOAD,
    "actor": PAYLOAD,
    "place": PAYLOAD,
    "kind": PAYLOAD,
    "origin": PAYLOAD,
    "from": PAYLOAD,
    "to": PAYLOAD,
    "cursor": PAYLOAD,
    PAYLOAD: "1",  # an unknown parameter, named in the error
}


@pytest.mark.parametrize(("name", "value"), CRAFTED.items())
@pytest.mark.parametrize("target", [None, "results", "show-more", "chronology"])
def test_a_crafted_query_string_is_never_reflected_as_markup(
    client, marked_up, name, value, target
):
    headers = {**HTMX, "HX-Target": target} if target else {}
    response = client.get(reverse("timeline:chronology"), {name: value}, headers=headers)
    assert response.status_code in {200, 400}
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html
    if response.status_code == 400:
        assert "This address has a problem" in html


def test_a_search_for_markup_is_shown_as_text_in_the_search_box_and_its_chip(client, marked_up):
    response = client.get(reverse("timeline:chronology"), {"q": SCRIPT})
    html = assert_inert(response, f"Search: {SCRIPT}")
    assert f'value="{escape(SCRIPT)}"' in html


def test_an_unknown_marked_up_parameter_is_named_as_text(client, marked_up):
    response = client.get(reverse("timeline:chronology"), {PAYLOAD: "1"})
    assert response.status_code == 400
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html
    assert f"Unknown parameter: {escape(PAYLOAD)}" in html


@pytest.mark.parametrize(("name", "value"), CRAFTED.items())
def test_a_crafted_query_string_gets_json_errors_as_data(client, marked_up, name, value):
    response = client.get(reverse("timeline:events-json"), {name: value})
    if name == "q":  # a valid search, which finds the marked-up event
        assert response.json()["results"][0]["title"] == typed("title")
        return
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    (error,) = response.json()["errors"]
    assert error["parameter"] == ("" if name == PAYLOAD else name)
    assert error["message"]


@pytest.mark.parametrize(("name", "value"), CRAFTED.items())
def test_a_crafted_query_string_gets_csv_errors_as_plain_text(client, marked_up, name, value):
    response = client.get(reverse("timeline:events-csv"), {name: value})
    if name == "q":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode()
    assert text.startswith(f"{name if name != PAYLOAD else 'query'}: ")


def test_csv_errors_quote_the_typed_name_as_typed_not_html_escaped(client):
    response = client.get(reverse("timeline:events-csv"), {"<b>x</b>": "1"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().strip() == "query: Unknown parameter: <b>x</b>."
