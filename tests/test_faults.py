"""When things go wrong: designed error pages, an unreachable database, two editors
saving the same record, and restoring a backup."""

import io
import logging

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests.admin_forms import form_data
from tests.factories import make_event
from tests.test_commands import timeline_rows
from timeline.errors import DatabaseOutageInOneLine
from timeline.models import Event, EventQuerySet

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client():
    """A client that gets the response a browser would, rather than the exception."""
    return Client(raise_request_exception=False)


def test_an_unknown_page_gets_the_designed_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no page at this address." in page
    assert reverse("timeline:chronology") in page


def test_an_unknown_event_gets_the_designed_404(client):
    response = client.get(reverse("timeline:event", kwargs={"slug": "no-such-event"}))
    assert response.status_code == 404
    assert "There is no page at this address." in response.content.decode()


def test_a_server_error_gets_the_designed_500_that_reveals_nothing(quiet_client, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(EventQuerySet, "published", broken)
    response = quiet_client.get(reverse("timeline:chronology"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side." in page
    for leak in ("ZeroDivisionError", "secret internals", "Traceback", "published"):
        assert leak not in page


def test_an_unreachable_database_gets_a_designed_503_with_retry_after(quiet_client, monkeypatch):
    def unreachable(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')

    monkeypatch.setattr(EventQuerySet, "published", unreachable)
    for url in (reverse("timeline:chronology"), reverse("timeline:events-json")):
        response = quiet_client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "10"
        page = response.content.decode()
        assert "The timeline is briefly unavailable." in page
        assert "127.0.0.1" not in page
        assert "Connection refused" not in page


@pytest.fixture
def server_log():
    """What the configured console handler writes to standard error."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(f, DatabaseOutageInOneLine) for f in handler.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_database_outage_is_logged_in_one_line_per_request(quiet_client, monkeypatch, server_log):
    def unreachable(self, *args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused (100% down)")

    monkeypatch.setattr(EventQuerySet, "published", unreachable)
    quiet_client.get(reverse("timeline:chronology"))
    assert server_log.getvalue().splitlines() == [
        "Service Unavailable: / (database unreachable, OperationalError: "
        "connection to server failed: Connection refused (100% down))"
    ]


def test_any_other_server_error_is_logged_with_its_traceback(quiet_client, monkeypatch, server_log):
    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(EventQuerySet, "published", broken)
    quiet_client.get(reverse("timeline:chronology"))
    log = server_log.getvalue()
    assert log.startswith("Internal Server Error: /\nTraceback")
    assert "ZeroDivisionError: secret internals" in log


# ------------------------------------------------------------------ two editors


@pytest.fixture
def two_editors(django_user_model):
    editors = Group.objects.get(name="Editors")
    clients = []
    for name in ("anna", "boris"):
        user = django_user_model.objects.create_user(name, password="x" * 20, is_staff=True)
        user.groups.add(editors)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_a_save_over_another_editors_later_save_is_refused_and_keeps_the_input(two_editors):
    anna, boris = two_editors
    event = make_event(title="The original title")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    annas_form, boris_form = form_data(anna.get(url)), form_data(boris.get(url))

    boris_form["title"] = "Boris's title"
    assert boris.post(url, boris_form).status_code == 302

    annas_form["title"] = "Anna's title"
    response = anna.post(url, annas_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "boris saved a change to this record" in page
    assert "yours was not saved over theirs" in page
    assert 'value="Anna&#x27;s title"' in page  # her input is still in the form
    assert Event.objects.get(pk=event.pk).title == "Boris's title"

    # Having seen the latest version, she can save.
    fresh = form_data(anna.get(url))
    fresh["title"] = "Anna's title"
    assert anna.post(url, fresh).status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Anna's title"


# ------------------------------------------------------------------ backup and restore


# Outside a test transaction, as in real use: on PostgreSQL, flush cannot TRUNCATE tables
# with deferred constraint checks still pending in the same transaction.
@pytest.mark.django_db(transaction=True)
def test_restoring_a_backup_into_an_empty_database_gives_the_same_timeline(client, tmp_path):
    call_command("seed_timeline", verbosity=0)
    before = timeline_rows()
    page_before = client.get(reverse("timeline:chronology")).content
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata", "timeline", "--natural-foreign", "--natural-primary",
        "--output", backup, verbosity=0,
    )  # fmt: skip

    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.exists()

    call_command("loaddata", backup, verbosity=0)
    assert timeline_rows() == before
    assert client.get(reverse("timeline:chronology")).content == page_before


def test_the_csv_export_answers_503_before_streaming_when_the_database_is_unreachable(
    quiet_client, monkeypatch
):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def unreachable(self, *args, **kwargs):
        raise OperationalError("connection failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", unreachable)
    response = quiet_client.get(reverse("timeline:events-csv"))
    assert response.status_code == 503
    assert not response.streaming
    assert "The timeline is briefly unavailable." in response.content.decode()
