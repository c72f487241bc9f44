"""The lists of statements, /statements/ and /commitments/: their order and pages, each
filter (all of the actors given, any of the other values), the facets' counts, the
statuses of demands and commitments, the htmx fragments, the named 400s, and a fixed
number of queries. Each behaviour is checked as counted in SQL (while a change awaits
its recount) and in the published statements' index (once the record is counted)."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests import test_bad_input as bad_input
from tests.factories import make_actor, make_event, make_source, make_statement
from timeline import counts, statement_lists
from timeline.forms import StatementFilter
from timeline.models import Actor, Point, Relay, Statement, StatementLink

pytestmark = pytest.mark.django_db
D = datetime.date
STATEMENTS = reverse("timeline:statements")
COMMITMENTS = reverse("timeline:commitments")
HTMX = {"HX-Request": "true", "HX-Target": "results"}


def say(text: str, source, *, event, speaker, act="states", mode="reported", addressees=(),
        relays=(), **fields) -> Statement:  # fmt: skip
    statement = make_statement(
        text=text, source=source, event=event, speaker=speaker, speech_act=act, mode=mode,
        **fields,
    )  # fmt: skip
    statement.addressees.set(addressees)
    for position, actor in enumerate(relays, start=1):
        Relay.objects.create(statement=statement, actor=actor, position=position)
    return statement


# What is shown of what was found (rows, statuses, fragments, errors), the same either way.
SHOWN_ALIKE = pytest.mark.parametrize("counted_by", ["index"])


@pytest.fixture(params=["sql", "index"])
def counted_by(request):
    """How the lists count and page: in SQL (a change awaits its recount, as after any
    save in a test) or in the published statements' index (the record counted)."""
    return request.param


@pytest.fixture
def record(counted_by):
    """Five published statements and a draft's, as a reader would find them, by letter:
    in date order B (2020), A (2022-09-14), F (its own date, 2022-09-20), then C and D
    (2023-09-26, C recorded first)."""
    blinken = make_actor(slug="blinken", name="Antony J. Blinken")
    aliyev = make_actor(slug="aliyev", name="Ilham Aliyev")
    miller = make_actor(slug="miller", name="Matthew Miller")
    voa = make_actor(slug="voa", name="VOA", kind=Actor.Kind.MEDIA)
    armenia = make_actor(slug="armenia", name="Armenia", kind=Actor.Kind.STATE)
    azerbaijan = make_actor(slug="azerbaijan", name="Azerbaijan", kind=Actor.Kind.STATE)
    us = make_source(slug="us-readout", origin="united-states", text=(
        "Washington. Blinken urged Aliyev to stop the fighting, Miller said, according to "
        'VOA. Miller reported that the fighting had stopped. "We will keep pressing for '
        'peace," Blinken said.'
    ))  # fmt: skip
    baku = make_source(slug="baku-report", origin="azerbaijan", text=(
        'Baku. "We are ready for peace talks," Aliyev said. "We shall guarantee the rights '
        'of residents," Aliyev said.'
    ))  # fmt: skip
    yerevan = make_source(slug="yerevan-report", origin="armenia", text=(
        "Yerevan. Aliyev demanded a corridor."
    ))  # fmt: skip
    e1 = make_event(slug="talks-2020", date_start=D(2020, 10, 10), sources=[])
    e2 = make_event(slug="call-2022", date_start=D(2022, 9, 14), sources=[])
    e3 = make_event(slug="exodus-2023", date_start=D(2023, 9, 26), sources=[])
    draft = make_event(slug="draft-2023", date_start=D(2023, 1, 1), sources=[],
                       publication="draft")  # fmt: skip
    found = {
        "A": say("Blinken urged Aliyev to stop the fighting", us, event=e2, speaker=blinken,
                 act="urges", addressees=[aliyev], relays=[miller, voa]),
        "B": say("We are ready for peace talks", baku, event=e1, speaker=aliyev, mode="quote",
                 addressees=[armenia]),
        "F": say("We will keep pressing for peace", us, event=e2, speaker=blinken,
                 act="pledges", mode="quote", dating="own", said_start=D(2022, 9, 20),
                 said_precision="day"),
        "C": say("We shall guarantee the rights of residents", baku, event=e3, speaker=aliyev,
                 act="commits-to", mode="quote", addressees=[armenia, azerbaijan]),
        "D": say("Miller reported that the fighting had stopped", us, event=e3,
                 speaker=miller, act="reports", mode="account"),
        "E": say("Aliyev demanded a corridor", yerevan, event=draft, speaker=aliyev,
                 act="demands"),
    }  # fmt: skip
    for event, name, letters in ((e2, "amnesty", "A"), (e3, "amnesty", "C"), (e1, "access", "B")):
        point = Point.objects.create(event=event, slug=name, name=name.capitalize())
        point.statements.set([found[letter] for letter in letters])
    StatementLink.objects.create(
        later=found["D"], relation="reports-done", earlier=found["A"], source=us,
        text="the fighting had stopped",
    )  # fmt: skip
    if counted_by == "index":
        counts.recount()
    return found


