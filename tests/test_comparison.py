"""An event's accounts compared point by point: a row per point, a column per account,
each cell the account's own words or the sentence that says its sources are silent;
what no point holds listed below; the same words of two outlets shown once; the same
comparison in the event's JSON; a fixed number of queries; and the admin refusing a
point that holds a statement from elsewhere."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import admin_url, form_data, formset, new_event_data
from tests.factories import make_actor, make_event, make_source, make_statement
from timeline.comparison import same_words
from timeline.models import Event, Point

pytestmark = pytest.mark.django_db

ABSENT = "Not in the recorded sources of this account."

READOUT = (
    "Washington, 27 September 2023. Blinken urged Aliyev to grant a broad amnesty. "
    '"We expect him to abide by that, and we will watch," the spokesman said. '
    "Blinken also called for international observers."
)
REPORT = (
    "Yerevan, 27 September 2023. The spokesman repeated the call: "
    '"We expect him to abide by that and we will watch." He took no questions.'
)
PRESIDENCY = (
    "Baku, 27 September 2023. Aliyev said an amnesty is under consideration. "
    "Aliyev briefed Blinken on the disarmament."
)
BRIEFING = (
    "Washington, 28 September 2023. The spokesman said the call had covered the amnesty at length."
)


def make_call():
    """A call told by two accounts: the United States' (two outlets, which give one quote
    in different punctuation) and Azerbaijan's; two points, the amnesty (both accounts,
    and a briefing held the next day that concerns the call) and observers (the United
    States' only); and one statement under no point."""
    readout = make_source(origin="united-states", outlet="Readout Wire", text=READOUT)
    report = make_source(origin="united-states", outlet="Yerevan Daily", text=REPORT)
    presidency = make_source(origin="azerbaijan", outlet="Baku Agency", text=PRESIDENCY)
    briefing = make_source(origin="united-states", outlet="Briefing Notes", text=BRIEFING)
    blinken, aliyev, spokesman = (make_actor(name=n) for n in ("Blinken", "Aliyev", "Spokesman"))
    call = make_event(title="Phone call", kind="phone-call", sources=[readout])
    said = {
        "us-amnesty": make_statement(
            event=call, source=readout, speaker=blinken, speech_act="urges",
            text="Blinken urged Aliyev to grant a broad amnesty.",
        ),
        "quote": make_statement(
            event=call, source=readout, speaker=spokesman, mode="quote", speech_act="expects",
            text="We expect him to abide by that, and we will watch",
        ),
        "same-quote": make_statement(
            event=call, source=report, speaker=spokesman, mode="quote", speech_act="expects",
            text="We expect him to abide by that and we will watch",
        ),
        "observers": make_statement(
            event=call, source=readout, speaker=blinken, speech_act="calls-for",
            text="Blinken also called for international observers.",
        ),
        "az-amnesty": make_statement(
            event=call, source=presidency, speaker=aliyev,
            text="Aliyev said an amnesty is under consideration.",
        ),
        "unplaced": make_statement(
            event=call, source=presidency, speaker=aliyev,
            text="Aliyev briefed Blinken on the disarmament.",
        ),
    }  # fmt: skip
    next_day = make_event(
        title="Press briefing", kind="press-briefing", sources=[briefing],
        date_start=datetime.date(2023, 9, 28),
    )  # fmt: skip
    said["briefing"] = make_statement(
        event=next_day, source=briefing, speaker=spokesman, speech_act="reports",
        text="The spokesman said the call had covered the amnesty at length.",
    )  # fmt: skip
    said["briefing"].concerns.add(call)
    # Made out of order: rows follow their position.
    observers = Point.objects.create(event=call, slug="observers", name="Observers", position=2)
    observers.statements.add(said["observers"])
    amnesty = Point.objects.create(event=call, slug="amnesty", name="Amnesty", position=1)
    amnesty.statements.add(
        *(said[key] for key in ("us-amnesty", "quote", "same-quote", "az-amnesty", "briefing"))
    )
    return call, said


def get_page(client, event):
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response


def table_of(html: str) -> str:
    return re.search(r'<table class="comparison".*?</table>', html, re.S).group(0)


def test_the_table_has_a_row_per_point_and_a_column_per_account(client):
    call, said = make_call()
    response = get_page(client, call)
    comparison = response.context["comparison"]
    assert [a.label for a in comparison.accounts] == ["Azerbaijan", "United States"]
    assert [row.point.name for row in comparison.rows] == ["Amnesty", "Observers"]
    amnesty, observers = (
        {cell.account.origin: cell.statements for cell in row.cells} for row in comparison.rows
    )
    assert amnesty == {
        "azerbaijan": [said["az-amnesty"]],
        "united-states": [said["us-amnesty"], said["quote"], said["same-quote"], said["briefing"]],
    }
    assert observers == {"azerbaijan": [], "united-states": [said["observers"]]}

    table = table_of(response.content.decode())
    assert "<caption>" in table
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
    assert headers == ["Point", "Account of: Azerbaijan", "Account of: United States"]
    assert re.findall(r'<th scope="row">(.*?)</th>', table) == ["Amnesty", "Observers"]
    # Azerbaijan's sources do not speak of observers: its cell says so, and only that.
    assert table.count(ABSENT) == 1
    observers_row = table.split('id="point-observers"')[1]
    assert observers_row.index(ABSENT) < observers_row.index("international observers")
    # Each statement links to its passage in its source, and names who said it.
    for key in ("us-amnesty", "quote", "same-quote", "az-amnesty", "briefing", "observers"):
        assert f'href="{said[key].get_absolute_url()}"' in table
    assert ">Spokesman</a>" in table
    # The briefing's statement is said at another occasion, which the cell names.
    assert (
        f'(said at <a href="{said["briefing"].event.get_absolute_url()}">Press briefing</a>)'
        in table
    )
    assert "news reports of the readouts" in response.content.decode()


def test_what_no_point_holds_is_listed_below_the_table(client):
    call, said = make_call()
    response = get_page(client, call)
    comparison = response.context["comparison"]
    assert comparison.unplaced_statements == [said["unplaced"]]
    html = response.content.decode()
    below = html.split("</table>")[1]
    assert "Not placed under a point" in below
    assert "Aliyev briefed Blinken on the disarmament." in below
    assert "Aliyev briefed Blinken on the disarmament." not in table_of(html)
    # Everything stays on the page, by source, as before.
    assert 'class="accounts side-by-side"' in html


def test_the_same_words_of_an_account_are_shown_once_with_each_source_linked(client):
    call, said = make_call()
    response = get_page(client, call)
    amnesty = response.context["comparison"].rows[0]
    united_states = next(c for c in amnesty.cells if c.account.origin == "united-states")
    assert [words.statements for words in united_states.words] == [
        [said["us-amnesty"]],
        [said["quote"], said["same-quote"]],
        [said["briefing"]],
    ]
    table = table_of(response.content.decode())
    assert table.count("We expect him to abide by that") == 1
    assert "see it in <a" in table
    assert ">Readout Wire, 1 May 2023</a>" in table
    assert ">Yerevan Daily, 1 May 2023</a>" in table


def test_only_a_speakers_quotes_in_the_same_words_are_one():
    assert same_words("action, and we expect") == same_words("“Action and  we expect”")
    assert same_words("don’t") == same_words("don't") == same_words("Dont")
    assert same_words("a broad amnesty") != same_words("broad amnesty")


def test_quotes_of_different_speakers_or_reported_speech_are_not_merged(client):
    source = make_source(
        origin="united-states",
        text='One said "we will watch." Another said "We will watch!" We will watch, they said.',
    )
    event = make_event(sources=[source])
    one, other = make_actor(), make_actor()
    first = make_statement(
        event=event, source=source, speaker=one, mode="quote", text="we will watch"
    )
    second = make_statement(
        event=event, source=source, speaker=other, mode="quote", text="We will watch"
    )
    reported = make_statement(
        event=event, source=source, speaker=one, text="We will watch, they said"
    )
    point = Point.objects.create(event=event, slug="watching", name="Watching")
    point.statements.add(first, second, reported)
    (row,) = get_page(client, event).context["comparison"].rows
    (cell,) = row.cells
    assert [words.statements for words in cell.words] == [[first], [second], [reported]]


def test_an_event_without_points_keeps_its_accounts_side_by_side(client):
    source, other = make_source(origin="united-states"), make_source(origin="azerbaijan")
    event = make_event(sources=[source, other])
    make_statement(event=event, source=source)
    make_statement(event=event, source=other)
    response = get_page(client, event)
    html = response.content.decode()
    assert response.context["comparison"].rows == []
    assert 'id="comparison"' not in html
    assert 'class="accounts side-by-side"' in html


def test_points_without_statements_to_compare_show_no_table(client):
    event = make_event()
    Point.objects.create(event=event, slug="amnesty", name="Amnesty")
    response = get_page(client, event)
    assert not response.context["comparison"].shown
    assert 'id="comparison"' not in response.content.decode()


def test_a_statement_no_longer_about_the_event_or_unpublished_is_left_out(client):
    call, said = make_call()
    stranger = make_statement(text="The envoy urged both sides to talk.")
    draft = make_event(publication="draft", sources=[said["briefing"].source])
    hidden = make_statement(
        event=draft, source=said["briefing"].source, speaker=make_actor(),
        text="the call had covered the amnesty",
    )  # fmt: skip
    hidden.concerns.add(call)
    Point.objects.get(event=call, slug="amnesty").statements.add(stranger, hidden)
    response = get_page(client, call)
    shown = {
        s.pk for row in response.context["comparison"].rows for c in row.cells for s in c.statements
    }
    assert stranger.pk not in shown
    assert hidden.pk not in shown


# ---------------------------------------------------------------- JSON


def test_the_event_json_gives_every_account_on_every_point_and_what_no_point_holds(client):
    call, said = make_call()
    response = client.get(reverse("timeline:event-json", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    data = response.json()
    azerbaijan = {"origin": "azerbaijan", "label": "Azerbaijan"}
    united_states = {"origin": "united-states", "label": "United States"}

    def uids(*keys):
        return [said[key].uid for key in keys]

    assert data["comparison"] == [
        {
            "point": {"slug": "amnesty", "name": "Amnesty"},
            "accounts": [
                {"account": azerbaijan, "statements": uids("az-amnesty")},
                {
                    "account": united_states,
                    "statements": uids("us-amnesty", "quote", "same-quote", "briefing"),
                },
            ],
        },
        {
            "point": {"slug": "observers", "name": "Observers"},
            "accounts": [
                {"account": azerbaijan, "statements": []},
                {"account": united_states, "statements": uids("observers")},
            ],
        },
    ]
    assert data["unplaced"] == uids("unplaced")


def test_the_json_of_an_event_without_points_has_no_comparison_and_all_unplaced(client):
    event = make_event()
    statement = make_statement(event=event)
    data = client.get(reverse("timeline:event-json", kwargs={"slug": event.slug})).json()
    assert data["comparison"] == []
    assert data["unplaced"] == [statement.uid]


# ---------------------------------------------------------------- queries


def grow(call, said, n: int):
    """``n`` more points on ``call``, each with a new statement of each account and one
    said elsewhere about the call."""
    spokesman = said["quote"].speaker
    for number in range(n):
        point = Point.objects.create(
            event=call, slug=f"point-{number}", name=f"Point {number}", position=10 + number
        )
        for origin in ("united-states", "azerbaijan"):
            text = f"Point {number} of {origin} stands."
            source = make_source(origin=origin, text=text)
            point.statements.add(make_statement(event=call, source=source, text=text))
        text = f'The spokesman said "point {number} was raised" today.'
        elsewhere = make_statement(
            source=make_source(text=text), speaker=spokesman, mode="quote",
            text=f"point {number} was raised",
        )  # fmt: skip
        elsewhere.concerns.add(call)
        point.statements.add(elsewhere)


def rows_and_queries(client, url) -> tuple[int, int]:
    """How many points the comparison at ``url`` shows, and the queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    if response.context is None:  # the JSON
        return len(response.json()["comparison"]), len(captured)
    return len(response.context["comparison"].rows), len(captured)


@pytest.mark.parametrize("view", ["page", "json"])
def test_the_comparison_takes_a_fixed_number_of_queries(client, view):
    call, said = make_call()
    if view == "page":
        url = call.get_absolute_url()
    else:
        url = reverse("timeline:event-json", kwargs={"slug": call.slug})
    rows, few = rows_and_queries(client, url)
    assert rows == 2
    grow(call, said, 6)
    rows, many = rows_and_queries(client, url)
    assert rows == 8
    assert many == few


# ---------------------------------------------------------------- the admin


def point_form(editor_client, event, statements):
    url = admin_url(Event, "change", event.pk)
    data = form_data(editor_client.get(url))
    data.update({
        "points-TOTAL_FORMS": "1",
        "points-0-name": "Amnesty",
        "points-0-slug": "amnesty",
        "points-0-position": "1",
        "points-0-statements": [statement.pk for statement in statements],
    })  # fmt: skip
    return editor_client.post(url, data)


def test_the_admin_refuses_a_point_holding_a_statement_from_an_unrelated_event(editor_client):
    event = make_event()
    own = make_statement(event=event, source=event.sources.get())
    stranger = make_statement(text="The envoy urged both sides to talk.")
    response = point_form(editor_client, event, [own, stranger])
    assert response.status_code == 200
    errors = response.context["errors"]
    assert any("these are neither" in str(error) for error in errors), errors
    assert not Point.objects.filter(event=event).exists()


def test_the_admin_accepts_a_point_holding_statements_said_on_or_about_the_event(editor_client):
    event = make_event()
    own = make_statement(event=event, source=event.sources.get())
    about = make_statement(text="The envoy urged both sides to talk.")
    about.concerns.add(event)
    response = point_form(editor_client, event, [own, about])
    assert response.status_code == 302, response.context["errors"]
    assert set(Point.objects.get(event=event).statements.all()) == {own, about}


def test_a_new_event_cannot_take_a_point_holding_a_statement_from_elsewhere(editor_client):
    stranger = make_statement()
    data = new_event_data(sources=[make_source()])
    data.update(formset("points", [
        {"name": "Amnesty", "slug": "amnesty", "position": "1", "statements": [stranger.pk]}
    ]))  # fmt: skip
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert any("these are neither" in str(error) for error in response.context["errors"])
    assert not Event.objects.filter(slug=data["slug"]).exists()
