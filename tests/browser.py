"""Headless Chromium from Debian, driven by Playwright (which downloads no browser here)."""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# Keep Chromium off the network: no background services, updates or sync.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
if os.geteuid() == 0:
    CHROMIUM_ARGS.append("--no-sandbox")  # Chromium's sandbox refuses to run as root

# The narrowest phones still sold, and the most common width; a laptop's screen.
NARROW, PHONE = {"width": 320, "height": 640}, {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def mark_page(page):
    """Leave a mark in the window that a full reload would wipe out."""
    page.evaluate("window.__notReloaded = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def articles(page):
    return page.locator("#event-list article")


def year(page, label: str):
    """A bar of the time axis, by what it says ("2022: 5 events", "September 2022: 5
    events")."""
    return page.locator(".axis").get_by_role("link", name=label, exact=True)


def assert_fits(page, width: int):
    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth, inner: innerWidth})"
    )
    assert sizes["inner"] == width
    # As the issue asks, and stricter: nothing wider than the room beside a scrollbar.
    assert sizes["scroll"] <= sizes["inner"], sizes
    assert sizes["scroll"] <= sizes["client"], sizes


def in_axis_view(bar) -> bool:
    """Whether a bar of the time axis is wholly inside what its axis, which may scroll
    sideways, shows."""
    return bar.evaluate(
        """bar => {
          const axis = bar.closest(".axis");
          const view = axis.getBoundingClientRect();
          const left = view.left + axis.clientLeft;
          const box = bar.getBoundingClientRect();
          return box.left >= left - 0.5 && box.right <= left + axis.clientWidth + 0.5;
        }"""
    )
