"""Generated bad input at every public URL: the site answers 2xx, 3xx, 400 or 404, never 5xx,
and a 400 names the parameter or the problem.

Hypothesis runs derandomized and without its example database (``derandomize=True``,
``database=None``): the same examples on every run and every machine, so CI is stable and a
failure reproduces; the ``@example``s pin inputs that once broke, or nearly broke, the site.
"""

import base64
import datetime
import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.forms import ChronologyFilter
from timeline.models import Event, Origin

pytestmark = pytest.mark.django_db
PARAMETERS = tuple(ChronologyFilter.base_fields)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the data is made once per test, not per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# ---------------------------------------------------------------- the data they run against

ACTORS = ["envoy", "minister", "spokesperson"]
PLACES = ["baku", "lachin-corridor"]
START = datetime.date(2020, 1, 1)
EVENTS = [(START + datetime.timedelta(days=40 * i), f"event-{i:02}") for i in range(23)]


@pytest.fixture
def timeline(db):
    """More than a page of published events with actors, places, sources and a statement,
    and a draft: enough that valid filters, facets, cursors and "show more" all run."""
    envoy, minister, spokesperson = (make_actor(slug=slug) for slug in ACTORS)
    baku, corridor = (make_place(slug=slug) for slug in PLACES)
    us = make_source(slug="readout", origin=Origin.UNITED_STATES)
    az = make_source(slug="statement", origin=Origin.AZERBAIJAN)
    for i, (date, slug) in enumerate(EVENTS):
        make_event(
            slug=slug,
            date_start=date,
            kind=[Event.Kind.PHONE_CALL, Event.Kind.HOSTILITIES, Event.Kind.MEETING][i % 3],
            sources=[us] if i % 2 else [us, az],
            actors=[envoy, minister] if i % 2 else [spokesperson],
            places=[baku] if i % 3 else [baku, corridor],
        )
    make_statement(event=Event.objects.get(slug="event-01"), source=us, speaker=envoy)
    make_event(slug="a-draft", publication=Event.Publication.DRAFT, sources=[])


# ---------------------------------------------------------------- strategies

UNICODE = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent as UTF-8
text = st.text(UNICODE, max_size=40)
long_text = st.builds(lambda part, times: part * times, st.text(UNICODE, min_size=1, max_size=8),
                      st.integers(1_300, 12_000))  # fmt: skip

