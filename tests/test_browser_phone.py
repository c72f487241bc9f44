"""The reader in the field, in a browser: a phone's width (no page scrolls sideways from
320 px; the results come before the filters, which open from their summary, with or
without JavaScript), where the focus lands after each swap, the live region, the time
axis from the keyboard, the skip link, and an accessibility audit at a phone's width in
light and dark."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import NARROW, PHONE, articles, assert_fits, mark_page, still_same_page, year

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]

PUBLIC_PAGES = [
    "/",
    "/?actor=antony-blinken&actor=ilham-aliyev&from=2023",
    "/events/blinken-aliyev-call-2023-09-26/",
    "/actors/antony-blinken/",
    "/sources/anadolu-blinken-aliyev-discuss-karabakh-2023-09-27/",
    "/?from=2022-09&to=2022-09",
    "/about/",
    "/actors/",
    "/places/",
    "/sources/",
    "/choose/actor/",
    "/statements/?speaker=antony-blinken",
    "/commitments/",
    "/statements/eyahahyp/",
    "/data/",
]
# The pages the reader-in-the-field work added, audited too, and issue 16's: the lists of
# statements, a statement's page (Aliyev's quote) and /data/.
NEW_PAGES = ["/about/", "/actors/", "/places/", "/sources/", "/choose/actor/",
             "/?from=2022-09&to=2022-09&sort=newest", "/statements/?q=peace",
             "/commitments/?sort=newest", "/statements/eyahahyp/", "/data/"]  # fmt: skip


# ---------------------------------------------------------------- phones first


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_public_page_is_wider_than_a_phone(page, path):
    for viewport in (NARROW, PHONE):
        page.set_viewport_size(viewport)
        page.goto(path)
        assert_fits(page, viewport["width"])


def test_the_open_filters_and_the_axis_fit_the_narrowest_phone(page):
    page.set_viewport_size(NARROW)
    page.goto("/?kind=phone-call&from=2022")
    page.locator("#filter-panel > summary").click()
    expect(page.locator("#filters")).to_be_visible()
    assert_fits(page, NARROW["width"])
    # The axis fits; its years scroll sideways inside it (tests/test_browser_axis.py).
    axis = page.locator(".axis")
    expect(axis.locator("a")).to_have_count(33)
    box = axis.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= NARROW["width"]


def test_on_a_phone_the_results_come_first_and_the_filters_open_from_their_summary(page):
    page.set_viewport_size(PHONE)
    page.goto("/?kind=phone-call")
    summary = page.locator("#filter-panel > summary")
    expect(summary).to_have_text("Filters (1 active)")
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator("#results-heading")).to_be_in_viewport()
    mark_page(page)
    summary.click()
    page.locator("#kind-press-briefing").check()
    expect(page.locator("#results-heading")).to_have_text("4 events match")
    expect(summary).to_have_text("Filters (2 active)")
    expect(page.locator("#kind-press-briefing")).to_be_focused()
    # A swap of the whole chronology (a chip, a year) leaves the filters open.
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()
    expect(page.locator("#results-heading")).to_have_text("2 events match")
    expect(page.locator("#filters")).to_be_visible()
    assert still_same_page(page)


def test_on_a_wide_screen_the_filters_stand_open_beside_the_results(page):
    page.goto("/")
    expect(page.locator("#filter-panel > summary")).to_be_hidden()
    expect(page.locator("#kind-phone-call")).to_be_visible()
    filters = page.locator("#filters").bounding_box()
    results = page.locator("#results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"]


def test_without_javascript_the_filters_open_from_their_summary_on_a_phone(browser, live_timeline):
    context = browser.new_context(base_url=live_timeline, java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto("/?actor=antony-blinken&actor=ilham-aliyev")
    summary = page.locator("#filter-panel > summary")
    expect(summary).to_have_text("Filters (2 active)")
    expect(page.locator("#filters")).to_be_hidden()
    summary.click()
    page.locator("#kind-phone-call").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"kind=phone-call"))
    expect(articles(page)).to_have_count(2)
    expect(page.locator("#filter-panel > summary")).to_have_text("Filters (3 active)")
    assert_fits(page, PHONE["width"])
    context.close()


# ---------------------------------------------------------------- focus after every swap


def test_after_a_year_bar_the_focus_is_on_that_year_again(page):
    page.goto("/")
    mark_page(page)
    year(page, "2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    expect(articles(page)).to_have_count(5)
    expect(year(page, "2022: 5 events")).to_be_focused()
    assert still_same_page(page)


def test_after_a_chip_is_removed_the_focus_is_on_the_results_heading(page):
    page.goto("/?kind=phone-call&kind=meeting")
    mark_page(page)
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()
    expect(page).to_have_url(re.compile(r"/\?kind=meeting$"))
    expect(page.locator("#results-heading")).to_have_text("2 events match")
    expect(page.locator("#results-heading")).to_be_focused()
    assert still_same_page(page)


def test_after_clear_all_the_focus_is_on_the_results_heading(page):
    page.goto("/?kind=phone-call")
    mark_page(page)
    page.get_by_role("link", name="Clear all filters").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#results-heading")).to_have_text("29 events")
    expect(page.locator("#results-heading")).to_be_focused()
    assert still_same_page(page)


def test_after_show_more_the_focus_is_on_the_first_event_it_brought(page):
    page.goto("/")
    mark_page(page)
    page.get_by_role("link", name="Show more events").click()
    expect(articles(page)).to_have_count(29)
    expect(articles(page).nth(20).locator("h4 a")).to_be_focused()
    assert still_same_page(page)


def test_after_a_checkbox_the_focus_stays_on_it(page):
    page.goto("/")
    page.locator("#kind-phone-call").check()
    expect(page.locator("#results-heading")).to_have_text("2 events match")
    expect(page.locator("#kind-phone-call")).to_be_focused()


def test_after_a_checkbox_whose_choice_is_gone_the_focus_is_on_the_results_heading(page):
    # Searched for "amnesty", only a phone call matches: unchosen, "Talks" is no choice.
    page.goto("/?q=amnesty&kind=talks")
    expect(page.locator("#results-heading")).to_have_text("0 events match")
    # Clicked, not unchecked: uncheck() reads the box again, which the swap removes.
    page.locator("#kind-talks").click()
    expect(page.locator("#results-heading")).to_have_text("1 event matches")
    expect(page.locator("#kind-talks")).to_have_count(0)
    expect(page.locator("#results-heading")).to_be_focused()


# ---------------------------------------------------------------- the live region


def test_the_live_region_stays_in_place_and_names_each_new_count(page):
    page.goto("/")
    live = page.locator("#announce")
    page.evaluate("window.__liveRegion = document.getElementById('announce')")
    page.locator("#kind-phone-call").check()  # swaps the results
    expect(live).to_have_text("2 events match")
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()  # the chronology
    expect(live).to_have_text("29 events")
    year(page, "2022: 5 events").click()
    expect(live).to_have_text("5 events match")
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("aria-live", "polite")
    assert page.evaluate("window.__liveRegion === document.getElementById('announce')")


# ---------------------------------------------------------------- the axis from the keyboard


def test_the_axis_is_one_tab_stop_walked_with_the_arrow_keys(page):
    page.goto("/")
    expect(page.locator(".axis a")).to_have_count(33)
    expect(page.locator('.axis a[tabindex="0"]')).to_have_count(1)
    expect(year(page, "1991: 3 events")).to_have_attribute("tabindex", "0")
    year(page, "1991: 3 events").focus()
    for key, label in [
        ("ArrowRight", "1992: 1 event"),
        ("End", "2023: 16 events"),
        ("ArrowRight", "2023: 16 events"),
        ("ArrowLeft", "2022: 5 events"),
        ("ArrowLeft", "2020: 2 events"),
        ("ArrowLeft", "1994: 2 events"),  # the years without events are passed by
        ("Home", "1991: 3 events"),
        ("ArrowLeft", "1991: 3 events"),
        ("End", "2023: 16 events"),
        ("ArrowLeft", "2022: 5 events"),
    ]:
        page.keyboard.press(key)
        expect(year(page, label)).to_be_focused()
    expect(page.locator('.axis a[tabindex="0"]')).to_have_count(1)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.axis') === null")
    page.keyboard.press("Shift+Tab")
    expect(year(page, "2022: 5 events")).to_be_focused()
    mark_page(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    expect(articles(page)).to_have_count(5)
    expect(year(page, "2022: 5 events")).to_be_focused()
    expect(year(page, "2022: 5 events")).to_have_attribute("tabindex", "0")
    assert still_same_page(page)


def test_without_javascript_every_year_is_a_link_reached_by_tab(browser, live_timeline):
    context = browser.new_context(base_url=live_timeline, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    expect(page.locator(".axis a[tabindex]")).to_have_count(0)
    year(page, "2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    expect(articles(page)).to_have_count(5)
    context.close()


# ---------------------------------------------------------------- the skip link


def test_the_skip_link_comes_first_and_reaches_the_results(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    expect(page.locator("#results-heading")).to_be_in_viewport()


# ---------------------------------------------------------------- accessibility audit


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_chronology_on_a_phone_passes_an_accessibility_audit(page, scheme):
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # And with the filters open, whose colours the closed panel kept from the audit.
    page.locator("#filter-panel > summary").click()
    expect(page.locator("#filters")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", NEW_PAGES)
def test_the_new_pages_on_a_phone_pass_an_accessibility_audit(page, path):
    page.set_viewport_size(PHONE)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(path)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{scheme}: {results.generate_report()}"
