"""Publishing and unpublishing: a published event cites at least one source, whoever
publishes it and however (the event's methods, the admin's form and bulk actions), and
the history records who did it."""

import pytest
from django.core.exceptions import ValidationError

from tests.admin_forms import admin_url, new_event_data
from tests.factories import make_event
from timeline.models import UNSOURCED, Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("change", "before", "after", "reason"),
    [
        ("publish", "draft", "published", "Published"),
        ("unpublish", "published", "draft", "Unpublished"),
    ],
)
def test_publishing_and_unpublishing_record_who_did_it(editor, change, before, after, reason):
    event = make_event(publication=before)
    getattr(event, change)(by=editor)
    event.refresh_from_db()
    assert event.publication == after
    latest = event.history.latest()
    assert (latest.publication, latest.history_user) == (after, editor)
    assert latest.history_change_reason == reason


def test_an_event_without_a_source_cannot_be_published(editor):
    event = make_event(publication="draft", sources=[])
    versions = event.history.count()
    with pytest.raises(ValidationError) as refusal:
        event.publish(by=editor)
    assert refusal.value.message_dict == {"publication": [UNSOURCED]}
    assert Event.objects.get(pk=event.pk).publication == "draft"
    assert event.history.count() == versions


def test_the_bulk_actions_record_the_editor_in_the_history(editor_client, editor):
    event = make_event(publication="draft")
    changelist = admin_url(Event, "changelist")
    for action, reason in (("publish", "Published"), ("unpublish", "Unpublished")):
        editor_client.post(changelist, {"action": action, "_selected_action": [event.pk]})
        latest = event.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (editor, reason)


def test_an_event_without_a_source_can_be_saved_as_a_draft_but_not_published(editor_client):
    response = editor_client.post(admin_url(Event, "add"), new_event_data(publication="published"))
    assert response.status_code == 200
    assert "An event cannot be published without at least one source" in response.content.decode()
    assert not Event.objects.exists()
    response = editor_client.post(admin_url(Event, "add"), new_event_data())
    assert response.status_code == 302
    assert Event.objects.get().publication == "draft"


def test_publish_and_unpublish_in_bulk_refusing_unsourced_events(editor_client, client):
    sourced = make_event(title="Sourced", publication="draft")
    unsourced = make_event(title="Unsourced", publication="draft", sources=[])
    changelist = admin_url(Event, "changelist")
    response = editor_client.post(
        changelist,
        {"action": "publish", "_selected_action": [sourced.pk, unsourced.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Published 1 event(s)." in page
    assert "Not published, because they cite no source: “Unsourced”" in page
    sourced.refresh_from_db(), unsourced.refresh_from_db()
    assert (sourced.publication, unsourced.publication) == ("published", "draft")
    assert client.get(sourced.get_absolute_url()).status_code == 200

    response = editor_client.post(
        changelist, {"action": "unpublish", "_selected_action": [sourced.pk]}, follow=True
    )
    assert "Unpublished 1 event(s)." in response.content.decode()
    assert client.get(sourced.get_absolute_url()).status_code == 404


def test_an_editor_previews_a_draft_on_the_site_that_anonymous_readers_cannot_open(
    editor_client, client
):
    draft = make_event(publication="draft")
    change_page = editor_client.get(admin_url(Event, "change", draft.pk)).content.decode()
    assert "View on site" in change_page
    assert "Draft: not public" in editor_client.get(draft.get_absolute_url()).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
