"""The admin's history: every curated record keeps one, showing who changed what, field
by field; reverting restores a version with its lists, in a transaction of its own as
in production."""

import pytest

from tests.admin_forms import admin_url, form_data
from tests.factories import make_event, make_place, make_source, make_statement
from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_history_records_who_changed_what_and_restores_an_earlier_version(editor_client, editor):
    event = make_event(title="The first title")
    earlier = event.history.latest()
    url = admin_url(Event, "change", event.pk)
    data = form_data(editor_client.get(url))
    data["title"] = "A better title"
    assert editor_client.post(url, data).status_code == 302

    latest = event.history.latest()
    assert latest.history_user == editor
    assert latest.title == "A better title"
    history_page = editor_client.get(admin_url(Event, "history", event.pk)).content.decode()
    assert "The first title" in history_page
    assert "A better title" in history_page
    assert "<strong>Title:</strong>" in history_page  # the change, field by field

    assert earlier.title == "The first title"
    revert_url = admin_url(Event, "simple_history", event.pk, earlier.history_id)
    assert (
        editor_client.post(revert_url, form_data(editor_client.get(revert_url))).status_code == 302
    )
    event.refresh_from_db()
    assert event.title == "The first title"
    restored = event.history.latest()
    assert (restored.title, restored.history_user) == ("The first title", editor)


def test_reverting_an_event_restores_its_places_and_sources_too(editor_client):
    shusha, lachin = make_place(name="Shusha"), make_place(name="Lachin")
    readout, briefing = make_source(), make_source()
    event = make_event(places=[shusha], sources=[readout])
    before = event.history.latest()
    url = admin_url(Event, "change", event.pk)
    data = form_data(editor_client.get(url))
    data.update(places=[lachin.pk], sources=[readout.pk, briefing.pk])
    assert editor_client.post(url, data).status_code == 302
    assert list(event.places.all()) == [lachin]

    revert_url = admin_url(Event, "simple_history", event.pk, before.history_id)
    assert (
        editor_client.post(revert_url, form_data(editor_client.get(revert_url))).status_code == 302
    )
    assert list(event.places.all()) == [shusha]
    assert list(event.sources.all()) == [readout]


def test_the_first_edit_of_a_seeded_event_shows_only_what_the_editor_changed(seeded, editor_client):
    event = Event.objects.filter(places__isnull=False, sources__isnull=False).first()
    url = admin_url(Event, "change", event.pk)
    data = form_data(editor_client.get(url))
    data["title"] = "A better title"
    assert editor_client.post(url, data).status_code == 302
    history_page = editor_client.get(admin_url(Event, "history", event.pk)).content.decode()
    assert "<strong>Title:</strong>" in history_page
    assert "<strong>Places:</strong>" not in history_page
    assert "<strong>Sources:</strong>" not in history_page


def test_every_curated_record_keeps_a_history(editor_client):
    statement = make_statement()
    for obj in (statement, statement.source, statement.speaker, statement.event, make_place()):
        assert obj.history.exists(), obj
        assert editor_client.get(admin_url(type(obj), "history", obj.pk)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_revert_works_outside_a_test_transaction_as_in_production(editor_client):
    # The other tests run inside a transaction; the server does not, and the edit
    # guard locks the record, which needs one.
    event = make_event(title="The first title")
    earlier = event.history.latest()
    event.title = "A later title"
    event.save()
    revert_url = admin_url(Event, "simple_history", event.pk, earlier.history_id)
    response = editor_client.post(revert_url, form_data(editor_client.get(revert_url)))
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "The first title"