def letters(record, response) -> list[str]:
    """The statements a page lists, by their letter in ``record``, in order."""
    assert response.status_code == 200, response.content.decode()[:2000]
    by_uid = {statement.uid: letter for letter, statement in record.items()}
    uids = re.findall(
        r'<li class="statement[^"]*" id="statement-([^"]+)"', response.content.decode()
    )
    return [by_uid[uid] for uid in uids]


def listed(client, record, url=STATEMENTS, **params) -> list[str]:
    return letters(record, client.get(url, params))


# ---------------------------------------------------------------- order and pages


def test_published_statements_are_listed_in_the_order_they_were_said(client, record):
    assert listed(client, record) == ["B", "A", "F", "C", "D"]
    assert listed(client, record, sort="newest") == ["D", "C", "F", "A", "B"]


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_keyset_pages_follow_each_other_without_gaps(client, record, monkeypatch, sort):
    monkeypatch.setattr(statement_lists, "PAGE_SIZE", 2)
    seen, query = [], f"?sort={sort}"
    for _ in range(5):
        response = client.get(STATEMENTS + query)
        seen += letters(record, response)
        more = re.search(
            r'<a href="/statements/(\?[^"]+)"[^>]* rel="next"', response.content.decode()
        )
        if not more:
            break
        query = more[1].replace("&amp;", "&")
        assert "cursor=" in query
    expected = ["B", "A", "F", "C", "D"]
    assert seen == (expected if sort == "oldest" else expected[::-1])


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"speaker": "aliyev"}, ["B", "C"]),
        ({"speaker": ["aliyev", "blinken"]}, []),  # one speaker each: all of two is none
        ({"addressee": "armenia"}, ["B", "C"]),
        ({"addressee": ["armenia", "azerbaijan"]}, ["C"]),  # all of them
        ({"relayer": "voa"}, ["A"]),
        ({"relayer": ["miller", "voa"]}, ["A"]),
        ({"relayer": ["voa", "aliyev"]}, []),
        ({"act": ["urges", "pledges"]}, ["A", "F"]),  # any of them
        ({"mode": "quote"}, ["B", "F", "C"]),
        ({"mode": ["account", "reported"]}, ["A", "D"]),
        ({"origin": "azerbaijan"}, ["B", "C"]),
        ({"origin": ["azerbaijan", "united-states"]}, ["B", "A", "F", "C", "D"]),
        ({"source": "baku-report"}, ["B", "C"]),
        ({"point": "amnesty"}, ["A", "C"]),  # the same subject on two events
        ({"point": ["amnesty", "access"]}, ["B", "A", "C"]),
        ({"event": "exodus-2023"}, ["C", "D"]),
        ({"event": ["exodus-2023", "talks-2020"]}, ["B", "C", "D"]),
        ({"from": "2022", "to": "2022"}, ["A", "F"]),
        ({"from": "2022-09-15"}, ["F", "C", "D"]),  # F by its own date
        ({"to": "2022-09"}, ["B", "A", "F"]),
        ({"q": "peace"}, ["B", "F"]),
        ({"q": "peace talks"}, ["B"]),
        ({"q": "corridor"}, []),  # a draft's words
        ({"speaker": "blinken", "act": "pledges", "origin": "united-states"}, ["F"]),
    ],
)
def test_each_filter_selects_its_statements(client, record, params, expected):
    assert listed(client, record, **params) == expected


def test_the_json_twin_filters_alike(client, record):
    data = client.get(reverse("timeline:statements-json"), {"addressee": "armenia"}).json()
    assert [row["id"] for row in data["results"]] == [record["B"].uid, record["C"].uid]
    assert data["count"] == 2