SQL_AND_HTML = [
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE timeline_event; --",
    "%",
    "%%",
    "_",
    "\\",
    "\\%",
    "a\\_b",
    "'",
    "''",
    "*",
    "a:*",
    "a & b | !c",
    "'a':* & (b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "&amp;&lt;",
    "\x00",
    "envoy\x00",
    "\x00\x00\x00",
    "envoy\n",
    " ",
    "",
]
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**400).map(str),
    st.sampled_from(["-1", "0", "1e309", "NaN", "inf", "0x10", "1_000", "١٩٩٢", "２０２２"]),
)
MALFORMED_DATES = st.one_of(
    st.builds(
        "{}-{}-{}".format,
        st.integers(-10, 100_000),
        st.integers(-1, 99),
        st.integers(-1, 99),
    ),
    st.builds("{:04}-{:02}".format, st.integers(0, 9999), st.integers(0, 99)),
    st.builds("{:04}".format, st.integers(0, 99999)),
    st.sampled_from(
        [
            "0000",
            "0000-01-01",
            "9999-12-31",
            "2022-02-29",
            "2022-13",
            "2022-00-10",
            "2022-9-1",
            "2022/09/13",
            "13.09.2022",
            "2022-09-13T00:00",
            " 2022 ",
            "2022\n",
            "١٩٩٢-٠٩",
            "1992-W01",
            "-2022",
        ]
    ),
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_DATES = st.one_of(MALFORMED_DATES, st.dates().map(str), st.just(""))
CURSOR_SLUGS = st.one_of(st.sampled_from([slug for _, slug in EVENTS]), text, st.just(""))
MALFORMED_CURSORS = st.one_of(
    st.text(st.characters(codec="ascii"), max_size=60),  # random, mostly not base64
    st.binary(max_size=60).map(b64),  # base64 of junk bytes
    text.map(lambda s: b64(s.encode())),  # base64 of junk text
    st.builds(lambda d, s: b64(f"{d}|{s}".encode()), CURSOR_DATES, CURSOR_SLUGS),
    st.builds(lambda y: b64(f"{y}-01-01|event-01".encode()), st.integers(10_000, 10**30)),
    st.sampled_from(
        [
            b64(b"2020-01-01"),  # no separator
            b64(b"|"),
            b64(b"2020-01-01|"),
            b64(b"2020-01-01|event-01|more"),
            b64(b"2020-01-01|event-01") + "===",
            b64(b"2020-01-01|event-01") + "\x00",
            b64("2020-01-01|événement".encode()),
            b64(b"\xff\xfe|\x00"),
            "A" * 401,
            "====",
            "é",
        ]
    ),
)
VALID_CURSORS = st.sampled_from([b64(f"{date}|{slug}".encode()) for date, slug in EVENTS])
VALID_VALUES = st.sampled_from(
    [*ACTORS, *PLACES, *Event.Kind.values, *Origin.values, "2020", "2021-03", "2022-01-31"]
)

values = st.one_of(
    VALID_VALUES,
    st.sampled_from(SQL_AND_HTML),
    text,
    long_text,
    NUMBERS,
    MALFORMED_DATES,
    MALFORMED_CURSORS,
    VALID_CURSORS,
)
UNKNOWN_NAMES = ["page", "limit", "format", "q[]", "Q", "from_", "actor[]", "", "\x00", "é"]
names = st.one_of(
    st.sampled_from(PARAMETERS), st.sampled_from(UNKNOWN_NAMES), text, st.sampled_from(["q"])
)
# The pages of an actor's or a source's page: its events and its statements.
PAGE_PARAMETERS = ("events", "statements")
page_names = st.one_of(st.sampled_from(PAGE_PARAMETERS), names)
# Each parameter may come once, a few times, or hundreds of times (past Django's limit of
# 1,000 fields in a query string).
repeats = st.one_of(st.just(1), st.integers(2, 5), st.integers(100, 1_100))


@st.composite
def query_strings(draw) -> list[tuple[str, str]]:
    """Parameters, each (name, value): known and unknown, repeated, with values of any sort."""
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        name, value, times = draw(names), draw(values), draw(repeats)
        pairs.extend([(name, value)] * times)
    return pairs


# Query strings typed by hand rather than encoded: stray %, broken percent-escapes, invalid
# UTF-8, separators without names or values.
raw_query_strings = st.lists(
    st.one_of(
        st.characters(codec="ascii", exclude_characters="#"),
        st.sampled_from(["%", "%ZZ", "%00", "%FF", "%C3%28", "%E2%82", "&", "=", ";", "+"]),
        st.sampled_from([*PARAMETERS, "q=", "from=", "cursor=", "actor=envoy", "kind="]),
    ),
    max_size=60,
).map("".join)
HTMX_TARGETS = st.one_of(
    st.none(),
    st.sampled_from(["results", "show-more", "chronology", "filters", "", "#results"]),
    st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=30),
)


# ---------------------------------------------------------------- what every answer must be


def assert_answered(response, pairs):
    """2xx, 3xx, 400 or 404, and a 400 that names the parameter or the problem."""
    status = response.status_code
    assert 200 <= status < 400 or status in {400, 404}, status
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a failure can hide in a stream
    if status != 400:
        return
    sent = {name for name, _ in pairs}
    named = sent & {*PARAMETERS, *PAGE_PARAMETERS}
    content_type = response["Content-Type"]
    body = response.content.decode()
    if content_type.startswith("application/json"):
        errors = response.json()["errors"]
        assert errors
        for error in errors:
            assert error["message"]
            assert error["parameter"] in named | {""}
            if not error["parameter"]:
                assert re.match(
                    r"Unknown parameter|\w+: give it once only|Too many", error["message"]
                )
    elif content_type.startswith("text/plain"):
        # One "parameter: message" line per problem (a message may itself hold line breaks).
        parameter, _, message = body.partition(": ")
        assert message.strip()
        assert parameter in named | {"query"}
    else:
        assert "This address has a problem" in body
        assert any(f"<code>{name}</code>" in body for name in named) or re.search(
            r"Unknown parameter|give it once only|Too many", body
        )


def get(client, path, pairs, **headers):
    query = urlencode(pairs)
    return client.get(f"{path}?{query}" if query else path, headers=headers)


# ---------------------------------------------------------------- the chronology and exports

REPEATED_ACTOR = [("actor", "envoy")] * 900
MANY_FIELDS = [("kind", "meeting")] * 1_001


