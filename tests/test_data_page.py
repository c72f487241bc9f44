"""/data/ documents every public address, from one home (timeline/data_docs.py) that
cannot drift from the site: every route of timeline/urls.py is documented (or left
out with a reason), and the fields documented are exactly those the real answers
give."""

import datetime
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline import data_docs, exports, urls
from timeline.data_docs import ENDPOINTS, field_paths
from timeline.models import EventLink, Point, Quantity, Relay, StatementLink

TEXT = (
    "Baku, 27 September 2023. The operation lasted less than 24 hours, the president said. "
    '"We will protect the rights of the residents," he told the Secretary.'
)


def routes() -> set[str]:
    return {pattern.name for pattern in urls.urlpatterns}


def built(route: str) -> bool:
    return route in routes()


# ---------------------------------------------------------------- the routes


@pytest.mark.same_on_every_database
def test_every_public_route_is_documented_or_left_out_with_a_reason():
    undocumented = routes() - data_docs.documented_routes() - set(data_docs.OMITTED)
    assert not undocumented, f"Document these routes in timeline/data_docs.py: {undocumented}"
    assert all(data_docs.OMITTED.values())


@pytest.mark.same_on_every_database
def test_a_route_documented_is_built_unless_marked_pending_and_pending_only_until_built():
    for route in data_docs.documented_routes():
        endpoint = ENDPOINTS.get(route)
        pending = endpoint is not None and endpoint.pending
        assert built(route) != pending, (
            f"{route}: mark it pending in timeline/data_docs.py until its view is built, "
            "and no longer once it is."
        )


@pytest.mark.same_on_every_database
def test_each_documented_path_is_its_routes_path():
    for endpoint in ENDPOINTS.values():
        if endpoint.pending:
            continue
        pattern = next(p for p in urls.urlpatterns if p.name == endpoint.route)
        kwargs = dict.fromkeys(pattern.pattern.converters, "__argument__")
        path = reverse(f"timeline:{endpoint.route}", kwargs=kwargs or None)
        assert path.replace("__argument__", "<>") == re.sub("<[^>]+>", "<>", endpoint.path)


@pytest.mark.same_on_every_database
def test_a_pending_routes_address_is_its_documented_path_until_it_is_built():
    for endpoint in ENDPOINTS.values():
        if endpoint.pending and "<" not in endpoint.path:
            assert data_docs.address(endpoint.route) == endpoint.path
    assert data_docs.address("about") == reverse("timeline:about")
    with pytest.raises(NoReverseMatch):
        data_docs.address("no-such-route")


# ---------------------------------------------------------------- the fields


@pytest.fixture
def full_event(db):
    """A published event whose JSON has something in every field and every list."""
    source = make_source(slug="the-source", text=TEXT)
    speaker, relay = make_actor(slug="aliyev"), make_actor(slug="the-agency")
    event = make_event(
        slug="the-operation",
        sources=[source],
        actors=[speaker],
        places=[make_place()],
        date_start=datetime.date(2023, 9, 19),
        date_end=datetime.date(2023, 9, 20),
    )
    statement = make_statement(
        event=event,
        source=source,
        speaker=speaker,
        text="We will protect the rights of the residents",
        mode="quote",
        speech_act="assures",
    )
    Relay.objects.create(statement=statement, actor=relay, position=1)
    statement.addressees.add(make_actor(slug="the-secretary"))
    Point.objects.create(event=event, slug="rights", name="Residents' rights").statements.add(
        statement
    )
    earlier = make_event(slug="the-agreement", date_start=datetime.date(2020, 11, 10))
    statement.concerns.add(earlier)
    later = make_statement(
        source=source,
        text="the president said",
        event=make_event(date_start=datetime.date(2023, 9, 27), sources=[source]),
    )
    later.concerns.add(event)
    StatementLink.objects.create(
        later=later, relation="repeats", earlier=statement, source=source, text=later.text
    )
    EventLink.objects.create(
        from_event=event, to_event=earlier, relation="follows-from", source=source,
        text="The operation lasted",
    )  # fmt: skip
    Quantity.objects.create(
        event=event, source=source, text="less than 24 hours", counts="duration",
        unit="hours", high=24,
    )  # fmt: skip
    return event


