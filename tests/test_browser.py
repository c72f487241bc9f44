"""What a reader's browser does with the chronology: htmx swaps, the address bar,
history, keyboard use, no JavaScript, and an accessibility audit."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import articles, mark_page, still_same_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]


def test_choosing_a_filter_updates_results_in_place_and_the_address_bar(page):
    page.goto("/")
    expect(articles(page)).to_have_count(20)
    mark_page(page)
    page.locator("#kind-phone-call").check()
    expect(page).to_have_url(re.compile(r"/\?kind=phone-call$"))
    expect(articles(page)).to_have_count(2)
    expect(page.locator("#results-heading")).to_have_text("2 events match")
    expect(page.locator("#announce")).to_have_text("2 events match")
    assert still_same_page(page)


def test_back_and_forward_restore_earlier_states(page):
    page.goto("/")
    page.locator("#kind-phone-call").check()
    expect(articles(page)).to_have_count(2)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(articles(page)).to_have_count(20)
    page.go_forward()
    expect(page).to_have_url(re.compile(r"kind=phone-call"))
    expect(articles(page)).to_have_count(2)


def test_show_more_appends_the_next_events_and_says_so_in_the_address(page):
    page.goto("/")
    mark_page(page)
    page.get_by_role("link", name="Show more events").click()
    expect(articles(page)).to_have_count(29)
    expect(page.get_by_role("link", name="Show more events")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/\?shown=40$"))
    assert still_same_page(page)


def test_after_show_more_an_event_and_back_every_event_shown_is_there(page):
    page.goto("/")
    page.get_by_role("link", name="Show more events").click()
    expect(articles(page)).to_have_count(29)
    last = articles(page).nth(20).locator("h4 a")
    title = last.inner_text()
    last.click()  # a page of its own, not a swap
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?shown=40$"))
    expect(articles(page)).to_have_count(29)
    page.reload()
    expect(articles(page)).to_have_count(29)


def test_the_search_box_filters_after_a_pause_in_typing(page):
    page.goto("/")
    mark_page(page)
    page.locator("#q").press_sequentially("amnesty", delay=30)
    expect(page).to_have_url(re.compile(r"q=amnesty"))
    expect(articles(page)).to_have_count(1)
    expect(articles(page).first).to_contain_text("Blinken and Aliyev speak by phone")
    expect(page.locator("#q")).to_have_value("amnesty")
    assert still_same_page(page)


def test_an_axis_bar_narrows_the_view_to_its_year(page):
    page.goto("/")
    page.get_by_role("link", name="2022: 5 events").click()
    expect(page).to_have_url(re.compile(r"from=2022&to=2022"))
    expect(articles(page)).to_have_count(5)
    expect(page.locator("#from")).to_have_value("2022")


def test_a_bad_value_typed_into_a_field_is_named_in_place(page):
    page.goto("/")
    page.locator("#from").fill("2023-13")
    page.locator("#from").press("Tab")
    expect(page.get_by_role("alert")).to_contain_text("from: 2023-13 is not a real date.")
    page.locator("#from").fill("2023")
    page.locator("#from").press("Tab")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(articles(page)).to_have_count(16)


def test_filters_work_from_the_keyboard(page):
    page.goto("/")
    page.locator("#kind-phone-call").focus()
    page.keyboard.press("Space")
    expect(articles(page)).to_have_count(2)
    expect(page.locator("#kind-phone-call")).to_be_focused()


def test_removing_a_chip_restores_the_wider_view(page):
    page.goto("/?kind=phone-call")
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(articles(page)).to_have_count(20)


def test_without_javascript_a_filtered_address_shows_the_filtered_events(browser, live_timeline):
    context = browser.new_context(base_url=live_timeline, java_script_enabled=False)
    page = context.new_page()
    page.goto("/?actor=antony-blinken&actor=ilham-aliyev")
    expect(articles(page)).to_have_count(4)
    page.locator("#kind-phone-call").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"kind=phone-call"))
    expect(articles(page)).to_have_count(2)
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?actor=antony-blinken&actor=ilham-aliyev&from=2023",
        "/events/blinken-aliyev-call-2023-09-26/",
        "/actors/antony-blinken/",
        "/sources/anadolu-blinken-aliyev-discuss-karabakh-2023-09-27/",
    ],
)
def test_pages_pass_an_accessibility_audit(page, path):
    page.goto(path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
