"""The chronology at `/`: filters, facets, axis, pages, fragments and errors."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.keyset import PAGE_SIZE, SHOWN_AT_MOST

pytestmark = pytest.mark.django_db
D = datetime.date
HTMX = {"HX-Request": "true"}


def listed_titles(response) -> list[str]:
    return re.findall(
        r'<h4 id="title-[^"]+"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def get(client, **params):
    return client.get(reverse("timeline:chronology"), params)


def test_the_home_page_lists_published_events_in_date_order(client):
    make_event(title="The later meeting", date_start=D(2023, 9, 26))
    make_event(title="The earlier meeting", date_start=D(1994, 5, 1))
    response = get(client)
    assert response.status_code == 200
    assert listed_titles(response) == ["The earlier meeting", "The later meeting"]


def outline(response) -> list[str]:
    """The list of events as a reader skims it: each heading (its level and class, then
    its text) and each event's title, in order."""
    heading = r'<(h[23]) class="([a-z]+)">([^<]+)</h[23]>'
    title = r'<h4 id="[^"]+"><a [^>]+>([^<]+)'
    found = re.findall(f"{heading}|{title}", response.content.decode())
    return [f"{level}.{kind} {text}" if level else title for level, kind, text, title in found]


def test_events_are_grouped_under_year_and_month_headings(client):
    make_event(title="A", date_start=D(2022, 9, 13))
    make_event(title="B", date_start=D(2022, 9, 14))
    make_event(title="C", date_start=D(1991, 1, 1), date_precision="year")
    page = get(client).content.decode()
    assert page.count('<h2 class="year">2022</h2>') == 1
    assert page.count('<h3 class="month">September 2022</h3>') == 1
    assert '<h3 class="period">1991, dated by year only</h3>' in page


def test_a_date_over_several_years_is_listed_under_its_span_not_its_first_year(client):
    make_event(title="Flare-up", date_start=D(1987, 1, 1), date_end=D(1989, 12, 31),
               date_precision="approximate")  # fmt: skip
    make_event(title="Unrest", date_start=D(1988, 2, 20))
    make_event(title="War", date_start=D(1991, 1, 1), date_end=D(1994, 12, 31),
               date_precision="year")  # fmt: skip
    make_event(title="Battle", date_start=D(1992, 5, 8))
    assert outline(get(client)) == [
        "h2.years Late 1980s",
        "h3.period Late 1980s, dated approximately",
        "Flare-up",
        "h2.year 1988",
        "h3.month February 1988",
        "Unrest",
        "h2.years 1991–1994",
        "h3.period 1991–1994, spanning years",
        "War",
        "h2.year 1992",
        "h3.month May 1992",
        "Battle",
    ]


def test_a_date_over_several_months_is_listed_under_its_year_not_its_first_month(client):
    make_event(title="War", date_start=D(2020, 9, 1), date_end=D(2020, 11, 30),
               date_precision="month")  # fmt: skip
    make_event(title="Clash", date_start=D(2020, 9, 27))
    make_event(title="Talks", date_start=D(2022, 9, 28), date_end=D(2022, 10, 3))
    make_event(title="Checkpoint", date_start=D(2023, 3, 1), date_end=D(2023, 5, 31),
               date_precision="approximate")  # fmt: skip
    make_event(title="Call", date_start=D(2023, 9, 12), date_end=D(2023, 9, 14),
               date_precision="approximate")  # fmt: skip
    assert outline(get(client)) == [
        "h2.year 2020",
        "h3.period 2020, spanning months",
        "War",
        "h3.month September 2020",
        "Clash",
        "h2.year 2022",
        "h3.period 2022, spanning months",
        "Talks",
        "h2.year 2023",
        "h3.period 2023, dated approximately",
        "Checkpoint",
        "h3.month September 2023",
        "Call",
    ]