def test_commitments_are_the_demands_and_commitments_among_them(client, record):
    assert listed(client, record, COMMITMENTS) == ["A", "F", "C"]
    assert listed(client, record, COMMITMENTS, speaker="aliyev") == ["C"]
    assert listed(client, record, COMMITMENTS, act="urges") == ["A"]
    response = client.get(COMMITMENTS, {"act": "states"})
    assert response.status_code == 400
    assert "states is not one of the available choices" in response.content.decode()


# ---------------------------------------------------------------- counts


def test_once_the_record_is_counted_no_view_is_counted_in_sql(client, record, monkeypatch):
    """Counts and pages then come from the published statements' index, or the cache."""
    if counts.current_version() is None:
        pytest.skip("a change awaits its recount: counted in SQL")

    def in_sql(*args, **kwargs):
        raise AssertionError("counted in SQL")

    monkeypatch.setattr("timeline.statement_counts.StatementCounts.count", in_sql)
    monkeypatch.setattr("timeline.querysets.StatementQuerySet.after_said", in_sql)
    for params in ({}, {"speaker": "aliyev", "q": "peace"}, {"point": "amnesty", "sort": "newest"}):
        assert client.get(STATEMENTS, params).status_code == 200
        assert client.get(COMMITMENTS, params).status_code == 200


def facet(response, name) -> dict:
    return {option["value"]: option["count"] for option in response.context["facets"][name]}


def test_each_filter_has_its_choices_counted(client, record):
    response = client.get(STATEMENTS)
    assert response.context["count"] == 5
    assert facet(response, "speaker") == {"aliyev": 2, "blinken": 2, "miller": 1}
    assert facet(response, "addressee") == {"armenia": 2, "aliyev": 1, "azerbaijan": 1}
    assert facet(response, "relayer") == {"miller": 1, "voa": 1}
    assert facet(response, "act") == {
        "urges": 1, "commits-to": 1, "reports": 1, "states": 1, "pledges": 1,
    }  # fmt: skip
    assert facet(response, "mode") == {"quote": 3, "reported": 1, "account": 1}
    assert facet(response, "origin") == {"azerbaijan": 2, "united-states": 3}
    assert facet(response, "source") == {"us-readout": 3, "baku-report": 2}
    assert facet(response, "point") == {"amnesty": 2, "access": 1}
    assert facet(response, "event") == {"call-2022": 2, "exodus-2023": 2, "talks-2020": 1}
    assert list(facet(response, "speaker"))[-1] == "miller"  # most first


def test_a_change_is_listed_and_counted_at_once(client, record, counted_by):
    assert client.get(STATEMENTS, {"speaker": "miller"}).context["count"] == 1
    source = make_source(text='"We are in contact with both sides," Miller said.')
    added = say("We are in contact with both sides", source, event=record["A"].event,
                speaker=record["D"].speaker, act="states", mode="quote")  # fmt: skip
    record["G"] = added
    response = client.get(STATEMENTS, {"speaker": "miller"})  # before any recount
    assert letters(record, response) == ["G", "D"]
    assert response.context["count"] == 2
    if counted_by == "index":
        counts.recount()
        response = client.get(STATEMENTS, {"speaker": "miller"})
        assert letters(record, response) == ["G", "D"]
        assert facet(response, "mode") == {"quote": 1, "account": 1}


def test_counts_that_would_take_too_long_are_skipped_and_said_so(client, settings, record):
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 0  # every count in SQL overruns
    response = client.get(STATEMENTS, {"mode": "quote"})
    page = response.content.decode()
    if counts.current_version() is not None:
        assert "skipped" not in page  # counted in the index: never skipped
        return
    assert letters(record, response) == ["B", "F", "C"]  # the page still answers
    assert "Count skipped: counting these statements would have taken too long." in page
    assert page.count("Counts skipped: they would have taken too long.") == 9
    checked = [o["value"] for o in response.context["facets"]["mode"] if o["checked"]]
    assert checked == ["quote"]  # every choice offered, uncounted


