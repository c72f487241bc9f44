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


def mark_page(page):
    """Leave a mark in the window that a full reload would wipe out."""
    page.evaluate("window.__notReloaded = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def articles(page):
    return page.locator("#event-list article")