def test_every_field_of_a_real_events_json_is_documented_and_no_other(client, full_event):
    data = client.get(reverse("timeline:events-json"), {"actor": "aliyev"}).json()
    assert data["results"], "the event is listed"
    assert field_paths(data) == ENDPOINTS["events-json"].documented_fields()


def test_every_field_of_a_real_events_json_is_documented_for_one_event_too(client, full_event):
    data = client.get(reverse("timeline:event-json", kwargs={"slug": "the-operation"})).json()
    assert field_paths(data) == ENDPOINTS["event-json"].documented_fields()


def test_every_field_of_an_index_json_is_documented_and_no_other(client, full_event):
    for name in ("actors", "places", "sources"):
        data = client.get(reverse(f"timeline:{name}-json")).json()
        assert data["results"]
        assert field_paths(data) == ENDPOINTS[f"{name}-json"].documented_fields(), name


def test_every_column_of_a_real_csv_is_documented_in_its_order(client, full_event):
    response = client.get(reverse("timeline:events-csv"), {"actor": "aliyev"})
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.split(",") == [t.name for t in ENDPOINTS["events-csv"].fields]
    assert header.split(",") == exports.CSV_HEADER


def test_every_element_of_a_real_atom_feed_is_documented(client, full_event):
    feed = ET.fromstring(client.get(reverse("timeline:events-atom")).content)
    local = lambda element: element.tag.rpartition("}")[2]  # noqa: E731
    endpoint = ENDPOINTS["events-atom"]
    assert {local(child) for child in feed} == {t.name for t in endpoint.fields}
    [entry] = [child for child in feed if local(child) == "entry"][:1]
    assert {local(child) for child in entry} == {t.name for t in endpoint.item_fields}


@pytest.mark.parametrize("route", ["statements-json", "commitments-json"])
def test_every_field_of_a_real_statements_json_is_documented_and_no_other(
    client, full_event, route
):
    if not built(route):
        pytest.skip(f"{route} is not built on this branch yet")
    data = client.get(reverse(f"timeline:{route}")).json()
    assert data["results"]
    assert field_paths(data) == ENDPOINTS[route].documented_fields()


@pytest.mark.same_on_every_database
def test_the_examples_show_only_fields_that_are_documented():
    for endpoint in ENDPOINTS.values():
        if endpoint.example.data is not None:
            shown = field_paths(endpoint.example.data)
            assert shown <= endpoint.documented_fields(), endpoint.route
            if not endpoint.pending:
                assert shown == endpoint.documented_fields(), endpoint.route


# ---------------------------------------------------------------- the page


def test_the_data_page_documents_every_address_with_an_example_from_the_record(client, full_event):
    response = client.get(reverse("timeline:data"))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    for endpoint in ENDPOINTS.values():
        assert f"<code>{endpoint.path}</code>" in text, endpoint.route
        for term in (*endpoint.parameters, *endpoint.fields, *endpoint.item_fields):
            assert f"<code>{term.name}</code>" in text
    # Examples are real addresses, built from the record's data.
    statement = full_event.statements.get()
    for path in (
        "/events/the-operation/",
        "/events/the-operation.json",
        f"/statements/{statement.uid}/",
        "/actors/aliyev/",
        "/sources/the-source/",
        "/events.json?actor=aliyev&amp;from=2023",
    ):
        assert f'href="http://testserver{path}"' in response.content.decode(), path
    assert "null when it could not be counted in time" in text


def test_with_nothing_published_the_data_page_gives_the_paths_alone(client, db):
    response = client.get(reverse("timeline:data"))
    assert response.status_code == 200
    assert "<code>/events/&lt;slug&gt;.json</code>" in response.content.decode()


def test_the_data_page_names_an_unknown_parameter(client, db):
    assert client.get(reverse("timeline:data"), {"format": "yaml"}).status_code == 400


def test_the_site_footer_links_to_the_data_page(client, db):
    assert (
        f'href="{reverse("timeline:data")}"'
        in client.get(reverse("timeline:about")).content.decode()
    )
