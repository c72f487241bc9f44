"""Publishing and unpublishing: a published event cites at least one source, whoever
publishes it and however (the event's methods, the admin's form and bulk actions), and
the history records who did it."""

import pytest
from django.core.exceptions import ValidationError

from tests.admin_forms import admin_url
from tests.factories import make_event
from timeline.models import UNSOURCED, Event

pytestmark = pytest.mark.django_db


def test_publishing_records_who_published_the_event(editor):
    event = make_event(publication="draft")
    event.publish(by=editor)
    event.refresh_from_db()
    assert event.publication == "published"
    latest = event.history.latest()
    assert (latest.publication, latest.history_user) == ("published", editor)
    assert latest.history_change_reason == "Published"


def test_unpublishing_records_who_took_the_event_back_to_draft(editor):
    event = make_event()
    event.unpublish(by=editor)
    event.refresh_from_db()
    assert event.publication == "draft"
    latest = event.history.latest()
    assert (latest.publication, latest.history_user) == ("draft", editor)
    assert latest.history_change_reason == "Unpublished"


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
