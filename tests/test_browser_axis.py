"""The time axis in a browser, on a phone and from the keyboard: bars big enough to hit
at 320 px, the axis scrolling sideways inside itself (never the page) with the chosen
year in view, a hint for the arrow keys that only the script gives; and, after Back
and Forward, where the focus lands and what the live region says."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import (
    DESKTOP,
    NARROW,
    PHONE,
    articles,
    assert_fits,
    in_axis_view,
    mark_page,
    still_same_page,
    year,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]

# WCAG 2.2's smallest target (2.5.8), in CSS pixels.
TARGET = 24

YEAR_HINT = "Left and Right arrows move between years with events; Enter shows the year."
MONTH_HINT = "Left and Right arrows move between months with events; Enter shows the month."


def years_axis(page):
    return page.locator(".axis:not(.months)")


def scrolls(axis) -> bool:
    return axis.evaluate("axis => axis.scrollWidth > axis.clientWidth")


def keep_live_region(page):
    page.evaluate("window.__liveRegion = document.getElementById('announce')")


def same_live_region(page) -> bool:
    return page.evaluate("window.__liveRegion === document.getElementById('announce')")


# ---------------------------------------------------------------- bars big enough to hit


@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320", "375"])
@pytest.mark.parametrize("path", ["/", "/?from=2022&to=2022", "/?from=2022-09&to=2022-09"])
def test_on_a_phone_every_bar_is_big_enough_to_hit_and_the_page_still_fits(page, viewport, path):
    page.set_viewport_size(viewport)
    page.goto(path)
    bars = page.locator(".axis a")
    expect(bars.first).to_be_attached()
    boxes = bars.evaluate_all(
        "bars => bars.map(bar => { const box = bar.getBoundingClientRect();"
        " return [bar.ariaLabel, box.width, box.height]; })"
    )
    assert len(boxes) == (33 if path == "/" else 45)  # the years, and a year's months
    too_small = [box for box in boxes if box[1] < TARGET or box[2] < TARGET]
    assert not too_small, too_small
    assert_fits(page, viewport["width"])


def test_on_the_narrowest_phone_the_years_scroll_sideways_with_the_chosen_one_in_view(page):
    page.set_viewport_size(NARROW)
    page.goto("/?from=2022&to=2022")
    expect(year(page, "2022: 5 events")).to_have_attribute("tabindex", "0")
    assert scrolls(years_axis(page))
    assert in_axis_view(year(page, "2022: 5 events"))
    assert not in_axis_view(year(page, "1991: 3 events"))
    # A year's twelve months fit the narrowest phone as they are.
    assert not scrolls(page.locator(".axis.months"))
    assert in_axis_view(year(page, "September 2022: 5 events"))
    assert_fits(page, NARROW["width"])


def test_with_no_year_chosen_the_last_year_with_events_is_in_view(page):
    page.set_viewport_size(NARROW)
    page.goto("/")
    assert scrolls(years_axis(page))
    assert in_axis_view(year(page, "2023: 16 events"))
    assert not in_axis_view(year(page, "1991: 3 events"))


def test_after_a_swap_the_chosen_year_is_scrolled_into_view_again(page):
    page.set_viewport_size(NARROW)
    page.goto("/?from=2020&to=2020")
    assert in_axis_view(year(page, "2020: 2 events"))
    mark_page(page)
    # The order swaps the results, the axis with them, and leaves the focus elsewhere.
    page.get_by_role("link", name="Newest first").click()
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(page.locator("#results-heading")).to_be_focused()
    assert in_axis_view(year(page, "2020: 2 events"))
    assert not in_axis_view(year(page, "1991: 3 events"))
    assert_fits(page, NARROW["width"])
    assert still_same_page(page)


def test_the_arrow_keys_scroll_the_axis_to_the_year_they_reach(page):
    page.set_viewport_size(NARROW)
    page.goto("/")
    bar = year(page, "1991: 3 events")
    bar.focus()
    assert in_axis_view(bar)
    page.keyboard.press("End")
    expect(year(page, "2023: 16 events")).to_be_focused()
    assert in_axis_view(year(page, "2023: 16 events"))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(year(page, "2020: 2 events")).to_be_focused()
    assert in_axis_view(year(page, "2020: 2 events"))
    assert_fits(page, NARROW["width"])


def test_on_a_wide_screen_the_axis_keeps_its_look(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/?from=2022&to=2022")
    years, months = years_axis(page), page.locator(".axis.months")
    assert not scrolls(years)
    assert not scrolls(months)
    # Each year is labelled, in one row across the results; a month is as wide as a year.
    expect(years.locator(".year")).to_have_count(33)
    for label in years.locator(".year").all():
        expect(label).to_be_visible()
    year_box = year(page, "1991: 3 events").bounding_box()
    month_box = year(page, "January 2022: 0 events").bounding_box()
    assert abs(month_box["width"] - year_box["width"]) < 0.5
    assert abs(month_box["x"] - year_box["x"]) < 0.5
    assert year(page, "2023: 16 events").bounding_box()["y"] == year_box["y"]
    expect(page.locator(".axis-hint")).to_have_count(2)
    expect(page.locator(".axis-hint").first).to_be_hidden()


# ---------------------------------------------------------------- the hint for the keys


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320", "desktop"])
def test_the_axis_tells_the_keyboard_how_to_walk_it(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/?from=2022&to=2022")
    hint = page.locator("#axis-hint-year")
    expect(hint).to_be_hidden()
    page.get_by_role("link", name="Clear all filters").focus()
    page.keyboard.press("Tab")
    bar = year(page, "2022: 5 events")
    expect(bar).to_be_focused()
    expect(bar).to_have_accessible_description(YEAR_HINT)
    expect(hint).to_be_visible()
    expect(hint).to_have_text(YEAR_HINT)
    page.keyboard.press("ArrowLeft")
    expect(year(page, "2020: 2 events")).to_be_focused()
    expect(year(page, "2020: 2 events")).to_have_accessible_description(YEAR_HINT)
    # The months are a tab stop of their own, with their own hint.
    page.keyboard.press("Tab")
    month = year(page, "September 2022: 5 events")
    expect(month).to_be_focused()
    expect(month).to_have_accessible_description(MONTH_HINT)
    expect(page.locator("#axis-hint-month")).to_be_visible()
    expect(hint).to_be_hidden()
    assert_fits(page, viewport["width"])


def test_after_a_swap_the_axis_has_its_hint_again(page):
    page.goto("/")
    year(page, "2022: 5 events").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    expect(year(page, "2022: 5 events")).to_be_focused()
    expect(year(page, "2022: 5 events")).to_have_accessible_description(YEAR_HINT)
    expect(page.locator("#axis-hint-year")).to_have_count(1)


def test_a_click_leaves_the_hint_unseen_but_still_told(page):
    page.goto("/")
    year(page, "2020: 2 events").click()
    expect(page).to_have_url(re.compile(r"from=2020&to=2020"))
    expect(year(page, "2020: 2 events")).to_be_focused()
    expect(page.locator("#axis-hint-year")).to_be_hidden()
    expect(year(page, "2020: 2 events")).to_have_accessible_description(YEAR_HINT)


def test_without_javascript_there_is_no_hint_since_every_year_is_a_tab_stop(browser, live_timeline):
    context = browser.new_context(base_url=live_timeline, java_script_enabled=False)
    page = context.new_page()
    html = page.goto("/?from=2022&to=2022").text()
    assert 'class="axis"' in html
    assert "arrows" not in html
    assert "axis-hint" not in html
    assert "aria-describedby" not in html.split('class="axis"', 1)[1]
    expect(page.locator(".axis-hint")).to_have_count(0)
    expect(year(page, "2022: 5 events")).not_to_have_accessible_description(re.compile("arrows"))
    context.close()


# ---------------------------------------------------------------- after Back and Forward


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "desktop"])
def test_back_and_forward_focus_the_results_heading_and_announce_the_count(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/")
    mark_page(page)
    keep_live_region(page)
    heading, live = page.locator("#results-heading"), page.locator("#announce")
    year(page, "2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"/\?from=2022&to=2022$"))
    expect(articles(page)).to_have_count(5)
    expect(live).to_have_text("5 events match")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(articles(page)).to_have_count(20)
    expect(heading).to_have_text("29 events")
    expect(heading).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "results-heading"
    expect(live).to_have_text("29 events")

    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?from=2022&to=2022$"))
    expect(articles(page)).to_have_count(5)
    expect(heading).to_have_text("5 events match")
    expect(heading).to_be_focused()
    expect(live).to_have_text("5 events match")
    assert in_axis_view(year(page, "2022: 5 events"))
    # Restored from the tab's copies, with the same live region, screen readers listening.
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("aria-live", "polite")
    assert same_live_region(page)
    assert still_same_page(page)


def test_back_after_a_chip_is_removed_brings_the_filter_back_and_says_so(page):
    page.set_viewport_size(NARROW)
    page.goto("/?kind=phone-call&kind=meeting")
    heading, live = page.locator("#results-heading"), page.locator("#announce")
    mark_page(page)
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()
    expect(page).to_have_url(re.compile(r"/\?kind=meeting$"))
    expect(live).to_have_text("2 events match")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?kind=phone-call&kind=meeting$"))
    expect(articles(page)).to_have_count(4)
    expect(page.get_by_role("link", name="Remove filter Kind: Phone call")).to_be_visible()
    expect(heading).to_be_focused()
    # Said again though the heading was focused before: the count is new.
    expect(live).to_have_text("4 events match")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?kind=meeting$"))
    expect(heading).to_be_focused()
    expect(live).to_have_text("2 events match")
    assert still_same_page(page)


def scroll_past_the_heading(page) -> int:
    """Scroll the page as a reader going down to the axis would, the heading just gone
    from view; return where the page is."""
    top = page.locator("#results-heading").evaluate(
        "heading => heading.getBoundingClientRect().bottom + scrollY + 1"
    )
    page.evaluate("top => scrollTo(0, top)", top)
    scrolled = page.evaluate("scrollY")
    assert scrolled > 0
    return scrolled


def assert_scrolled_to(page, scrolled: int):
    page.wait_for_function("scrolled => Math.abs(scrollY - scrolled) <= 1", arg=scrolled)
    # A moment later it is still there: the focus did not move it.
    page.wait_for_timeout(200)
    assert abs(page.evaluate("scrollY") - scrolled) <= 1


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "asked-again"])
def test_back_leaves_the_page_scrolled_where_the_reader_had_it(page, kept):
    page.set_viewport_size(PHONE)
    page.goto("/")
    if not kept:
        page.evaluate("htmx.config.historyCacheSize = 0")  # htmx keeps no copies in the tab
    scrolled = scroll_past_the_heading(page)
    year(page, "2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    page.evaluate("scrollTo(0, document.body.scrollHeight)")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(articles(page)).to_have_count(20)
    expect(page.locator("#results-heading")).to_be_focused()
    assert_scrolled_to(page, scrolled)


def test_back_to_a_view_htmx_no_longer_keeps_asks_the_server_and_does_the_same(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    mark_page(page)
    page.evaluate("htmx.config.historyCacheSize = 0")  # htmx keeps no copies in the tab
    year(page, "2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    with page.expect_request(lambda request: "hx-history-restore-request" in request.headers):
        page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(articles(page)).to_have_count(20)
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#announce")).to_have_text("29 events")
    assert in_axis_view(year(page, "2023: 16 events"))
    assert still_same_page(page)


# ---------------------------------------------------------------- accessibility audit


def audit(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_scrolling_axis_passes_an_accessibility_audit(page, scheme):
    page.set_viewport_size(NARROW)
    page.emulate_media(color_scheme=scheme)
    page.goto("/?from=2022&to=2022")
    audit(page)
    # With its hint shown.
    year(page, "2022: 5 events").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#axis-hint-year")).to_be_visible()
    audit(page)
    # And as Back restores it.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2020&to=2020"))
    page.go_back()
    expect(page.locator("#results-heading")).to_be_focused()
    audit(page)