@FUZZ
@given(pairs=query_strings(), target=HTMX_TARGETS)
@example(pairs=[("q", "' OR 1=1 --")], target=None)
@example(pairs=[("q", "a\x00")], target="results")
@example(pairs=REPEATED_ACTOR, target="results")
@example(pairs=MANY_FIELDS, target=None)
@example(pairs=[("from", "9999-12-31"), ("to", "9999")], target="chronology")
@example(pairs=[("cursor", b64(b"9999-12-31|event-22"))], target="show-more")
def test_no_query_string_makes_the_chronology_fail(client, timeline, pairs, target):
    headers = {} if target is None else {"HX-Request": "true", "HX-Target": target}
    response = get(client, reverse("timeline:chronology"), pairs, **headers)
    assert_answered(response, pairs)
    if target is not None and response.status_code in {200, 400}:
        assert b"<html" not in response.content  # a fragment, not the page


@FUZZ
@given(pairs=query_strings())
@example(pairs=REPEATED_ACTOR)
@example(pairs=MANY_FIELDS)
@example(pairs=[("q", "\x00")])
@example(pairs=[("q", " ".join(["a"] * 100))])  # took PostgreSQL 45 s before words were capped
@example(pairs=[("q", " ".join(map(str, range(7))))])
def test_no_query_string_makes_the_json_export_fail(client, timeline, pairs):
    response = get(client, reverse("timeline:events-json"), pairs)
    assert_answered(response, pairs)
    if response.status_code == 200:
        assert isinstance(response.json()["results"], list)


@FUZZ
@given(pairs=query_strings())
@example(pairs=REPEATED_ACTOR)
@example(pairs=MANY_FIELDS)
@example(pairs=[("q", "%"), ("origin", "azerbaijan")])
@example(pairs=[("q", " ".join(f"w{i}" for i in range(30)))])  # took PostgreSQL 18 s
def test_no_query_string_makes_the_csv_export_fail(client, timeline, pairs):
    response = get(client, reverse("timeline:events-csv"), pairs)
    assert_answered(response, pairs)


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/",
            "/events.json",
            "/events.csv",
            "/events.atom",
            "/sitemap-events.xml",
            "/events/event-01/",
        ]
    ),
    raw=raw_query_strings,
)
@example(path="/", raw="q=%00")
@example(path="/events.json", raw="actor=%FF&%C3%28=1")
def test_no_hand_typed_query_string_makes_a_public_url_fail(client, timeline, path, raw):
    response = client.get(f"{path}?{raw}")
    status = response.status_code
    assert 200 <= status < 400 or status in {400, 404}, status
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


# ---------------------------------------------------------------- event, actor and source pages


@FUZZ
@given(
    prefix=st.sampled_from(["events", "actors", "sources"]),
    slug=st.one_of(
        st.sampled_from(["event-01", "a-draft", "envoy", "readout", "EVENT-01", "event-01/"]),
        st.from_regex(r"[-a-zA-Z0-9_]{1,200}", fullmatch=True),  # slugs the URL accepts
        text,  # and many it does not
        long_text,
        st.sampled_from(SQL_AND_HTML),
    ),
    pairs=st.one_of(st.just([]), query_strings()),
)
@example(prefix="events", slug="event-01", pairs=[])
@example(prefix="actors", slug="' OR 1=1 --", pairs=[])
@example(prefix="sources", slug="..%2F..%2Fadmin", pairs=[])
def test_no_slug_makes_an_event_actor_or_source_page_fail(client, timeline, prefix, slug, pairs):
    path = f"/{prefix}/{quote(slug, safe='')}/"
    response = get(client, path, pairs)
    if prefix == "events" and pairs and response.status_code == 200:
        raise AssertionError("an event's page takes no parameters, so it must name them")
    assert_answered(response, pairs)


@FUZZ
@given(
    prefix=st.sampled_from(["actors", "sources"]),
    pairs=st.lists(st.tuples(page_names, values), max_size=4),
)
@example(prefix="actors", pairs=[("events", "A" * 401)])
@example(prefix="actors", pairs=[("statements", b64(b"2020-01-01|event-01"))])
@example(prefix="sources", pairs=[("events", b64(b"2020-01-01|event-01"))])
def test_no_page_cursor_makes_an_actor_or_source_page_fail(client, timeline, prefix, pairs):
    slug = ACTORS[0] if prefix == "actors" else "readout"
    response = get(client, f"/{prefix}/{slug}/", pairs)
    assert response.status_code in (200, 400), response.status_code
    assert_answered(response, pairs)
