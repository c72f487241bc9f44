"""No public request can tie up a worker in the database: each of its queries is stopped
past QUERY_TIME_LIMIT_MS, and the request answered 503 in its address's own format. The
admin is never limited, and a reader's limit never reaches its requests."""

import time

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_event
from timeline.models import Event, EventQuerySet
from timeline.timelimits import QueryTimeLimitMiddleware, TimeBudget, query_time_limit

pytestmark = pytest.mark.django_db
STOPPED = r"interrupted|statement timeout"  # what SQLite and PostgreSQL say


def slow_query(seconds: float = 1):
    """A query that takes about ``seconds`` (or more) on either database, unless stopped."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        else:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
                " SELECT count(*) FROM n",
                [int(seconds * 5_000_000)],
            )
        return cursor.fetchone()


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.fixture
def slow_published(monkeypatch, settings):
    """Every public view's events made slow to find, under a limit of a millisecond."""
    settings.QUERY_TIME_LIMIT_MS = 1
    reverse("admin:index")  # the views imported first, for their forms call published() too
    published = EventQuerySet.published

    def slow(self):
        slow_query()
        return published(self)

    monkeypatch.setattr(EventQuerySet, "published", slow)


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


def test_a_page_past_the_time_limit_answers_the_designed_503_page(slow_published, quiet_client):
    started = time.monotonic()
    response = quiet_client.get(reverse("timeline:chronology"))
    assert time.monotonic() - started < 0.9  # stopped, not waited for
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "The timeline is briefly unavailable." in page
    assert "asked more of its database than it can answer in time" in page


def test_the_json_export_past_the_time_limit_answers_503_in_json(slow_published, quiet_client):
    response = quiet_client.get(reverse("timeline:events-json"), {"kind": "talks"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "10"
    (error,) = response.json()["errors"]
    assert error["parameter"] == ""
    assert "more of its database than it can answer in time" in error["message"]


@pytest.mark.parametrize("params", [{"kind": "talks"}, {}])
def test_the_csv_export_past_the_time_limit_answers_503_in_plain_text(
    slow_published, quiet_client, params
):
    response = quiet_client.get(reverse("timeline:events-csv"), params)
    assert response.status_code == 503
    assert not response.streaming
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("query: The timeline is briefly unavailable.")


def run_in_middleware(path: str, work):
    """``work()`` as a view of a request for ``path``, behind the time limit's middleware."""
    return QueryTimeLimitMiddleware(lambda request: work())(RequestFactory().get(path))


def test_the_admin_is_not_limited(settings):
    settings.QUERY_TIME_LIMIT_MS = 1
    assert run_in_middleware(reverse("admin:index"), lambda: slow_query(0.1))
    with pytest.raises(OperationalError, match=STOPPED):
        run_in_middleware(reverse("timeline:chronology"), slow_query)


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around it
def test_the_limit_never_reaches_a_request_without_one(settings):
    """A persistent connection goes on to serve other requests, the admin's among them."""
    settings.QUERY_TIME_LIMIT_MS = 1
    with pytest.raises(OperationalError, match=STOPPED):
        run_in_middleware(reverse("timeline:chronology"), slow_query)
    run_in_middleware(reverse("timeline:chronology"), lambda: None)
    assert run_in_middleware(reverse("admin:index"), lambda: slow_query(0.05))  # to its end
    if connection.vendor == "postgresql":
        assert statement_timeout() == "0"


@pytest.mark.django_db(transaction=True)
def test_a_connection_is_limited_once_for_the_public_requests_it_serves(settings):
    """Setting the limit is two round trips: done once while the connection lasts, and
    again after an editor's request lifted it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's limit is a progress handler in this process, set per request")
    settings.QUERY_TIME_LIMIT_MS = 1
    chronology, admin = reverse("timeline:chronology"), reverse("admin:index")
    with CaptureQueriesContext(connection) as queries:
        for path in (chronology, chronology, admin, chronology):
            run_in_middleware(path, lambda: None)
    limits = [q["sql"] for q in queries if "statement_timeout" in q["sql"]]
    assert [sql.split()[0] for sql in limits] == ["SELECT", "RESET", "SELECT"]
    with pytest.raises(OperationalError, match=STOPPED):
        run_in_middleware(chronology, slow_query)


def test_the_counts_shorter_limits_nest_inside_the_requests(settings):
    make_event()
    with query_time_limit("default", 200):
        budget = TimeBudget(100)
        assert budget.run("slow", slow_query, default="skipped") == "skipped"
        assert budget.run("count", Event.objects.count) == 1
        if connection.vendor == "postgresql":
            assert statement_timeout() == "200ms"
        # The request's limit is in force again after the counts.
        started = time.monotonic()
        with pytest.raises(OperationalError, match=STOPPED):
            slow_query()
        assert time.monotonic() - started < 0.9


def test_a_query_within_the_limit_is_answered(client, settings):
    settings.QUERY_TIME_LIMIT_MS = 5000
    make_event(title="Talks in Brussels", kind="talks")
    response = client.get(reverse("timeline:events-json"), {"kind": "talks"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