@pytest.mark.parametrize(("sort", "year", "last", "next_first"), [
    (None, 1990, "war-a", "war-b"),
    ("newest", 2000, "war-b", "war-a"),
])  # fmt: skip
def test_a_span_of_years_keeps_its_heading_across_pages_in_either_order(
    client, sort, year, last, next_first
):
    for day in range(PAGE_SIZE - 1):
        make_event(title=f"Day {day:02}", date_start=D(year, 1, 1) + datetime.timedelta(day))
    for slug in ("war-a", "war-b"):  # the first page ends between the two
        make_event(slug=slug, title=slug, date_start=D(1991, 1, 1), date_end=D(1994, 12, 31),
                   date_precision="year")  # fmt: skip
    params = {"sort": sort} if sort else {}
    first = get(client, **params)
    assert outline(first)[:2] == [f"h2.year {year}", f"h3.month January {year}"]
    assert outline(first)[-3:] == [
        "h2.years 1991–1994",
        "h3.period 1991–1994, spanning years",
        last,
    ]
    # What "Show more" adds goes on under the same headings.
    more = client.get(show_more_link(first), headers={**HTMX, "HX-Target": "show-more"})
    assert outline(more) == [next_first]


def test_draft_events_are_absent_from_the_page_counts_axis_and_exports(client):
    actor = make_actor(slug="draft-actor")
    make_event(title="A draft nobody should see", publication="draft", actors=[actor],
               date_start=D(2001, 1, 1))  # fmt: skip
    page = get(client).content.decode()
    assert "A draft nobody should see" not in page
    assert 'aria-label="2001: 0 events"' in page
    assert 'id="actor-draft-actor"' not in page
    assert client.get(reverse("timeline:events-json")).json()["count"] == 0
    csv = b"".join(client.get(reverse("timeline:events-csv")).streaming_content).decode()
    assert "A draft nobody should see" not in csv


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("phone", True),  # title
        ("summary", True),  # summary
        ("AMNESTY", True),  # statement text, any case
        ("Блинкен", True),  # an actor's alias
        ("Artsakh", True),  # a place's alias
        ("amnesty blinken", True),  # every word, each anywhere
        ("amnesty picnic", False),
        ("observer", False),  # in the source, but not in any statement
    ],
)
def test_search_looks_in_titles_summaries_statements_and_names_in_any_spelling(
    client, query, found
):
    blinken = make_actor(name="Antony Blinken", aliases="Энтони Блинкен")
    karabakh = make_place(name="Nagorno-Karabakh", aliases="Artsakh")
    source = make_source(text='He urged a "broad amnesty" and an observer mission.')
    event = make_event(
        title="A phone call", summary="A summary.", sources=[source], actors=[blinken],
        places=[karabakh],
    )  # fmt: skip
    make_statement(event=event, source=source, text="broad amnesty", mode="quote")
    make_event(title="Something else entirely", summary="Nothing here.")
    assert listed_titles(get(client, q=query)) == (["A phone call"] if found else [])


def test_actor_filters_require_every_actor_given(client):
    a, b, c = make_actor(slug="a"), make_actor(slug="b"), make_actor(slug="c")
    make_event(title="A and B", actors=[a, b])
    make_event(title="A and C", actors=[a, c])
    assert listed_titles(get(client, actor=["a", "b"])) == ["A and B"]
    assert sorted(listed_titles(get(client, actor="a"))) == ["A and B", "A and C"]


def test_place_filters_require_every_place_given(client):
    baku, border = make_place(slug="baku"), make_place(slug="border")
    make_event(title="Both", places=[baku, border])
    make_event(title="Baku only", places=[baku])
    assert listed_titles(get(client, place=["baku", "border"])) == ["Both"]


def test_kind_filters_accept_any_of_the_kinds_given(client):
    make_event(title="Call", kind="phone-call")
    make_event(title="Clash", kind="hostilities")
    make_event(title="Meeting", kind="meeting")
    assert listed_titles(get(client, kind=["phone-call", "hostilities"])) == ["Call", "Clash"]