def test_a_choice_that_any_one_value_meets_is_counted_as_if_it_were_added(client, record):
    """An act, a mode, an origin, a source, a point or an occasion counts what choosing it
    too would add; the actors, all of whom must be met, count within the view."""
    response = client.get(STATEMENTS, {"act": "urges"})
    assert response.context["count"] == 1
    assert facet(response, "act")["pledges"] == 1
    assert facet(response, "act")["urges"] == 1
    assert facet(response, "speaker") == {"blinken": 1}
    assert facet(response, "origin") == {"united-states": 1}


def test_a_chosen_actor_stays_listed_whatever_its_count(client, record):
    response = client.get(STATEMENTS, {"speaker": "aliyev", "relayer": "voa"})
    assert response.context["count"] == 0
    assert facet(response, "relayer") == {"voa": 0}
    checked = [o["value"] for o in response.context["facets"]["speaker"] if o["checked"]]
    assert checked == ["aliyev"]


@SHOWN_ALIKE
def test_the_count_and_chips_say_what_the_view_holds(client, record):
    page = client.get(STATEMENTS, {"speaker": "aliyev", "mode": "quote"}).content.decode()
    assert "2 statements match" in page
    assert "Speaker: Ilham Aliyev" in page
    assert 'href="/statements/?mode=quote"' in page  # the chip that removes the speaker
    assert "<title>Statements: by Ilham Aliyev, direct quote · 2 statements" in page


# ---------------------------------------------------------------- what each row shows


@SHOWN_ALIKE
def test_a_row_shows_the_words_who_said_them_when_where_and_its_pages(client, record):
    page = client.get(STATEMENTS, {"event": "call-2022"}).content.decode()
    a, f = record["A"], record["F"]
    assert "<p>“We will keep pressing for peace”</p>" in page  # a quote, in quote marks
    assert "Blinken urged Aliyev to stop the fighting</p>" in page  # reported: none
    assert re.search(
        r'Antony J. Blinken</a>, as relayed by <a href="/actors/miller/">Matthew Miller</a>,'
        r' reported by <a href="/actors/voa/">VOA</a> <span class="act">urges</span>', page
    )  # fmt: skip
    assert '(to or about <a href="/actors/aliyev/">Ilham Aliyev</a>)' in page
    assert "<dd>20 September 2022</dd>" in page  # said on its own date
    assert f'href="{a.get_absolute_url()}"' in page  # its passage
    assert f'href="{a.get_permalink()}"' in page
    assert f'href="{f.get_permalink()}"' in page
    assert 'href="/events/call-2022/"' in page  # its occasion


@SHOWN_ALIKE
def test_a_commitment_shows_what_later_statements_say_of_it(client, record):
    page = client.get(COMMITMENTS).content.decode()
    later = record["D"]
    assert (
        f'<li><a href="{later.get_absolute_url()}">reported as done by Matthew Miller on '
        "26 September 2023</a></li>"
    ) in page
    assert page.count("<li>no later statement in the record</li>") == 2  # F and C


@SHOWN_ALIKE
def test_a_draft_and_its_speakers_addressees_and_points_are_unknown(client, record):
    assert record["E"].uid not in client.get(STATEMENTS).content.decode()
    Point.objects.create(event=record["E"].event, slug="corridor", name="Corridor")
    response = client.get(STATEMENTS, {"point": "corridor", "event": "draft-2023"})
    assert response.status_code == 400
    assert "Unknown point: corridor." in response.content.decode()
    assert "Unknown occasion: draft-2023." in response.content.decode()


@SHOWN_ALIKE
def test_words_are_shown_as_text_never_as_markup(client, counted_by):
    words = '<script>alert("x")</script> & <b>bold</b>'
    source = make_source(text=f'He said: "{words}".')
    statement = make_statement(text=words, source=source, mode="quote")
    if counted_by == "index":
        counts.recount()
    page = client.get(STATEMENTS, {"q": "bold"}).content.decode()
    assert statement.uid in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    atom = client.get(reverse("timeline:statements-atom")).content.decode()
    assert "<script>" not in atom
    assert "<b>" not in atom


# ---------------------------------------------------------------- htmx and addresses


