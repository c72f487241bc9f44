"""The comparison of accounts in a browser: on the narrowest phone, one block per point
and nothing wider than the screen; every passage link reached from the keyboard, in the
order of the table; and an accessibility audit, wide and narrow, light and dark.

The points are made here, on the real call of 26 September 2023, whatever points the
fixtures give it, so that the tests say what they rely on."""

import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import DESKTOP, NARROW, assert_fits
from tests.test_pages import CALL
from timeline.models import Event, Point, Statement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]

# Each point's statements, by the words they begin with: of the United States' account
# (two outlets carry the spokesman's words, in different punctuation), Azerbaijan's, and
# none of Azerbaijan's on the amnesty.
POINTS = {
    "Further military action": [
        "And I will say that we note",
        "Aliyev underlined that the anti-terrorism operations",
    ],
    "Humanitarian access": [
        "The Secretary spoke again to President Aliyev today",
        "The dialogue on reintegration is ongoing",
    ],
    "Amnesty": ["Blinken urged the Azerbaijani President", "broad amnesty"],
}


@pytest.fixture
def compared(live_timeline):
    """The call's page, with the three points above (the fixtures' own set aside)."""
    call = Event.objects.get(slug=CALL)
    Point.objects.filter(event=call).delete()
    about = Statement.objects.filter(event=call) | Statement.objects.filter(concerns=call)
    for position, (name, beginnings) in enumerate(POINTS.items(), start=1):
        point = Point.objects.create(
            event=call, slug=f"point-{position}", name=name, position=position
        )
        for words in beginnings:
            found = about.filter(text__startswith=words).distinct()
            assert found, words
            point.statements.add(*found)
    return call.get_absolute_url()


def test_on_the_narrowest_phone_each_point_is_a_block_and_nothing_scrolls_sideways(page, compared):
    page.set_viewport_size(NARROW)
    page.goto(compared)
    assert_fits(page, NARROW["width"])
    table = page.locator("table.comparison")
    rows = table.locator("tbody > tr")
    expect(rows).to_have_count(len(POINTS))
    # The column headers give way to each cell's own label.
    expect(table.locator("thead")).to_be_hidden()
    expect(rows.first.locator(".cell-account").first).to_be_visible()
    expect(rows.first.locator(".cell-account").first).to_have_text("Account of: Azerbaijan")
    # The caption spans the blocks, not a column of letters.
    caption, body = table.locator("caption").bounding_box(), table.locator("tbody").bounding_box()
    assert caption["width"] >= body["width"] - 1
    blocks = [rows.nth(n).bounding_box() for n in range(len(POINTS))]
    for above, below in itertools.pairwise(blocks):
        assert below["y"] >= above["y"] + above["height"]  # one under the other
    for block in blocks:
        assert block["x"] >= 0
        assert block["x"] + block["width"] <= NARROW["width"]
    # Within a block, each account's cell stands under the point, not beside it.
    cells = rows.first.locator("th, td")
    boxes = [cells.nth(n).bounding_box() for n in range(cells.count())]
    assert len({round(box["x"]) for box in boxes}) == 1
    # The amnesty's block says that Azerbaijan's recorded sources do not speak of it.
    expect(rows.nth(2).locator(".absent")).to_have_text(
        "Not in the recorded sources of this account."
    )


def test_on_a_wide_screen_it_is_a_table_with_a_column_per_account(page, compared):
    page.set_viewport_size(DESKTOP)
    page.goto(compared)
    headers = page.locator("table.comparison thead th")
    expect(headers).to_have_text(["Point", "Account of: Azerbaijan", "Account of: United States"])
    expect(page.locator("table.comparison .cell-account").first).to_be_hidden()
    first_row = page.locator("table.comparison tbody > tr").first.locator("th, td")
    tops = {round(first_row.nth(n).bounding_box()["y"]) for n in range(first_row.count())}
    assert len(tops) == 1  # side by side
    assert_fits(page, DESKTOP["width"])


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["phone", "desktop"])
def test_every_passage_link_is_reached_from_the_keyboard_in_order(page, compared, viewport):
    page.set_viewport_size(viewport)
    page.goto(compared)
    section = page.locator("#comparison")
    passages = section.locator("a[data-address]")
    expected = [passages.nth(n).get_attribute("href") for n in range(passages.count())]
    assert len(expected) >= 7
    # From the last link before the comparison, Tab walks through it.
    page.locator(".facts a").last.focus()
    reached = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const a = document.activeElement;
              if (!a.closest("#comparison")) return null;
              const box = a.getBoundingClientRect();
              return {
                href: a.dataset.address ? a.getAttribute("href") : "",
                text: a.textContent,
                seen: box.width > 0 && box.top >= -1 && box.bottom <= innerHeight + 1,
              };
            }"""
        )
        if focused is None:
            if reached:
                break
            continue
        assert focused["seen"], focused
        if focused["href"]:
            reached.append(focused["href"])
    assert reached == expected


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [(DESKTOP, "light"), (NARROW, "light"), (NARROW, "dark")],
    ids=["desktop-light", "phone-light", "phone-dark"],
)
def test_the_comparison_passes_an_accessibility_audit(page, compared, viewport, scheme):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto(compared)
    expect(page.locator("table.comparison")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
