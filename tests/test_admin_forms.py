"""The admin's forms: an editor records an event with its actors, places, sources and
statements, and edits or deletes a source; what the models refuse comes back as a form
error or a refusal that says why, and nothing is saved."""

import pytest

from tests.admin_forms import admin_url, form_data, new_event_data, statement_row
from tests.factories import (
    SAMPLE_TEXT,
    make_actor,
    make_event,
    make_place,
    make_source,
    make_statement,
)
from timeline.models import Event, Source, Statement

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ events and their statements


def test_an_editor_creates_an_event_with_actors_places_sources_and_statements(editor_client):
    source = make_source()
    minister, envoy = make_actor(name="The minister"), make_actor(name="The envoy")
    place = make_place(name="Brussels")
    data = new_event_data(
        sources=[source],
        places=[place],
        roles=[(minister, "participant"), (envoy, "mediator")],
        statements=[
            statement_row(envoy, source, "The envoy urged both sides to talk."),
            statement_row(minister, source, "We want peace,", mode="quote", speech_act="states"),
        ],
    )
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    event = Event.objects.get(slug="foreign-ministers-meet-in-brussels")
    assert event.publication == "draft"
    assert list(event.places.all()) == [place]
    assert {(r.actor.name, r.role) for r in event.roles.all()} == {
        ("The minister", "participant"),
        ("The envoy", "mediator"),
    }
    statements = {s.text: s for s in event.statements.all()}
    quote = statements["We want peace,"]
    assert quote.is_anchored()
    assert quote.start == SAMPLE_TEXT.index("We want peace,")
    assert statements["The envoy urged both sides to talk."].is_anchored()


def test_the_event_form_autocompletes_actors_places_and_sources_and_prefills_the_slug(
    editor_client,
):
    page = editor_client.get(admin_url(Event, "add")).content.decode()
    for field in ("id_places", "id_sources", "id_roles-0-actor", "id_statements-__prefix__-source"):
        assert f'id="{field}"' in page
    assert page.count('class="admin-autocomplete') >= 4
    assert (
        "prepopulated_fields" in page or "data-prepopulated-fields" in page or "prepopulate" in page
    )


def test_a_misquote_is_refused_with_the_typed_text_and_the_closest_passage(editor_client):
    source = make_source()
    speaker = make_actor()
    data = new_event_data(
        sources=[source],
        statements=[statement_row(speaker, source, "The envoy urged all sides to talk.")],
    )
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "does not occur verbatim" in page
    assert "You typed: «The envoy urged all sides to talk.»" in page
    assert "The closest passage in the source is: «The envoy urged both sides to talk.»" in page
    assert not Event.objects.exists()
    assert not Statement.objects.exists()


def test_a_quote_outside_quotation_marks_is_refused(editor_client):
    source = make_source()
    data = new_event_data(
        sources=[source],
        statements=[
            statement_row(make_actor(), source, "The minister met the envoy today.", "quote")
        ],
    )
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "A direct quote must stand inside quotation marks in the source." in page
    assert not Statement.objects.exists()


def test_a_quote_running_from_one_quotation_into_the_next_is_refused(editor_client):
    source = make_source(text='He said "we will" and then "go" today.')
    data = new_event_data(
        sources=[source],
        statements=[statement_row(make_actor(), source, 'we will" and then "go', "quote")],
    )
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "It may not run past the closing mark into the text around it." in page
    assert not Statement.objects.exists()


def test_a_statement_of_one_character_is_a_form_error(editor_client):
    source = make_source()
    data = new_event_data(sources=[source], statements=[statement_row(make_actor(), source, "e")])
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert "A statement is at least 2 characters long" in response.content.decode()
    assert not Statement.objects.exists()


def test_recording_a_passage_twice_is_a_form_error_not_a_crash(editor_client):
    statement = make_statement()
    data = new_event_data(
        sources=[statement.source],
        statements=[statement_row(make_actor(), statement.source, statement.text)],
    )
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert "This passage is already recorded" in response.content.decode()
    assert Statement.objects.count() == 1


def test_a_statement_makes_its_event_cite_its_source(editor_client):
    event = make_event()
    other = make_source(slug="another-source")
    statement = Statement(event=event, source=other, speaker=make_actor(), mode="reported",
                          text="The envoy urged both sides to talk.")  # fmt: skip
    statement.save()
    assert other in event.sources.all()


def test_dates_are_checked_in_the_event_form(editor_client):
    data = new_event_data(sources=[make_source()], date_start="2023-05-02", date_end="2023-05-01")
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "The end date cannot be before the start date." in page
    data = new_event_data(sources=[make_source()], date_start="2023-05-02", date_precision="month")
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "At month precision the start date is the 1st of its month." in page
    assert not Event.objects.exists()


# ------------------------------------------------------------------ sources


def test_a_source_edit_that_would_orphan_a_statement_is_refused_and_names_it(editor_client):
    statement = make_statement(text="The envoy urged both sides to talk.")
    url = admin_url(Source, "change", statement.source.pk)
    data = form_data(editor_client.get(url))
    data["text"] = SAMPLE_TEXT.replace("urged both sides", "asked both sides")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This edit would break 1 passage(s)" in page
    assert "«The envoy urged both sides to talk.»" in page
    assert Source.objects.get(pk=statement.source.pk).text == SAMPLE_TEXT


def test_a_source_edit_that_moves_a_passage_keeps_its_statements_anchored(editor_client):
    first = make_statement(text="The envoy urged both sides to talk.")
    second = make_statement(
        source=first.source, event=first.event, text="The minister met the envoy today."
    )
    url = admin_url(Source, "change", first.source.pk)
    data = form_data(editor_client.get(url))
    data["text"] = "A correction was added at the top.\n" + SAMPLE_TEXT
    assert editor_client.post(url, data).status_code == 302
    for statement in (first, second):
        statement.refresh_from_db()
        assert statement.is_anchored()
        assert statement.start == data["text"].index(statement.text)


def test_the_source_page_lists_the_statements_anchored_in_it(editor_client):
    statement = make_statement()
    page = editor_client.get(admin_url(Source, "change", statement.source.pk)).content.decode()
    assert "Statements anchored in this source" in page
    assert statement.text in page
    assert admin_url(Statement, "change", statement.pk) in page


def test_a_published_events_only_source_cannot_be_deleted_and_the_page_says_why(editor_client):
    source = make_source()
    make_event(title="Talks in Brussels", sources=[source])
    url = admin_url(Source, "delete", source.pk)
    page = editor_client.get(url).content.decode()
    assert "Deleting would leave published events without a source: “Talks in Brussels”" in page
    assert "Published event citing no other source" in page
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Talks in Brussels" in response.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()


def test_bulk_deleting_all_of_a_published_events_sources_is_refused(editor_client):
    first, second = make_source(), make_source()
    make_event(title="Talks in Brussels", sources=[first, second])
    response = editor_client.post(
        admin_url(Source, "changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "“Talks in Brussels”" in response.content.decode()
    assert Source.objects.count() == 2
    # One of them may go: the event keeps the other.
    response = editor_client.post(
        admin_url(Source, "changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Source.objects.all()) == [second]


def test_a_source_only_drafts_cite_can_be_deleted(editor_client):
    source = make_source()
    make_event(sources=[source], publication="draft")
    response = editor_client.post(admin_url(Source, "delete", source.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.exists()
