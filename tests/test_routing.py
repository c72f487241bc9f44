"""With a read replica, readers' pages read from it and editors stay on the primary."""

from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from timeline.models import Event
from timeline.routers import ReaderReplicaMiddleware, ReplicaRouter

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
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
    [RequestFactory().get("/admin/timeline/event/"), RequestFactory().post("/")],
    ids=["admin", "post"],
)
def test_the_admin_and_writes_read_from_the_primary(with_replica, request_):
    assert database_read_during(request_) is None  # None: Django's default, the primary


def with_session_cookie(key: str):
    return RequestFactory().get("/events/x/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={key}")


@pytest.mark.django_db
def test_signed_in_staff_read_from_the_primary(with_replica, admin_user):
    client = Client()
    client.force_login(admin_user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert database_read_during(with_session_cookie(key)) is None


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "x" * 32])
def test_a_junk_session_cookie_still_reads_from_the_replica(with_replica, junk):
    assert database_read_during(with_session_cookie(junk)) == "replica"


@pytest.mark.django_db
def test_a_session_without_a_signed_in_user_still_reads_from_the_replica(with_replica):
    session = SessionStore()
    session["seen"] = True
    session.save()
    assert database_read_during(with_session_cookie(session.session_key)) == "replica"


def test_without_a_replica_everything_reads_from_the_primary():
    assert database_read_during(RequestFactory().get("/")) is None


def test_writes_and_migrations_always_go_to_the_primary(with_replica):
    router = ReplicaRouter()
    assert router.db_for_write(Event) == "default"
    assert router.allow_migrate("default", "timeline")
    assert not router.allow_migrate("replica", "timeline")


def test_outside_a_request_reads_use_the_primary(with_replica):
    assert ReplicaRouter().db_for_read(Event) is None
