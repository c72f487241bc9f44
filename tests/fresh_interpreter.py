"""Run the project in a fresh interpreter, under the environment a test gives it: the
settings read the environment once, when they are imported, so each configuration a
test checks needs an interpreter of its own."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

# The variables that decide which configuration the settings make: taken from the test
# alone, never from the environment the tests run in (the PostgreSQL pass sets
# DATABASE_URL, for one).
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
}

# What production needs, and nothing more.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "timeline.example.org",
    "SITE_URL": "https://timeline.example.org",
}


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python *args`` in the project's folder, with ``env`` as its settings variables."""
    inherited = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
