"""The chronology in a browser, for a reader with a screen reader: the live region that
says what each update in place brought."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]


def year(page, label: str):
    """A bar of the time axis, by what it says ("2022: 5 events")."""
    return page.locator(".axis").get_by_role("link", name=label, exact=True)


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