@SHOWN_ALIKE
def test_an_htmx_swap_of_the_results_is_the_fragment_with_the_facets_out_of_band(client, record):
    response = client.get(STATEMENTS, {"mode": "quote"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.startswith('\n<section id="results"')
    assert '<fieldset id="facet-speaker" class="facet" hx-swap-oob="true">' in page
    assert '<p id="announce" hx-swap-oob="innerHTML">3 statements match</p>' in page
    assert "HX-Request" in response["Vary"]
    whole = client.get(STATEMENTS, {"mode": "quote"}, headers={"HX-Request": "true"})
    assert whole.content.decode().lstrip().startswith('<div id="statement-list"')


@SHOWN_ALIKE
def test_every_control_is_a_link_or_a_get_form(client, record):
    page = client.get(STATEMENTS, {"act": "urges"}).content.decode()
    assert '<form id="filters" class="filters" method="get" action="/statements/"' in page
    for link in re.findall(r"<a [^>]*hx-get=[^>]*>", page):
        href = re.search(r'href="([^"]+)"', link)[1]
        assert href == re.search(r'hx-get="([^"]+)"', link)[1]


@SHOWN_ALIKE
def test_the_page_names_its_one_address_and_its_feed(client, record, production_links):
    page = client.get(STATEMENTS + "?mode=quote&speaker=aliyev").content.decode()
    # The form's order of parameters, whatever the order given.
    canonical = "https://timeline.example.org/statements/?speaker=aliyev&amp;mode=quote"
    assert f'<link rel="canonical" href="{canonical}">' in page
    feed = "https://timeline.example.org/statements.atom?speaker=aliyev&amp;mode=quote"
    assert 'type="application/atom+xml" title="Statements: by Ilham Aliyev, direct quote: ' in page
    assert f'href="{feed}"' in page


@pytest.mark.parametrize("url", [STATEMENTS, COMMITMENTS, "/statements.json", "/commitments.csv",
                                 "/statements.atom"])  # fmt: skip
def test_a_tracking_parameter_is_a_redirect_to_the_page_without_it(client, url):
    response = client.get(url + "?speaker=aliyev&utm_source=newsletter&fbclid=1")
    assert response.status_code == 301
    assert response["Location"] == url + "?speaker=aliyev"


@SHOWN_ALIKE
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"speeker": "aliyev"}, "Unknown parameter: speeker."),
        ({"speaker": "nobody"}, "Unknown speaker: nobody."),
        ({"addressee": "no/slug"}, "Unknown to or about: no/slug."),
        ({"act": "shouts"}, "shouts is not one of the available choices"),
        ({"mode": "rumour"}, "rumour is not one of the available choices"),
        ({"origin": "mars"}, "mars is not one of the available choices"),
        ({"source": "nowhere"}, "Unknown source: nowhere."),
        ({"from": "2023", "to": "2020"}, "“to” cannot be before “from”."),
        ({"from": "last year"}, "from"),
        ({"cursor": "not-a-cursor"}, "This cursor is broken"),
        ({"sort": "random"}, "random is not one of the available choices"),
        ({"sort": ["newest", "oldest"]}, "sort: give it once only."),
        ({"q": "a b c d e f g"}, "Search for at most 6 different words at once."),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_the_problem(client, record, params, message):
    for url in (STATEMENTS, COMMITMENTS):
        response = client.get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()
    response = client.get(reverse("timeline:statements-json"), params)
    assert response.status_code == 400
    assert any(message in error["message"] or message == error["parameter"]
               for error in response.json()["errors"])  # fmt: skip
    response = client.get(reverse("timeline:commitments-csv"), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@SHOWN_ALIKE
def test_the_feed_takes_no_page_or_order(client, record):
    for name in ("cursor", "sort"):
        response = client.get(reverse("timeline:statements-atom"), {name: "newest"})
        assert response.status_code == 400
        assert f"Unknown parameter: {name}." in response.content.decode()


# ---------------------------------------------------------------- queries


def grow(rows: int, source=None):
    """``rows`` more published statements, each on an event of its own, addressed to
    two actors, relayed by one, under a point, and a commitment followed up by the next."""
    speaker = Actor.objects.filter(slug="central").first() or make_actor(slug="central")
    source = source or make_source(slug="the-source", text="")
    previous = None
    for _ in range(rows):
        n = Statement.objects.count()
        text = f"we commit to point {n} today"
        source.text += f' He said: "{text}".'
        source.save()
        event = make_event(date_start=D(2000 + n % 20, 1, 1 + n % 28), sources=[source])
        statement = say(text, source, event=event, speaker=speaker, act="commits-to",
                        mode="quote", addressees=[make_actor(), make_actor()],
                        relays=[make_actor(kind=Actor.Kind.MEDIA)])  # fmt: skip
        Point.objects.create(event=event, slug="subject", name="Subject").statements.add(statement)
        if previous is not None:
            StatementLink.objects.create(later=statement, relation="repeats", earlier=previous,
                                         source=source, text=text)  # fmt: skip
        previous = statement
    return source


def queries(client, url, params, headers, counted_by) -> int:
    if counted_by == "index":
        counts.recount()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, headers=headers)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


