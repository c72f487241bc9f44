"""The chronology in a browser, from the keyboard and with a screen reader: where the
focus lands after each update in place, the live region, and the skip link."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]

# The narrowest phones still sold, and the most common width.
NARROW, PHONE = {"width": 320, "height": 640}, {"width": 375, "height": 740}


def mark_page(page):
    """Leave a mark in the window that a full reload would wipe out."""
    page.evaluate("window.__notReloaded = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def articles(page):
    return page.locator("#event-list article")


def year(page, label: str):
    """A bar of the time axis, by what it says ("2022: 5 events")."""
    return page.locator(".axis").get_by_role("link", name=label, exact=True)


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
    expect(page.locator("#results-heading")).to_have_text("21 events")
    expect(page.locator("#results-heading")).to_be_focused()
    assert still_same_page(page)


def test_after_show_more_the_focus_is_on_the_first_event_it_brought(page):
    page.goto("/")
    mark_page(page)
    page.get_by_role("link", name="Show more events").click()
    expect(articles(page)).to_have_count(21)
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
    expect(live).to_have_text("21 events")
    year(page, "2022: 5 events").click()
    expect(live).to_have_text("5 events match")
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("aria-live", "polite")
    assert page.evaluate("window.__liveRegion === document.getElementById('announce')")


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