def test_origin_filters_keep_events_reported_by_a_source_of_that_origin(client):
    make_event(title="US account", sources=[make_source(origin="united-states")])
    make_event(title="Azerbaijani account", sources=[make_source(origin="azerbaijan")])
    assert listed_titles(get(client, origin="azerbaijan")) == ["Azerbaijani account"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("1992", "1992", ["War"]),
        ("1994-12", "1995", ["War"]),
        ("2022-09", "2022-09", ["Clash"]),
        ("2022-09-14", None, ["Clash"]),
        ("2022-09-15", None, []),
        (None, "1990", []),
    ],
)
def test_a_period_matches_events_whose_dates_overlap_it(client, start, end, expected):
    make_event(
        title="War", date_start=D(1991, 1, 1), date_end=D(1994, 12, 31), date_precision="year"
    )
    make_event(title="Clash", date_start=D(2022, 9, 13), date_end=D(2022, 9, 14))
    params = {k: v for k, v in {"from": start, "to": end}.items() if v}
    assert listed_titles(get(client, **params)) == expected


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "2023-13"}, "from"),
        ({"from": "last week"}, "from"),
        ({"to": "2023-02-30"}, "to"),
        ({"from": "2023", "to": "2022"}, "to"),
        ({"actor": "nobody-at-all"}, "actor"),
        ({"place": "<script>"}, "place"),
        ({"kind": "picnic"}, "kind"),
        ({"origin": "mars"}, "origin"),
        ({"cursor": "not-a-cursor!"}, "cursor"),
        ({"colour": "blue"}, "colour"),
        ({"q": ["one", "two"]}, "q"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, params, parameter):
    response = get(client, **params)
    assert response.status_code == 400
    alert = response.content.decode().split('role="alert"')[1].split("</div>")[0]
    assert parameter in alert
    json = client.get(reverse("timeline:events-json"), params)
    assert json.status_code == 400
    assert parameter in str(json.json()["errors"])
    assert client.get(reverse("timeline:events-csv"), params).status_code == 400


def test_an_htmx_request_for_the_results_gets_the_fragment_and_fresh_facet_counts(client):
    make_event(title="Call", kind="phone-call")
    response = client.get(reverse("timeline:chronology"), {"kind": "phone-call"},
                          headers={**HTMX, "HX-Target": "results"})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="results"')
    assert 'id="facet-kind" class="facet" hx-swap-oob="true"' in body
    assert 'id="announce" hx-swap-oob="innerHTML">1 event matches<' in body
    assert '<span id="active-filters" hx-swap-oob="true">(1 active)</span>' in body


def test_a_full_page_and_each_fragment_vary_on_the_htmx_headers(client):
    for headers in ({}, HTMX, {**HTMX, "HX-Target": "results"}):
        response = client.get(reverse("timeline:chronology"), headers=headers)
        assert "HX-Request" in response["Vary"]


