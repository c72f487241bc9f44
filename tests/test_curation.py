"""Editors curate the timeline in the admin: accounts, events with their statements,
sources, publication, history, the curation queue and sign-in throttling."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.admin_forms import PASSWORD, admin_url, form_data, new_event_data, statement_row
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


# ------------------------------------------------------------------ editors


def test_the_editors_group_may_curate_the_timeline_and_nothing_else():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    for model in ("event", "eventactor", "statement", "source", "actor", "place"):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
    assert not any(name.endswith(("_user", "_group", "_permission")) for name in codenames)


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


# ------------------------------------------------------------------ sources


def test_a_source_edit_that_would_orphan_a_statement_is_refused_and_names_it(editor_client):
    statement = make_statement(text="The envoy urged both sides to talk.")
    url = admin_url(Source, "change", statement.source.pk)
    data = form_data(editor_client.get(url))
    data["text"] = SAMPLE_TEXT.replace("urged both sides", "asked both sides")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This edit would break 1 statement(s)" in page
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


def test_dates_are_checked_in_the_event_form(editor_client):
    data = new_event_data(sources=[make_source()], date_start="2023-05-02", date_end="2023-05-01")
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "The end date cannot be before the start date." in page
    data = new_event_data(sources=[make_source()], date_start="2023-05-02", date_precision="month")
    page = editor_client.post(admin_url(Event, "add"), data).content.decode()
    assert "At month precision the start date is the 1st of its month." in page
    assert not Event.objects.exists()


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


# ------------------------------------------------------------------ publication


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


# ------------------------------------------------------------------ the event list


def test_the_event_list_shows_counts_and_filters_by_sourcing_year_and_names(editor_client):
    actor = make_actor(name="Jeyhun Bayramov", aliases="Ceyhun Bayramov")
    place = make_place(name="Lachin corridor")
    two = make_event(title="Two sources", sources=[make_source(), make_source()],
                     actors=[actor], date_start=datetime.date(2022, 9, 13))  # fmt: skip
    make_statement(event=two, source=two.sources.first())
    make_event(title="No source", sources=[], places=[place], publication="draft")
    changelist = admin_url(Event, "changelist")

    response = editor_client.get(changelist)
    rows = {row.title: row for row in response.context["cl"].result_list}
    assert (rows["Two sources"].source_count, rows["Two sources"].statement_count) == (2, 1)
    assert (rows["No source"].source_count, rows["No source"].statement_count) == (0, 0)

    def titles(**params):
        cl = editor_client.get(changelist, params).context["cl"]
        return sorted(event.title for event in cl.result_list)

    assert titles(sourcing="none") == ["No source"]
    assert titles(sourcing="several") == ["Two sources"]
    assert titles(sourcing="single") == []
    assert titles(year="2022") == ["Two sources"]
    assert titles(q="Ceyhun") == ["Two sources"]
    assert titles(q="Lachin") == ["No source"]
    assert titles(publication__exact="draft") == ["No source"]


@pytest.mark.parametrize("query", ["year=abc", "year=99999999999999999999", "sourcing=zzz"])
def test_a_filter_value_the_event_list_cannot_use_is_named_as_such(editor_client, query):
    make_event(title="Any event")
    response = editor_client.get(f"{admin_url(Event, 'changelist')}?{query}", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not one of its choices, so the whole list is shown" in page
    assert "Any event" in page


# ------------------------------------------------------------------ history


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


@pytest.mark.parametrize("version", ["999999", "not-a-number"])
def test_an_address_with_no_such_version_is_a_404(editor_client, version):
    event = make_event()
    revert_url = admin_url(Event, "simple_history", event.pk, 1).replace("/1/", f"/{version}/")
    assert editor_client.get(revert_url).status_code == 404


@pytest.mark.parametrize("record", ["999999", "not-a-number"])
def test_the_history_of_no_such_record_is_a_404(editor_client, record):
    assert editor_client.get(admin_url(Event, "history", record)).status_code == 404


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


# ------------------------------------------------------------------ who may do what


def test_staff_outside_the_editors_group_cannot_change_timeline_data(client, django_user_model):
    event = make_event(title="Untouched")
    staff = django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    url = admin_url(Event, "change", event.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Vandalised"}).status_code == 403
    assert client.get(admin_url(Event, "add")).status_code == 403
    assert client.get(reverse("admin:curation")).status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Untouched"


def test_anonymous_users_reach_nothing_but_the_login_page(client):
    event = make_event()
    login = reverse("admin:login")
    assert client.get(login).status_code == 200
    for url in (
        reverse("admin:index"),
        reverse("admin:curation"),
        admin_url(Event, "changelist"),
        admin_url(Event, "change", event.pk),
        admin_url(Event, "history", event.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login)


def test_an_editor_can_sign_in_through_the_login_page(client, editor):
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": reverse("admin:index")},
        follow=True,
    )
    assert response.context["user"] == editor
    assert "Curation queue" in response.content.decode()


# ------------------------------------------------------------------ the curation queue


def test_the_curation_queue_lists_each_kind_of_problem_with_a_link_to_fix_it(editor_client):
    today = datetime.date.today()
    unsourced = make_event(title="Unsourced event", sources=[], publication="draft")
    azerbaijani = [make_source(origin="azerbaijan"), make_source(origin="azerbaijan")]
    armenian = make_source(origin="armenia")
    one_sided = make_event(title="Clashes told by one side", kind="hostilities",
                           sources=azerbaijani, places=[make_place()])  # fmt: skip
    make_event(title="Clashes told by both sides", kind="hostilities", places=[make_place()],
               sources=[azerbaijani[0], armenian])  # fmt: skip
    drifted = make_statement(text="The envoy urged both sides to talk.")
    Statement.objects.filter(pk=drifted.pk).update(start=drifted.start + 1, end=drifted.end + 1)
    officeless = make_actor(name="A person without office", kind="person")
    make_actor(name="A state on its own", kind="state")
    placeless = make_event(title="Event without places")
    year = datetime.timedelta(days=365)
    overdue = make_event(title="A meeting planned for last year", status="planned",
                         places=[make_place()], date_start=today - year)  # fmt: skip
    make_event(title="A meeting planned for next year", status="planned", places=[make_place()],
               date_start=today + year)  # fmt: skip

    response = editor_client.get(reverse("admin:curation"))
    assert response.status_code == 200
    sections = {section.slug: section for section in response.context["sections"]}

    def listed(slug):
        return {item.label for item in sections[slug].items}

    assert str(unsourced) in listed("unsourced")
    assert str(one_sided) in listed("one-origin")
    assert not any("both sides" in label for label in listed("one-origin"))
    assert str(drifted) in listed("unanchored")
    assert "A person without office" in listed("actor-details")
    assert "A state on its own" not in listed("actor-details")
    assert str(placeless) in listed("placeless")
    assert str(overdue) in listed("overdue-plans")
    assert not any("next year" in label for label in listed("overdue-plans"))
    page = response.content.decode()
    for obj in (unsourced, one_sided, drifted, officeless, placeless, overdue):
        assert admin_url(type(obj), "change", obj.pk) in page


def test_the_curation_queue_asks_a_fixed_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    for n in range(30):
        make_event(title=f"Unsourced {n}", sources=[], publication="draft")
        make_actor(kind="person")
    with django_assert_max_num_queries(20):
        assert editor_client.get(reverse("admin:curation")).status_code == 200


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
