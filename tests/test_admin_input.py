"""Bad input in the admin gets a form error, a named warning, a 400 or a 404, never a
server error, and never costs an editor what they typed."""

import pytest
from django.urls import reverse

from tests.admin_forms import PASSWORD, admin_url, form_data, new_event_data, statement_row
from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.models import Actor, Event, Place, Source, Statement

pytestmark = pytest.mark.django_db
NOT_IDS = ["abc", "99999999999999999999", "1.5"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_value_that_is_no_id_in_an_autocomplete_field_is_a_form_error(editor_client, value):
    event = make_event(title="Talks in Brussels", places=[make_place()])
    url = admin_url(Event, "change", event.pk)
    data = form_data(editor_client.get(url))
    data.update(places=[value], title="A title the editor typed")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert f"“{value}” is not a valid value." in response.content.decode()
    assert response.context["adminform"].form["title"].value() == "A title the editor typed"
    event.refresh_from_db()
    assert event.title == "Talks in Brussels"


@pytest.mark.parametrize(
    ("model", "query"),
    [(Event, "places=abc"), (Statement, "source=abc"), (Actor, "affiliation=1,2")],
)
def test_a_prefilled_add_form_with_no_id_still_opens(editor_client, model, query):
    assert editor_client.get(f"{admin_url(model, 'add')}?{query}").status_code == 200


@pytest.mark.parametrize("selected", [["abc"], ["1", "abc"], [""], ["99999999999999999999"]])
def test_a_bulk_action_on_items_that_are_no_records_does_nothing_and_says_so(
    editor_client, selected
):
    event = make_event(publication=Event.Publication.DRAFT)
    changelist = admin_url(Event, "changelist")
    response = editor_client.post(
        changelist, {"action": "publish", "_selected_action": selected}, follow=True
    )
    assert response.status_code == 200
    assert "were not records of this list, so nothing was done" in response.content.decode()
    event.refresh_from_db()
    assert event.publication == Event.Publication.DRAFT


def test_two_rows_of_one_form_recording_the_same_passage_are_a_form_error(editor_client):
    source, speaker = make_source(), make_actor()
    row = statement_row(speaker, source, "The envoy urged both sides to talk.")
    data = new_event_data(sources=[source], statements=[row, {**row, "text": f" {row['text']} "}])
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert "Statement 1 of this form already records this passage" in response.content.decode()
    assert not Event.objects.exists()
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Event, "date_start__year=9999"),
        (Event, "date_start__year=9999&date_start__month=12"),
        (Event, "date_start__year=9999&date_start__month=12&date_start__day=31"),
        (Source, "published__year=9999&published__month=12"),
    ],
)
def test_a_date_link_past_the_last_year_is_a_bad_filter(editor_client, model, query):
    response = editor_client.get(f"{admin_url(model, 'changelist')}?{query}", follow=True)
    assert response.status_code == 200
    assert "not one of its choices, so the whole list is shown" in response.content.decode()


@pytest.mark.parametrize("query", ["year=abc", "year=99999999999999999999", "sourcing=zzz"])
def test_a_filter_value_the_event_list_cannot_use_is_named_as_such(editor_client, query):
    make_event(title="Any event")
    response = editor_client.get(f"{admin_url(Event, 'changelist')}?{query}", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not one of its choices, so the whole list is shown" in page
    assert "Any event" in page


@pytest.mark.parametrize("model", [Event, Actor, Place, Source, Statement])
def test_a_search_too_long_to_run_is_refused_with_a_warning(editor_client, model):
    response = editor_client.get(admin_url(model, "changelist"), {"q": "x" * 60_000})
    assert response.status_code == 200
    assert "Searches are limited to 200 characters" in response.content.decode()


def test_an_autocomplete_search_too_long_to_run_finds_nothing(editor_client):
    make_place(name="Shusha")
    query = {"app_label": "timeline", "model_name": "event", "field_name": "places"}
    found = editor_client.get(reverse("admin:autocomplete"), {**query, "term": "Shusha"})
    assert [r["text"] for r in found.json()["results"]] == ["Shusha"]
    too_long = editor_client.get(reverse("admin:autocomplete"), {**query, "term": "S" * 100_000})
    assert too_long.status_code == 200
    assert too_long.json()["results"] == []


@pytest.mark.parametrize("model", [Event, Actor, Source])
def test_a_regular_expression_typed_into_a_list_address_is_a_400(editor_client, model):
    response = editor_client.get(f"{admin_url(model, 'changelist')}?slug__regex=(")
    assert response.status_code == 400


@pytest.mark.parametrize("version", ["999999", "not-a-number"])
def test_an_address_with_no_such_version_is_a_404(editor_client, version):
    event = make_event()
    revert_url = admin_url(Event, "simple_history", event.pk, 1).replace("/1/", f"/{version}/")
    assert editor_client.get(revert_url).status_code == 404


@pytest.mark.parametrize("record", ["999999", "not-a-number"])
def test_the_history_of_no_such_record_is_a_404(editor_client, record):
    assert editor_client.get(admin_url(Event, "history", record)).status_code == 404


def test_autocomplete_refuses_the_reverse_side_of_a_relation(editor_client):
    query = {"app_label": "timeline", "model_name": "event", "field_name": "statements"}
    assert editor_client.get(reverse("admin:autocomplete"), query).status_code == 403


def test_a_source_text_is_saved_exactly_as_typed_edge_spaces_included(editor_client):
    source = make_source()
    statement = make_statement(source=source)
    url = admin_url(Source, "change", source.pk)
    data = form_data(editor_client.get(url))
    data["text"] = f"\n\n  {source.text}  \n"
    assert editor_client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert source.text == data["text"]
    statement.refresh_from_db()
    assert statement.is_anchored()


def test_signing_in_with_an_unsafe_next_address_leads_to_the_admin(client, editor):
    response = client.post(
        reverse("admin:login") + "?next=//elsewhere.example",
        {"username": editor.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
