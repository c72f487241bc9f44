"""The twins of the lists of statements: /statements.json, .csv and .atom (and
/commitments'), what each statement carries there (its passage's offsets and address,
who said it to or about whom through whom, on what occasion, under which points), their
headers, a row count before the rows, cells no spreadsheet runs as formulas, every
address on SITE_URL; the whole list's CSV as a prebuilt file that is never stale, and a
view's rows cut from it; and the statements in /events.json and /events.csv."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from tests.site_links import FORGED, SITE
from tests.test_exports import assert_the_gzip_copy_of
from timeline import counts, exports, feeds, statement_lists
from timeline.data_docs import ENDPOINTS
from timeline.models import Actor, Event, Point, Relay, StatementLink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_links")]
D = datetime.date
NS = {"atom": "http://www.w3.org/2005/Atom"}
TEXT = (
    'Washington. "=HYPERLINK(1)" is no formula, Blinken said. Blinken urged Aliyev to stop '
    'the fighting, according to VOA. "The fighting has stopped," Miller said.'
)


@pytest.fixture
def record():
    blinken = make_actor(slug="blinken", name="Antony J. Blinken")
    aliyev = make_actor(slug="aliyev", name="Ilham Aliyev")
    miller = make_actor(slug="miller", name="Matthew Miller")
    voa = make_actor(slug="voa", name="VOA", kind=Actor.Kind.MEDIA)
    source = make_source(slug="readout", origin="united-states", text=TEXT)
    call = make_event(slug="call", date_start=D(2022, 9, 14), sources=[source])
    later = make_event(slug="later", date_start=D(2023, 9, 26), sources=[source])
    concerned = make_event(slug="clashes", date_start=D(2022, 9, 13), sources=[source])
    formula = make_statement(text="=HYPERLINK(1)", source=source, event=call, speaker=blinken,
                             mode="quote")  # fmt: skip
    urged = make_statement(text="Blinken urged Aliyev to stop the fighting", source=source,
                           event=call, speaker=blinken, speech_act="urges")  # fmt: skip
    urged.addressees.set([aliyev])
    urged.concerns.set([concerned])
    Relay.objects.create(statement=urged, actor=voa, position=1)
    Point.objects.create(event=call, slug="ceasefire", name="Ceasefire").statements.add(urged)
    done = make_statement(text="The fighting has stopped", source=source, event=later,
                          speaker=miller, mode="quote", speech_act="reports")  # fmt: skip
    StatementLink.objects.create(later=done, relation="reports-done", earlier=urged,
                                 source=source, text="The fighting has stopped")  # fmt: skip
    return {"formula": formula, "urged": urged, "done": done}


def get(client, name, params=None):
    response = client.get(reverse(f"timeline:{name}"), params or {}, headers=FORGED)
    assert response.status_code == 200, response.content[:500]
    return response


# ---------------------------------------------------------------- JSON


def test_a_statement_in_json_carries_its_passage_and_everything_it_is_listed_by(client, record):
    data = get(client, "statements-json", {"act": "urges"}).json()
    assert data["count"] == 1
    assert data["next"] is None
    (row,) = data["results"]
    urged = record["urged"]
    assert TEXT[row["start"] : row["end"]] == row["text"] == urged.text
    assert row == {
        "id": urged.uid,
        "url": SITE + urged.get_permalink(),
        "passage_url": f"{SITE}/sources/readout/#passage-{row['start']}-{row['end']}",
        "start": urged.start,
        "end": urged.end,
        "speaker": {"slug": "blinken", "name": "Antony J. Blinken"},
        "relayed_by": [{"slug": "voa", "name": "VOA"}],
        "addressees": [{"slug": "aliyev", "name": "Ilham Aliyev"}],
        "event": "call",
        "concerns": ["clashes"],
        "said": {"start": "2022-09-14", "end": None, "precision": "day"},
        "text": "Blinken urged Aliyev to stop the fighting",
        "mode": "reported",
        "speech_act": "urges",
        "source": "readout",
        "origin": "united-states",
        "points": ["ceasefire"],
    }


def test_the_events_json_gives_its_statements_the_same_fields(client, record):
    data = get(client, "statements-json").json()
    by_id = {row["id"]: row for row in data["results"]}
    events = get(client, "events-json").json()["results"]
    statements = [statement for event in events for statement in event["statements"]]
    assert {row["id"]: row for row in statements} == by_id


def test_a_commitment_in_json_carries_its_statuses_and_the_statements_they_come_from(
    client, record
):
    data = get(client, "commitments-json").json()
    (row,) = data["results"]
    done = record["done"]
    assert row["statuses"] == ["reported as done by Matthew Miller on 26 September 2023"]
    assert row["followups"] == [
        {
            "relation": "reports-done",
            "status": "reported as done by Matthew Miller on 26 September 2023",
            "statement": done.uid,
            "url": SITE + done.get_permalink(),
            "passage_url": SITE + done.get_absolute_url(),
        }
    ]


def test_the_json_pages_on_to_the_next_one(client, record, monkeypatch):
    monkeypatch.setattr("timeline.statement_lists.PAGE_SIZE", 2)
    first = get(client, "statements-json").json()
    assert first["count"] == 3
    assert first["next"].startswith(SITE + "/statements.json?cursor=")
    second = client.get(first["next"].removeprefix(SITE), headers=FORGED).json()
    assert second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == [record[name].uid for name in ("formula", "urged", "done")]


# ---------------------------------------------------------------- CSV


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def rows(response_or_text) -> list[dict]:
    text = response_or_text if isinstance(response_or_text, str) else body(response_or_text)
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_is_counted_before_its_rows_and_neutralises_formulas(client, record):
    response = get(client, "statements-csv", {"sort": "newest"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="karabakh-timeline-statements.csv"'
    )
    found = rows(response)
    assert int(response["X-Total-Count"]) == len(found) == 3
    assert [row["id"] for row in found] == [record[n].uid for n in ("done", "urged", "formula")]
    assert found[2]["text"] == "'=HYPERLINK(1)"
    urged = found[1]
    assert urged["url"] == SITE + record["urged"].get_permalink()
    assert TEXT[int(urged["start"]) : int(urged["end"])] == urged["text"]
    assert urged["passage_url"] == SITE + record["urged"].get_absolute_url()
    assert (urged["relayed_by"], urged["addressees"], urged["points"]) == (
        "VOA", "Ilham Aliyev", "ceasefire"
    )  # fmt: skip
    assert (urged["said_start"], urged["said_display"], urged["origin"]) == (
        "2022-09-14", "14 September 2022", "united-states"
    )  # fmt: skip
    assert "statuses" not in urged


def test_the_commitments_csv_ends_each_row_with_its_statuses(client, record):
    response = get(client, "commitments-csv")
    assert response["Content-Disposition"].endswith('filename="karabakh-timeline-commitments.csv"')
    (row,) = rows(response)
    assert row["statuses"] == "reported as done by Matthew Miller on 26 September 2023"


def test_the_events_csv_carries_its_statements_texts_one_a_line(client, record):
    response = client.get(
        reverse("timeline:events-csv"), {"from": "2022-09-14", "to": "2022-09-14"}
    )
    (row,) = rows(response)
    assert row["statements"] == "2"
    assert row["statement_texts"] == (
        "'=HYPERLINK(1)\nBlinken urged Aliyev to stop the fighting"  # the cell neutralised
    )


def test_each_row_says_what_the_json_says(client, record):
    urged = record["urged"]
    own = make_statement(text="is no formula", source=urged.source, event=urged.event,
                         speaker=urged.speaker, dating="own", said_start=D(2022, 9, 20),
                         said_precision="day")  # fmt: skip
    undated = make_statement(text="according to VOA", source=urged.source, event=urged.event,
                             speaker=urged.speaker, speech_act="demands",
                             dating="undated")  # fmt: skip
    for name in ("statements", "commitments"):
        data = get(client, f"{name}-json").json()["results"]
        as_json = {row["id"]: row for row in data}
        found = rows(get(client, f"{name}-csv"))  # the file, written as it goes
        assert found == rows(get(client, f"{name}-csv"))  # the file, served
        assert [row["id"] for row in found] == list(as_json)
        for row in found:
            data = as_json[row["id"]]
            said = data["said"] or {}
            assert row == {
                "id": data["id"], "url": data["url"], "passage_url": data["passage_url"],
                "start": str(data["start"]), "end": str(data["end"]),
                "text": ("'" if data["text"].startswith("=") else "") + data["text"],
                "mode": data["mode"], "speech_act": data["speech_act"],
                "said_start": said.get("start", ""), "said_end": said.get("end") or "",
                "said_precision": said.get("precision", ""), "said_display": row["said_display"],
                "speaker": data["speaker"]["slug"], "speaker_name": data["speaker"]["name"],
                "relayed_by": "; ".join(actor["name"] for actor in data["relayed_by"]),
                "addressees": "; ".join(actor["name"] for actor in data["addressees"]),
                "event": data["event"], "concerns": "; ".join(data["concerns"]),
                "source": data["source"], "origin": data["origin"],
                "points": "; ".join(data["points"]),
                **({"statuses": "\n".join(data["statuses"])} if name == "commitments" else {}),
            }  # fmt: skip
    by_id = {row["id"]: row for row in rows(get(client, "statements-csv"))}
    assert by_id[own.uid]["said_display"] == "20 September 2022"
    assert by_id[undated.uid]["said_display"] == "not dated in the document"
    assert by_id[undated.uid]["said_start"] == ""


# ---------------------------------------------------------------- the whole list, prebuilt

LISTS = pytest.mark.parametrize("name", ["statements", "commitments"])


@LISTS
def test_the_whole_list_is_served_as_a_file_with_its_length_and_validators(client, record, name):
    streamed = get(client, f"{name}-csv")  # no file yet: read, and written as it goes
    assert "Content-Length" not in streamed
    text = body(streamed)
    served = get(client, f"{name}-csv")
    assert served["Content-Type"] == "text/csv; charset=utf-8"
    assert served["Content-Disposition"] == f'attachment; filename="karabakh-timeline-{name}.csv"'
    assert body(served) == text
    assert int(served["Content-Length"]) == len(text.encode())
    assert int(served["X-Total-Count"]) == len(rows(text)) == (3 if name == "statements" else 1)
    assert served["Last-Modified"]
    assert "Content-Encoding" not in served  # not compressed on the fly, which loses its length
    url = reverse(f"timeline:{name}-csv")
    assert client.get(url, headers={"If-None-Match": served["ETag"]}).status_code == 304
    since = client.get(url, headers={"If-Modified-Since": served["Last-Modified"]})
    assert since.status_code == 304


def test_the_whole_list_is_built_while_the_events_file_is(client, record):
    with exports._build_lock(exports.EVENTS) as building:  # another worker builds it
        assert building
        get(client, "statements-csv").getvalue()
    assert get(client, "statements-csv").has_header("Content-Length")


@LISTS
def test_the_whole_list_comes_compressed_with_its_own_length_to_who_accepts_gzip(
    client, record, name
):
    text = body(get(client, f"{name}-csv"))  # read, and written as it goes
    plain = get(client, f"{name}-csv")
    packed = client.get(reverse(f"timeline:{name}-csv"), headers={"Accept-Encoding": "gzip"})
    assert_the_gzip_copy_of(plain, text, packed)


def test_an_edited_statement_is_in_the_next_export_of_the_whole_list(client, record):
    get(client, "statements-csv").getvalue()
    assert get(client, "statements-csv").has_header("Content-Length")  # the file
    urged = record["urged"]
    urged.speech_act = "demands"
    urged.save()
    urged.addressees.add(make_actor(name="Nikol Pashinyan"))
    response = get(client, "statements-csv")
    assert "Content-Length" not in response  # not the file read before the change
    row = next(row for row in rows(response) if row["id"] == urged.uid)
    assert (row["speech_act"], row["addressees"]) == ("demands", "Ilham Aliyev; Nikol Pashinyan")


def test_a_later_statement_changes_a_commitments_statuses_in_the_next_export(client, record):
    get(client, "commitments-csv").getvalue()
    urged, done = record["urged"], record["done"]
    disputed = make_statement(text="according to VOA", source=urged.source, event=done.event,
                              speaker=make_actor(name="Hikmet Hajiyev"))  # fmt: skip
    StatementLink.objects.create(later=disputed, relation="disputes", earlier=urged,
                                 source=urged.source, text="according to VOA")  # fmt: skip
    (row,) = rows(get(client, "commitments-csv"))
    assert row["statuses"].splitlines() == [
        "reported as done by Matthew Miller on 26 September 2023",
        "disputed by Hikmet Hajiyev on 26 September 2023",
    ]


@pytest.mark.parametrize("counted", [False, True], ids=["counted-in-sql", "from-the-index"])
@LISTS
def test_a_view_of_the_list_is_cut_from_the_file_and_equals_the_rows_read_afresh(
    client, record, monkeypatch, name, counted
):
    views = [{"speaker": "blinken"}, {"from": "2022"}, {"from": "2022", "sort": "newest"},
             {"sort": "newest"}]  # fmt: skip
    read = [body(get(client, f"{name}-csv", view)) for view in views]  # no file yet
    get(client, f"{name}-csv").getvalue()  # the file, written
    if counted:
        counts.recount()
    monkeypatch.setattr(exports, "statement_rows", None)  # no row is read afresh
    for view, text in zip(views, read, strict=True):
        response = get(client, f"{name}-csv", view)
        assert body(response) == text
        assert int(response["X-Total-Count"]) == len(rows(text))
    everything = rows(get(client, f"{name}-csv", {"from": "2022", "sort": "newest"}))
    assert everything == rows(get(client, f"{name}-csv"))[::-1]


def test_a_view_reads_rows_afresh_while_the_file_is_stale_and_has_it_rebuilt(
    client, record, monkeypatch
):
    builds = []
    monkeypatch.setattr(exports, "_build_in_background", lambda kind, _: builds.append(kind))
    get(client, "statements-csv").getvalue()
    record["urged"].addressees.clear()  # a change: the file is stale
    (row,) = rows(get(client, "statements-csv", {"act": "urges"}))
    assert row["addressees"] == ""
    assert builds == [exports.STATEMENTS]


# ---------------------------------------------------------------- Atom


def entries(response) -> list[ET.Element]:
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert b"evil.example" not in response.content
    return ET.fromstring(response.content).findall("atom:entry", NS)


def test_the_feed_holds_the_latest_said_first_each_at_its_page(client, record, monkeypatch):
    monkeypatch.setattr(feeds, "LATEST", 2)
    found = entries(get(client, "statements-atom"))
    assert [entry.find("atom:link", NS).get("href") for entry in found] == [
        SITE + record[name].get_permalink() for name in ("done", "urged")
    ]
    updated = found[0].findtext("atom:updated", namespaces=NS)
    assert datetime.datetime.fromisoformat(updated) == Event.objects.get(slug="later").updated
    assert found[0].findtext("atom:author/atom:name", namespaces=NS) == "Matthew Miller"


def test_a_feed_entry_says_who_said_what_when_and_where(client, record):
    (entry,) = entries(get(client, "commitments-atom", {"speaker": "blinken"}))
    assert entry.findtext("atom:title", namespaces=NS) == (
        "Antony J. Blinken urges: Blinken urged Aliyev to stop the fighting"
    )
    urged, done = record["urged"], record["done"]
    summary = entry.findtext("atom:summary", namespaces=NS)
    assert summary.startswith(
        "<p>Reported speech: Blinken urged Aliyev to stop the fighting</p>"
        "<p>Antony J. Blinken, reported by VOA, urges, to or about Ilham Aliyev.</p>"
        f'<p>Said 14 September 2022, at <a href="{SITE}/events/call/">'
    )
    assert f'<a href="{SITE}{urged.get_absolute_url()}">Its place in the source' in summary
    assert (
        f'<li><a href="{SITE}{done.get_absolute_url()}">reported as done by Matthew Miller on '
        "26 September 2023</a></li>"
    ) in summary


def test_the_feed_names_its_view_and_itself_on_the_site_url(client, record):
    root = ET.fromstring(get(client, "commitments-atom", {"speaker": "blinken"}).content)
    assert root.findtext("atom:title", namespaces=NS) == (
        "Karabakh timeline: Demands and commitments, by Antony J. Blinken"
    )
    feed = f"{SITE}/commitments.atom?speaker=blinken"
    assert root.find("atom:link[@rel='self']", NS).get("href") == feed
    assert root.find("atom:link[@rel='alternate']", NS).get("href") == (
        f"{SITE}/commitments/?speaker=blinken&sort=newest"
    )


# ---------------------------------------------------------------- as /data/ documents them


@pytest.mark.parametrize("name", ["statements", "commitments"])
def test_every_column_and_feed_element_is_documented_in_data(client, record, name):
    header = b"".join(get(client, f"{name}-csv").streaming_content).decode().splitlines()[0]
    assert header.split(",") == [t.name for t in ENDPOINTS[f"{name}-csv"].fields]
    feed = ET.fromstring(get(client, f"{name}-atom").content)
    local = lambda element: element.tag.rpartition("}")[2]  # noqa: E731
    endpoint = ENDPOINTS[f"{name}-atom"]
    assert {local(child) for child in feed} == {t.name for t in endpoint.fields}
    entry = feed.find("atom:entry", NS)
    assert {local(child) for child in entry} == {t.name for t in endpoint.item_fields}
    for route in (name, f"{name}-json", f"{name}-csv", f"{name}-atom"):
        documented = {t.name for t in ENDPOINTS[route].parameters}
        form = statement_lists.LISTS[name].feed_form if route.endswith("atom") else None
        taken = set((form or statement_lists.LISTS[name].form).base_fields)
        assert documented <= taken, route
        assert taken - documented <= {"cursor"}, route  # the CSV takes it, and ignores it