def test_a_link_that_changes_the_filters_gets_the_form_and_results_without_the_page(client):
    response = client.get(
        reverse("timeline:chronology"), headers={**HTMX, "HX-Target": "chronology"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="filters"' in body
    assert 'id="results"' in body
    # The form and its facets come whole; only the live region, which stays in place
    # outside what is swapped, is told out of band what the results hold.
    assert body.count("hx-swap-oob") == 1
    assert '<p id="announce" hx-swap-oob="innerHTML">0 events</p>' in body


def test_the_live_region_stands_once_outside_what_swaps_replace(client):
    page = get(client).content.decode()
    assert page.count('id="announce"') == 1
    assert "hx-swap-oob" not in page
    live_region = page.index('id="announce"')
    assert live_region < page.index('<div id="chronology"')


def test_the_filters_summary_counts_the_active_filters(client):
    make_event(actors=[make_actor(slug="a", name="Actor A")])
    page = get(client, actor="a", kind=["meeting", "talks"], to="2022").content.decode()
    assert re.search(
        r'<details id="filter-panel" class="filter-panel">\s*'
        r'<summary>Filters <span id="active-filters">\(4 active\)</span></summary>\s*'
        r'<form id="filters"',
        page,
    )
    assert '<span id="active-filters">(0 active)</span>' in get(client).content.decode()


def test_history_restoration_gets_the_full_page(client):
    response = client.get(
        reverse("timeline:chronology"), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def show_more_link(response) -> str | None:
    found = re.search(r'id="show-more" class="more"><a href="([^"]+)"', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


def test_show_mores_address_brings_back_every_event_shown_so_far(client):
    for day in range(PAGE_SIZE + 5):
        make_event(
            title=f"Event on day {day:02}", date_start=D(2020, 1, 1) + datetime.timedelta(day)
        )
    first = get(client)
    more = show_more_link(first)
    assert more, "the first page links to more"
    # Without JavaScript, the address opens at the first of the events it adds.
    assert more.startswith(f"/?shown={2 * PAGE_SIZE}#title-")
    assert listed_titles(first) == [f"Event on day {day:02}" for day in range(PAGE_SIZE)]
    again = client.get(more)
    assert listed_titles(again) == [f"Event on day {day:02}" for day in range(PAGE_SIZE + 5)]
    assert f'id="{more.split("#")[1]}"' in again.content.decode()
    assert 'id="show-more"' not in again.content.decode()


def test_show_more_as_htmx_appends_only_the_next_entries(client):
    for day in range(PAGE_SIZE + 1):
        make_event(date_start=D(2020, 1, 1) + datetime.timedelta(day))
    more = show_more_link(get(client))
    fragment = client.get(more, headers={**HTMX, "HX-Target": "show-more"})
    body = fragment.content.decode()
    assert body.count("<article") == 1
    assert 'id="results"' not in body
    assert "No events match" not in body
    assert '<p id="announce" hx-swap-oob="innerHTML">More events shown.</p>' in body


def test_show_more_goes_on_a_page_at_a_time_and_keeps_the_year_headings(client):
    for day in range(3 * PAGE_SIZE + 1):
        make_event(date_start=D(2020, 1, 1) + datetime.timedelta(7 * day))
    more = show_more_link(get(client))
    second = client.get(more, headers={**HTMX, "HX-Target": "show-more"})
    assert second.content.decode().count("<article") == PAGE_SIZE
    # Its own link asks for a page more than it and every event before it.
    assert show_more_link(second).startswith(f"/?shown={3 * PAGE_SIZE}#")
    # The year 2020 goes on from the page before: no second heading for it.
    assert '<h2 class="year">2020</h2>' not in second.content.decode()
    third = client.get(show_more_link(second), headers={**HTMX, "HX-Target": "show-more"})
    assert third.content.decode().count("<article") == PAGE_SIZE
    whole = get(client, shown=str(4 * PAGE_SIZE))
    assert len(listed_titles(whole)) == 3 * PAGE_SIZE + 1


@pytest.mark.parametrize("shown", ["0", "15", "220", "many", "-20"])
def test_a_number_of_events_shown_that_show_more_never_asks_for_is_named(client, shown):
    response = get(client, shown=shown)
    assert response.status_code == 400
    assert "<code>shown</code>: Show 20, 40, … up to 200 events." in response.content.decode()


def test_the_json_gives_as_many_events_as_shown_and_its_next_page_as_many(client):
    for day in range(2 * PAGE_SIZE + 5):
        make_event(date_start=D(2020, 1, 1) + datetime.timedelta(day))
    first = client.get(reverse("timeline:events-json"), {"shown": str(2 * PAGE_SIZE)}).json()
    assert len(first["results"]) == 2 * PAGE_SIZE
    assert f"shown={2 * PAGE_SIZE}" in first["next"]
    assert "cursor=" in first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 5
    assert rest["next"] is None


def test_past_two_hundred_events_the_next_ones_are_a_page_of_their_own(client):
    for day in range(SHOWN_AT_MOST + 1):
        make_event(title=f"Day {day}", date_start=D(2020, 1, 1) + datetime.timedelta(day))
    last = get(client, shown=str(SHOWN_AT_MOST))
    assert len(listed_titles(last)) == SHOWN_AT_MOST
    assert show_more_link(last) is None
    html = last.content.decode()
    found = re.search(r'<a href="(/\?cursor=[^"]+)"[^>]*>Next events</a>', html)
    assert found, "the next events are a link of their own"
    rest = client.get(found.group(1).replace("&amp;", "&"))
    assert listed_titles(rest) == [f"Day {SHOWN_AT_MOST}"]


def test_the_axis_has_a_bar_per_year_that_narrows_to_its_year(client):
    make_event(date_start=D(2022, 9, 13))
    make_event(date_start=D(2022, 9, 14))
    make_event(date_start=D(1991, 1, 1), date_end=D(1994, 12, 31), date_precision="year")
    page = get(client).content.decode()
    assert page.count('<svg class="bar"') == 2023 - 1991 + 1
    assert 'aria-label="2022: 2 events"' in page
    assert 'aria-label="1993: 1 event"' in page
    assert 'aria-label="2005: 0 events"' in page
    assert 'href="/?from=2022&amp;to=2022"' in page


def test_each_choice_shows_how_many_events_it_would_give_with_the_other_filters(client):
    us = make_source(origin="united-states")
    make_event(kind="phone-call", sources=[us], date_start=D(2023, 9, 26))
    make_event(kind="phone-call", sources=[us], date_start=D(2022, 9, 13))
    make_event(kind="hostilities", sources=[us], date_start=D(2022, 9, 13))
    facets = get(client, **{"from": "2022", "to": "2022"}).context["facets"]
    kinds = {option["value"]: option["count"] for option in facets["kind"]}
    assert kinds == {"phone-call": 1, "hostilities": 1}
    assert facets["origin"][0]["count"] == 2


def test_active_filters_show_as_removable_chips_with_a_clear_all_link(client):
    make_event(actors=[make_actor(slug="a", name="Actor A")])  # a filter knows public actors
    response = get(client, actor="a", kind="meeting")
    chips = {chip["label"]: chip["url"] for chip in response.context["chips"]}
    assert chips == {"Actor: Actor A": "?kind=meeting", "Kind: Meeting": "?actor=a"}
    assert "Clear all filters" in response.content.decode()


def test_a_period_chip_names_its_dates_as_the_page_writes_dates(client):
    make_event(date_start=D(2020, 11, 10))
    response = get(client, **{"from": "2020-09", "to": "2020-11-10"})
    labels = [chip["label"] for chip in response.context["chips"]]
    assert labels == ["From: September 2020", "To: 10 November 2020"]
    assert "Remove filter From: September 2020" in response.content.decode()


def test_the_page_links_to_exports_of_the_same_events(client):
    make_event(kind="meeting")
    page = get(client, kind="meeting").content.decode()
    assert 'href="/events.json?kind=meeting"' in page
    assert 'href="/events.csv?kind=meeting"' in page


def test_without_javascript_the_filter_form_is_a_plain_get_form(client):
    page = get(client).content.decode()
    assert re.search(r'<form id="filters" class="filters" method="get" action="/"', page)
    assert '<button type="submit">' in page


@pytest.mark.parametrize("name", ["kind", "origin", "actor"])
def test_a_value_given_many_times_gives_the_page_it_gives_once(client, name):
    actor = make_actor(slug="envoy")
    make_event(kind="talks", actors=[actor], sources=[make_source(origin="azerbaijan")])
    value = {"kind": "talks", "origin": "azerbaijan", "actor": "envoy"}[name]
    once = client.get(reverse("timeline:chronology"), {name: value})
    many = client.get(reverse("timeline:chronology"), {name: [value] * 360})
    assert many.status_code == once.status_code == 200
    assert many.context["form"].cleaned_data[name] == [value]
    assert many.content == once.content  # not one link repeating it 360 times