FILTERS = {"speaker": "central", "q": "commit", "from": "2000", "act": "commits-to",
           "point": "subject"}  # fmt: skip


@pytest.mark.parametrize(
    ("url", "params", "headers"),
    [
        (STATEMENTS, {}, {}),
        (COMMITMENTS, FILTERS, HTMX),
        (COMMITMENTS, {"sort": "newest"}, {"HX-Request": "true"}),
        ("/statements.json", FILTERS, {}),
        ("/commitments.csv", FILTERS, {}),
        ("/commitments.atom", FILTERS, {}),
    ],
)
def test_a_list_takes_a_fixed_number_of_queries(client, counted_by, url, params, headers):
    source = grow(2)
    few = queries(client, url, params, headers, counted_by)
    grow(6, source)
    assert queries(client, url, params, headers, counted_by) == few


# ---------------------------------------------------------------- any query string

NAMES = st.one_of(
    st.sampled_from([*StatementFilter.base_fields, "shown", "actor", "kind"]),
    st.sampled_from(bad_input.UNKNOWN_NAMES),
    bad_input.text,
)
VALUES = st.one_of(
    bad_input.values,
    st.sampled_from(
        [
            "aliyev",
            "blinken",
            "voa",
            "amnesty",
            "baku-report",
            "exodus-2023",
            "urges",
            "quote",
            "united-states",
        ]
    ),
    st.builds(
        lambda d, n: bad_input.b64(f"{d}|{n}".encode()),
        bad_input.CURSOR_DATES,
        st.one_of(st.integers().map(str), bad_input.text),
    ),
)


@st.composite
def query_strings(draw) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(draw(st.integers(0, 5))):
        pairs.extend([(draw(NAMES), draw(VALUES))] * draw(bad_input.repeats))
    return pairs


def assert_answered(response, pairs):
    """2xx, 3xx, 400 or 404; a 400 names a parameter sent, or the query as a whole."""
    status = response.status_code
    assert 200 <= status < 400 or status in {400, 404}, status
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    if status != 400:
        return
    sent = {name for name, _ in pairs}
    if response["Content-Type"].startswith("application/json"):
        assert all(e["parameter"] in sent | {""} for e in response.json()["errors"])
    elif response["Content-Type"].startswith("text/plain"):
        assert response.content.decode().partition(": ")[0] in sent | {"query"}
    else:
        assert "This address has a problem" in response.content.decode()


@settings(bad_input.FUZZ, max_examples=40)
@given(
    pairs=query_strings(),
    path=st.sampled_from([STATEMENTS, COMMITMENTS]),
    target=st.sampled_from([None, "results", "statement-list", "show-more", ""]),
)
@example(pairs=[("q", "a:* & (b")], path=STATEMENTS, target=None)
@example(pairs=[("cursor", bad_input.b64(b"2022-09-14|99999999999999999999"))],
         path=COMMITMENTS, target="results")  # fmt: skip
def test_no_query_string_makes_a_list_fail(client, record, pairs, path, target):
    headers = {} if target is None else {"HX-Request": "true", "HX-Target": target}
    response = client.get(f"{path}?{urlencode(pairs)}", headers=headers)
    assert_answered(response, pairs)
    if target is not None and response.status_code in {200, 400}:
        assert b"<html" not in response.content


@settings(bad_input.FUZZ, max_examples=40)
@given(pairs=query_strings(), name=st.sampled_from(["statements", "commitments"]),
       twin=st.sampled_from(["json", "csv", "atom"]))  # fmt: skip
def test_no_query_string_makes_a_twin_fail(client, record, pairs, name, twin):
    response = client.get(f"{reverse(f'timeline:{name}-{twin}')}?{urlencode(pairs)}")
    assert_answered(response, pairs)
