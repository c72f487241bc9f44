"""With a read replica, readers' pages read from it and editors stay on the primary."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from timeline.models import Event
from timeline.routers import ReaderReplicaMiddleware, ReplicaRouter

REPLICA = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}


def database_read_during(request) -> str | None:
    seen = []

    def view(request):
        seen.append(ReplicaRouter().db_for_read(Event))
        return HttpResponse()

    ReaderReplicaMiddleware(view)(request)
    return seen[0]


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": REPLICA}


def test_an_anonymous_readers_page_reads_from_the_replica(with_replica):
    assert database_read_during(RequestFactory().get("/?kind=meeting")) == "replica"


@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().get("/admin/timeline/event/"),
        RequestFactory().post("/"),
        RequestFactory().get("/events/x/", HTTP_COOKIE="sessionid=abc"),
    ],
    ids=["admin", "post", "signed-in"],
)
def test_the_admin_writes_and_signed_in_staff_read_from_the_primary(with_replica, request_):
    assert database_read_during(request_) is None  # None: Django's default, the primary


def test_without_a_replica_everything_reads_from_the_primary():
    assert database_read_during(RequestFactory().get("/")) is None


def test_writes_and_migrations_always_go_to_the_primary(with_replica):
    router = ReplicaRouter()
    assert router.db_for_write(Event) == "default"
    assert router.allow_migrate("default", "timeline")
    assert not router.allow_migrate("replica", "timeline")


def test_outside_a_request_reads_use_the_primary(with_replica):
    assert ReplicaRouter().db_for_read(Event) is None
