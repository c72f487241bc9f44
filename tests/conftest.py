"""What every test shares: settings for speed, which tests run on PostgreSQL, and the
real timeline, a live server and a browser for the tests that need them.

The suite runs twice, on SQLite and on PostgreSQL (see the README). The PostgreSQL pass
runs only the tests whose outcome can depend on the database: those that use it, less
those marked ``same_on_every_database`` (the browser tests, whose pages' queries are
tested by the view tests on both databases). Tests that never touch the database (the
settings checked in a fresh interpreter, pure functions) run on SQLite only.
"""

import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from tests import site_links
from tests.admin_forms import PASSWORD
from timeline.timelimits import _overran, lift_kept_limits

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_timeline"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "same_on_every_database: the outcome cannot depend on the database; run on SQLite only",
    )
    # Password hashing at production strength costs over half a second per user made;
    # the tests of sign-in check behaviour, not the hasher's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test's client builds the middleware afresh, and WhiteNoise's would list every
    # static file (80 ms a test); it finds each one when asked for it instead, with the
    # same headers.
    settings.WHITENOISE_AUTOREFRESH = True
    # Each test has exports of its own (below); data loaded for a module marks these.
    exports = Path(tempfile.mkdtemp(prefix="karabakh-test-exports-"))
    settings.EXPORTS_ROOT = exports
    config.add_cleanup(lambda: shutil.rmtree(exports, ignore_errors=True))
    # Tests run with DEBUG off, where static URLs come from the manifest that
    # collectstatic writes; make it once if `make test` has not already.
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def uses_the_database(item) -> bool:
    return bool(item.get_closest_marker("django_db")) or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        return
    kept, deselected = [], []
    for item in items:
        if uses_the_database(item) and not item.get_closest_marker("same_on_every_database"):
            kept.append(item)
        else:
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def generous_count_time_limit(settings):
    """Counts are time-limited (15 ms), so that pages answer in time at scale; on a busy
    test machine that could skip a count a test relies on, and the skip is remembered for
    a minute in the process. Tests of the limit itself set their own."""
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 60_000
    _overran.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts and ends with an empty cache: counts, fragments and pages kept
    for one test's records (whose versions are random) never meet another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_kept_time_limit():
    """A public request keeps its query time limit on its connection for the next one
    (timeline/timelimits.py). The test's own thread is no worker: the limit is lifted
    before the database is flushed, or the next test runs."""
    yield
    lift_kept_limits()


@pytest.fixture(autouse=True)
def exports_of_its_own(settings, tmp_path_factory, monkeypatch):
    """The prebuilt exports of each test, so that none serves a file another test built
    from its own data (the database is rolled back between tests; the files are not).
    Built in the test's own thread: another would not see the test's transaction."""
    # Not inside tmp_path, which tests that write files of their own list.
    settings.EXPORTS_ROOT = tmp_path_factory.mktemp("exports")
    monkeypatch.setattr("timeline.exports.BUILD_IN_BACKGROUND", False)


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache that every process shares, as Redis is (a folder of files stands in; none
    of its entries culled, as Redis culls none below its memory limit)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }


@pytest.fixture
def seeded(db):
    """The real timeline, loaded from fixtures/ as `make run` loads it, for a test that
    changes it."""
    call_command("seed_timeline", verbosity=0)


@pytest.fixture(scope="module")
def real_timeline(django_db_setup, django_db_blocker):
    """The real timeline, loaded once for a module whose tests only read it (each test
    runs in a transaction of its own inside this one): inside a transaction that is rolled
    back after the module's last test. Every test of such a module must read it alone."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_timeline", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the tests only
    # touch the database between browser calls, never concurrently with them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server_for_browsers(django_db_setup, django_db_blocker):
    """A live server whose static files come from WhiteNoise and collectstatic's hashed
    names, as in production (pytest-django's live_server would serve them from the
    source folders instead). One for the whole run, as pytest-django's is: stopping it
    after each browser test cost up to half a second (the server notices it is to stop
    at its next poll, every half second)."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost", start=False)
        server.thread.static_handler = (
            one_request_at_a_time
            if connection.vendor == "sqlite"
            else lambda application: application
        )
        server.start()
    yield server
    server.stop()


@pytest.fixture
def live_timeline(transactional_db, live_server_for_browsers):
    """The real timeline on the live server."""
    server = live_server_for_browsers
    server._live_server_modified_settings.enable()
    seed_or_restore()
    yield server.url
    finish_requests()
    server._live_server_modified_settings.disable()


def one_request_at_a_time(application):
    """The live server's application, answering one request at a time. On SQLite every
    request thread shares the test's one in-memory connection; two at once can deadlock
    for good: one inside a query that calls back into Python (Django's date functions)
    waits for the interpreter's lock, while the other holds that lock and waits for the
    connection (a browser asks for a page and its scripts at once, as the admin does)."""
    lock = threading.Lock()

    class Answer:
        """The response, closed (which may touch the database) under the same lock."""

        def __init__(self, response):
            self.response = response

        def __iter__(self):
            return iter(self.response)

        def close(self):
            with lock:
                self.response.close()

    def serve(environ, start_response):
        with lock:
            return Answer(application(environ, start_response))

    return serve


# The seeded database of the first browser test (SQLite, in memory), copied back into
# the next ones: loading the fixtures took 1.5 s a test, a copy a few milliseconds.
_seeded_copy = []


def seed_or_restore():
    """The real timeline in the (empty, flushed) test database: loaded from the fixtures
    the first time, then, on SQLite, restored from a copy of that first load; loaded
    again where the test made rows of its own first (an editor's account), which the
    copy would wipe out."""
    from django.contrib.auth import get_user_model

    if connection.vendor != "sqlite" or get_user_model().objects.exists():
        call_command("seed_timeline", verbosity=0)
        return
    connection.ensure_connection()
    if not _seeded_copy:
        call_command("seed_timeline", verbosity=0)
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _seeded_copy.append(copy)
    else:
        _seeded_copy[0].backup(connection.connection)
        # Content types were made again by the flush, perhaps with other ids than the
        # copy's: the ids this process keeps of them are the copy's from now on.
        ContentType.objects.clear_cache()


def finish_requests(seconds: float = 5):
    """Wait for the live server's request threads to end. The in-memory test database's
    connection is shared with them only while the server runs: one still closing it after
    the server stopped fails, in a thread, after the test."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=seconds)


@pytest.fixture
def page(browser, live_timeline):
    """A browser tab on the live timeline. The test fails if any page it visited
    broke the Content Security Policy (Chromium reports each refusal on the console)."""
    context = browser.new_context(base_url=live_timeline)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    # The page loaded (its scripts' and styles' refusals, if any, are reported); its
    # requests still in flight are cut off with the tab, and the live server's threads
    # still answering them are waited for (live_timeline) before the database is
    # flushed. Waiting for the network to stay quiet instead cost half a second a test.
    page.wait_for_load_state("load")
    context.close()
    assert not violations, "\n".join(violations)


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def production_links(settings):
    """As in production: SITE_URL set (tests/site_links.py), and a forged host that
    ALLOWED_HOSTS lets through (a wildcard, or a proxy that passes any Host on)."""
    settings.SITE_URL = site_links.SITE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
