"""The record as the documents tell it: relays, links between events, attributed
numbers, dates known only as a bound, statuses, and statements' own pages and ids."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import make_actor, make_event, make_source, make_statement
from timeline import relays
from timeline.models import Actor, Event, EventLink, Quantity, Relay

pytestmark = pytest.mark.django_db
D = datetime.date

TEXT = (
    "YEREVAN, SEPTEMBER 27, ARMENPRESS. According to Miller, the Azerbaijani President "
    "told Blinken that there would be no further military action. The operation lasted "
    "less than 24 hours, after which tens of thousands of people were displaced."
)


@pytest.fixture
def call():
    source = make_source(slug="armenpress", outlet="ARMENPRESS", text=TEXT)
    aliyev = make_actor(slug="ilham-aliyev", name="Ilham Aliyev")
    miller = make_actor(slug="matthew-miller", name="Matthew Miller")
    armenpress = make_actor(slug="armenpress", name="ARMENPRESS", kind=Actor.Kind.MEDIA)
    statement = make_statement(
        source=source,
        speaker=aliyev,
        text="there would be no further military action",
        event=make_event(slug="the-call", title="The call", sources=[source]),
    )
    Relay.objects.create(statement=statement, actor=miller, position=1)
    Relay.objects.create(statement=statement, actor=armenpress, position=2)
    return statement


# ---------------------------------------------------------------- relays


def test_a_relay_chain_reads_from_the_speaker_to_the_outlet(call):
    [statement] = relays.attach([call])
    assert relays.in_words(statement.speaker, statement.relayed) == (
        "Ilham Aliyev, as relayed by Matthew Miller, reported by ARMENPRESS"
    )


def test_an_outlet_cited_by_the_publishing_outlet_stands_before_it():
    price = make_actor(name="Ned Price")
    voa = make_actor(name="VOA", kind=Actor.Kind.MEDIA)
    outlet = make_actor(name="Outlet", kind=Actor.Kind.MEDIA)
    spokesman = make_actor(name="Spokesman")
    assert relays.in_words(price, [spokesman, voa, outlet]) == (
        "Ned Price, as relayed by Spokesman, reported by VOA, as cited by Outlet"
    )


def test_the_speaker_does_not_relay_their_own_words(call):
    relay = Relay(statement=call, actor=call.speaker, position=3)
    with pytest.raises(ValidationError, match="The speaker does not relay their own words"):
        relay.full_clean()


def test_a_place_in_the_chain_holds_one_relay(call):
    with pytest.raises(IntegrityError), transaction.atomic():
        Relay.objects.create(statement=call, actor=make_actor(), position=1)


def test_the_statements_page_says_who_relayed_it_and_shows_it_in_its_source(client, call):
    response = client.get(reverse("timeline:statement", kwargs={"uid": call.uid}))
    assert response.status_code == 200
    html = response.content.decode()
    assert ">Ilham Aliyev</a>, as relayed by <a" in html
    assert ">Matthew Miller</a>, reported by <a" in html
    assert "told Blinken that <mark>there would be no further military action</mark>." in html
    assert 'href="/events/the-call/">The call</a>' in html
    assert f'<link rel="canonical" href="http://testserver/statements/{call.uid}/">' in html


def test_a_statement_keeps_its_id_when_its_source_text_moves_it(client, call):
    uid, source = call.uid, call.source
    source.text = "An added first line.\n" + source.text
    source.save()
    call.refresh_from_db()
    assert call.uid == uid
    assert call.start == TEXT.index("there would be") + len("An added first line.\n")
    page = client.get(f"/statements/{uid}/").content.decode()
    assert "<mark>there would be no further military action</mark>" in page


def test_a_draft_events_statement_has_no_public_page(client, call):
    call.event.publication = Event.Publication.DRAFT
    call.event.save()
    assert client.get(f"/statements/{call.uid}/").status_code == 404
    assert client.get("/statements/no-such-id/").status_code == 404


def test_a_statements_page_names_an_unknown_parameter(client, call):
    response = client.get(f"/statements/{call.uid}/", {"page": "2"})
    assert response.status_code == 400
    assert "Unknown parameter: page." in response.content.decode()


# ---------------------------------------------------------------- links between events


def link(**fields) -> EventLink:
    source = fields.pop("source", None) or make_source()
    fields.setdefault("relation", EventLink.Relation.ENDS)
    fields.setdefault("text", source.text[:20])
    return EventLink(source=source, **fields)


def test_an_event_is_not_linked_to_itself():
    event = make_event()
    with pytest.raises(ValidationError, match="not linked to itself"):
        link(from_event=event, to_event=event, source=event.sources.first()).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        link(from_event=event, to_event=event).save()


def test_parts_cannot_go_round_in_a_circle():
    war, battle, skirmish = make_event(), make_event(), make_event()
    part_of = EventLink.Relation.PART_OF
    link(from_event=battle, to_event=war, relation=part_of).save()
    link(from_event=skirmish, to_event=battle, relation=part_of).save()
    with pytest.raises(ValidationError, match="round in a circle"):
        link(from_event=war, to_event=skirmish, relation=part_of).full_clean()
    # Any other relation may point back: a ceasefire ends the war it is part of.
    link(from_event=war, to_event=skirmish, relation=EventLink.Relation.FOLLOWS_FROM).full_clean()


def test_the_statement_that_makes_a_link_stands_in_its_source(call):
    other = make_event()
    with pytest.raises(ValidationError, match="stands in its source"):
        link(from_event=call.event, to_event=other, statement=call).full_clean()
    made = link(from_event=call.event, to_event=other, statement=call, source=call.source,
                text="no further military action")  # fmt: skip
    made.full_clean()
    made.text = "The operation lasted"  # another passage than the statement's
    with pytest.raises(ValidationError, match="The link's passage is the statement's"):
        made.full_clean()


def test_a_link_stands_on_a_passage_of_its_source(call):
    with pytest.raises(ValidationError, match="does not occur verbatim"):
        link(from_event=call.event, to_event=make_event(), source=call.source,
             text="a ceasefire ended the war").full_clean()  # fmt: skip


def test_a_relay_is_one_the_source_names(call):
    stranger = make_actor(name="Somebody Else", aliases="S. Else")
    with pytest.raises(ValidationError, match="does not name Somebody Else"):
        Relay(statement=call, actor=stranger, position=3).full_clean()
    named = make_actor(name="Secretary", aliases="Miller")  # named by an alias
    Relay(statement=call, actor=named, position=3).full_clean()


def test_both_events_json_shows_the_link_the_other_end_inverted(client, call):
    ceasefire = make_event(slug="ceasefire", title="Ceasefire")
    operation = make_event(slug="operation", title="Operation")
    EventLink.objects.create(
        from_event=ceasefire,
        to_event=operation,
        relation="ends",
        source=call.source,
        text="The operation lasted less than 24 hours",
    )
    ends = client.get("/events/ceasefire.json").json()["related"]
    assert ends == [{"relation": "ends", "direction": "to", "event": "operation",
                     "sources": ["armenpress"], "statement": None}]  # fmt: skip
    ended = client.get("/events/operation.json").json()["related"]
    assert ended == [{"relation": "ends", "direction": "from", "event": "ceasefire",
                      "sources": ["armenpress"], "statement": None}]  # fmt: skip


def test_a_link_to_a_draft_is_not_shown(client, call):
    draft = make_event(slug="draft", publication=Event.Publication.DRAFT)
    EventLink.objects.create(from_event=call.event, to_event=draft, relation="ends",
                             source=call.source, text="The operation")  # fmt: skip
    assert client.get("/events/the-call.json").json()["related"] == []


# ---------------------------------------------------------------- attributed numbers


def quantity(call, text, **fields) -> Quantity:
    fields.setdefault("counts", "duration of the operation")
    fields.setdefault("unit", "hours")
    return Quantity(event=call.event, source=call.source, text=text, **fields)


def test_a_bound_is_a_number_the_words_state(call):
    quantity(call, "less than 24 hours", high=24).full_clean()
    with pytest.raises(ValidationError, match="25 is not a number these words state"):
        quantity(call, "less than 24 hours", high=25).full_clean()


def test_an_amount_in_words_keeps_both_bounds_empty(call):
    vague = quantity(call, "tens of thousands of people", counts="people displaced",
                     unit="people")  # fmt: skip
    vague.full_clean()
    vague.low = 10_000
    with pytest.raises(ValidationError, match="leave it empty for an amount in words"):
        vague.full_clean()


def test_a_numbers_passage_stands_verbatim_in_its_source(call):
    with pytest.raises(ValidationError, match="does not occur verbatim"):
        quantity(call, "less than 42 hours").full_clean()


def test_a_speakers_number_stands_inside_their_statement(call):
    with pytest.raises(ValidationError, match="inside its statement"):
        quantity(call, "less than 24 hours", statement=call).full_clean()


def test_the_events_json_gives_its_numbers_with_their_passage(client, call):
    quantity(call, "less than 24 hours", high=24).save()
    [number] = client.get("/events/the-call.json").json()["quantities"]
    start = TEXT.index("less than 24 hours")
    assert number == {
        "text": "less than 24 hours", "counts": "duration of the operation", "unit": "hours",
        "low": None, "high": 24, "source": "armenpress", "statement": None,
        "start": start, "end": start + len("less than 24 hours"),
    }  # fmt: skip


def test_an_ordinal_states_a_number():
    second = Quantity(event=make_event(), source=make_source(text="for a second straight day"),
                      text="for a second straight day", counts="days of attacks", unit="days",
                      low=2, high=2)  # fmt: skip
    second.full_clean()


def test_a_numbers_bounds_in_words():
    assert Quantity(low=None, high=24, unit="hours").bounds_display == "at most 24 hours"
    assert Quantity(low=6, high=6, unit="weeks").bounds_display == "6 weeks"
    assert Quantity(low=None, high=None, unit="people").bounds_display == "no number given"


# ---------------------------------------------------------------- dates and statuses


def test_a_date_known_only_as_a_bound_reads_by_that_day():
    event = make_event(date_start=D(2023, 5, 1), date_precision="by")
    assert event.date_display == "by 1 May 2023"
    event.date_end = D(2023, 5, 2)
    with pytest.raises(ValidationError, match="has no end date"):
        event.full_clean()


def test_a_bound_is_matched_by_a_period_that_contains_it_not_every_one_before():
    event = make_event(date_start=D(2023, 5, 1), date_precision="by")
    assert event in Event.objects.in_period(D(2023, 5, 1), D(2023, 5, 31))
    assert event not in Event.objects.in_period(D(2023, 1, 1), D(2023, 3, 31))


@pytest.mark.parametrize(
    ("status", "schema"),
    [("happened", True), ("planned", True), ("ongoing", True), ("offered", False)],
)
def test_statuses_map_to_schema_orgs_event_status_where_one_fits(client, status, schema):
    event = make_event(status=status)
    html = client.get(event.get_absolute_url()).content.decode()
    assert ('"eventStatus": "https://schema.org/EventScheduled"' in html) is schema
    assert "EventCompleted" not in html


# ---------------------------------------------------------------- the event's JSON


def test_the_events_json_gives_each_statements_id_relays_and_passage(client, call):
    data = client.get("/events/the-call.json").json()
    [statement] = data["statements"]
    assert statement["id"] == call.uid
    assert statement["url"].endswith(f"/statements/{call.uid}/")
    assert statement["passage_url"].endswith(
        f"/sources/armenpress/#passage-{call.start}-{call.end}"
    )
    assert (statement["start"], statement["end"]) == (call.start, call.end)
    assert statement["speaker"] == {"slug": "ilham-aliyev", "name": "Ilham Aliyev"}
    assert statement["relayed_by"] == [
        {"slug": "matthew-miller", "name": "Matthew Miller"},
        {"slug": "armenpress", "name": "ARMENPRESS"},
    ]
    assert data["status"] == "happened"


def test_the_events_json_of_a_draft_is_not_found(client):
    make_event(slug="draft", publication=Event.Publication.DRAFT)
    assert client.get("/events/draft.json").status_code == 404


# ---------------------------------------------------------------- names in every script


@pytest.mark.parametrize("query", ["Нагорный", "нагорный", "НАГОРНЫЙ", "Լեռնային", "լեռնային"])
def test_search_matches_an_alias_whatever_its_letter_case_in_any_script(client, query):
    from tests.factories import make_place

    place = make_place(name="Nagorno-Karabakh", other_aliases="Нагорный Карабах\nԼեռնային Ղարաբաղ")
    make_event(slug="at-the-place", places=[place])
    make_event(slug="elsewhere")
    response = client.get(reverse("timeline:chronology"), {"q": query})
    assert [entry["event"].slug for entry in response.context["entries"]] == ["at-the-place"]


def test_the_index_pages_find_a_name_whatever_its_letter_case(client):
    actor = make_actor(name="Ilham Aliyev", other_aliases="Ильхам Алиев")
    make_event(actors=[actor])
    html = client.get(reverse("timeline:actors"), {"q": "ильхам"}).content.decode()
    assert "Ilham Aliyev" in html


def test_an_actors_page_says_which_names_are_not_the_documents(client):
    actor = make_actor(
        name="Ilham Aliyev", aliases="President Aliyev", other_aliases="Ильхам Алиев"
    )
    make_event(actors=[actor])
    html = client.get(actor.get_absolute_url()).content.decode()
    assert '<dt>Also written</dt><dd><span lang="">President Aliyev</span>' in html
    assert '<dt>Other names, not in the documents</dt><dd><span lang="">Ильхам Алиев</span>' in html


# ---------------------------------------------------------------- statement dates


def test_a_statement_takes_its_occasions_date_unless_dated_otherwise(call):
    assert call.said_display == "1 May 2023"
    call.dating = call.Dating.UNDATED
    assert call.said_display == "not dated in the document"
    assert call.said is None


def test_a_statement_is_not_said_before_its_occasion(call):
    call.dating = call.Dating.OWN
    call.said_start, call.said_precision = D(2023, 4, 30), "day"
    with pytest.raises(ValidationError, match="cannot be said before its occasion"):
        call.full_clean()
    call.said_start = D(2023, 5, 2)  # an outlet's account, told the day after
    call.full_clean()


def test_a_date_of_its_own_needs_a_date_and_the_others_none(call):
    call.dating = call.Dating.OWN
    with pytest.raises(ValidationError, match="Give the date the document gives"):
        call.full_clean()
    call.dating, call.said_start, call.said_precision = call.Dating.UNDATED, D(2023, 5, 1), "day"
    with pytest.raises(ValidationError, match="only for “a date of its own”"):
        call.full_clean()


def test_an_ongoing_event_says_as_of_which_day():
    event = make_event(date_start=D(2022, 9, 13), date_end=D(2022, 9, 14), status="ongoing")
    with pytest.raises(ValidationError, match="ongoing as of a day"):
        event.full_clean()
    event.status_as_of = D(2022, 9, 14)
    event.full_clean()
    assert event.status_display == "Ongoing as of 14 September 2022"
    event.status = "happened"
    with pytest.raises(ValidationError, match="Only an ongoing or offered event"):
        event.full_clean()


# ---------------------------------------------------------------- the event's page


def test_an_events_page_shows_relays_links_numbers_and_what_was_said_elsewhere(client, call):
    operation = make_event(slug="operation", title="The operation")
    ceasefire = make_event(slug="ceasefire", title="The ceasefire")
    EventLink.objects.create(from_event=ceasefire, to_event=operation, relation="ends",
                             source=call.source, text="The operation")  # fmt: skip
    Quantity.objects.create(event=operation, source=call.source, text="less than 24 hours",
                            counts="duration", unit="hours", high=24)  # fmt: skip
    call.concerns.add(operation)
    html = client.get("/events/operation/").content.decode()
    assert 'This event ended by <time datetime="2023-05-01">1 May 2023</time> · ' in html
    assert '<a href="/events/ceasefire/">The ceasefire</a>' in html
    assert "“less than 24 hours”: duration, at most 24 hours" in html
    assert "Said about it on other occasions" in html
    assert 'At <time datetime="2023-05-01">1 May 2023</time> · <a href="/events/the-call/">' in html
    assert ">Ilham Aliyev</a>, as relayed by <a" in html
    call_page = client.get("/events/the-call/").content.decode()
    assert '>Matthew Miller</a>, reported by <a href="/actors/armenpress/">ARMENPRESS</a>' in (
        call_page
    )
    assert "This event ends" in client.get("/events/ceasefire/").content.decode()


def test_the_json_says_each_statements_occasion_concerns_and_date(client, call):
    operation = make_event(slug="operation", title="The operation", date_start=D(2023, 4, 1))
    call.concerns.add(operation)
    [statement] = client.get("/events/the-call.json").json()["statements"]
    assert statement["event"] == "the-call"
    assert statement["concerns"] == ["operation"]
    assert statement["said"] == {"start": "2023-05-01", "end": None, "precision": "day"}
    assert client.get("/events/operation.json").json()["mentioned_in"] == [call.uid]
    call.dating = call.Dating.UNDATED
    call.save()
    assert client.get("/events/the-call.json").json()["statements"][0]["said"] is None


# ---------------------------------------------------------------- renames and corrections


def test_a_renamed_events_old_addresses_answer_301_forever(client):
    event = make_event(slug="first-name")
    event.slug = "second-name"
    event.save()
    event.slug = "third-name"
    event.save()
    for old in ("first-name", "second-name"):
        response = client.get(f"/events/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/events/third-name/"
    assert client.get("/events/first-name.json")["Location"] == "/events/third-name.json"
    assert client.get("/events/no-such-name/").status_code == 404


def test_a_renamed_actors_old_address_answers_301_keeping_its_query(client):
    actor = make_actor(slug="old-actor")
    make_event(actors=[actor])
    actor.slug = "new-actor"
    actor.save()
    response = client.get("/actors/old-actor/", {"events": "x"})
    assert response.status_code == 301
    assert response["Location"] == "/actors/new-actor/?events=x"


def test_a_record_that_takes_an_old_slug_is_shown_at_it(client):
    renamed = make_event(slug="shared-name")
    renamed.slug = "renamed"
    renamed.save()
    make_event(slug="shared-name", title="The new one")
    assert client.get("/events/shared-name/").status_code == 200


def test_a_renamed_draft_does_not_reveal_its_new_address(client):
    draft = make_event(slug="draft-old", publication=Event.Publication.DRAFT)
    draft.slug = "draft-new"
    draft.save()
    assert client.get("/events/draft-old/").status_code == 404


def test_a_correction_is_listed_on_the_events_page(client):
    from timeline.models import Correction

    event = make_event(slug="corrected")
    Correction.objects.create(event=event, made_on=D(2026, 12, 2), note="the dates of the clashes")
    html = client.get("/events/corrected/").content.decode()
    assert "<li>Corrected on 2 December 2026: the dates of the clashes</li>" in html


# ---------------------------------------------------------------- the admin


def test_an_editor_records_a_correction_and_the_feed_dates_the_event_by_it(editor_client, client):
    from tests.admin_forms import admin_url, form_data, formset

    event = make_event(slug="corrected")
    before = event.updated
    data = form_data(editor_client.get(admin_url(Event, "change", event.pk)))
    data.update(formset("corrections", [{"made_on": "2026-12-02", "note": "the dates"}]))
    response = editor_client.post(admin_url(Event, "change", event.pk), data)
    assert response.status_code == 302, response.context["errors"]
    event.refresh_from_db()
    assert event.updated > before
    assert "Corrected on 2 December 2026: the dates" in client.get("/events/corrected/").text
    feed = client.get("/events.atom").text
    assert f"<updated>{event.updated.isoformat()}</updated>" in feed


def test_a_number_the_words_do_not_state_is_a_form_error_and_nothing_is_saved(editor_client, call):
    from tests.admin_forms import admin_url, form_data, formset

    event = call.event
    data = form_data(editor_client.get(admin_url(Event, "change", event.pk)))
    row = {"source": call.source.pk, "text": "less than 24 hours", "counts": "duration",
           "unit": "hours", "high": "25"}  # fmt: skip
    data.update(formset("quantities", [row]))
    page = editor_client.post(admin_url(Event, "change", event.pk), data)
    assert page.status_code == 200
    assert "25 is not a number these words state (they state 24)" in page.text
    assert not Quantity.objects.exists()


def test_a_source_edit_moves_its_numbers_and_refuses_to_break_one(call):
    number = quantity(call, "less than 24 hours", high=24)
    number.save()
    source = call.source
    source.text = "A new first line.\n" + source.text
    source.save()
    number.refresh_from_db()
    assert source.text[number.start : number.end] == "less than 24 hours"
    source.text = source.text.replace("less than 24 hours", "about a day")
    with pytest.raises(ValidationError, match="a number of “duration of the operation”"):
        source.save()


def test_the_curation_queue_lists_statements_concerning_unlinked_events(call):
    from timeline.curation import queue

    operation = make_event(title="The operation")
    call.concerns.add(operation)
    listed = {s.slug: [item.label for item in s.items] for s in queue(D(2026, 11, 24))}
    assert listed["unlinked-concerns"] == [str(call.event)]
    EventLink.objects.create(from_event=call.event, to_event=operation, relation="responds-to",
                             source=call.source, text="The operation")  # fmt: skip
    listed = {s.slug: [item.label for item in s.items] for s in queue(D(2026, 11, 24))}
    assert listed["unlinked-concerns"] == []


def test_the_curation_queue_lists_numbers_that_no_longer_match_their_source(call):
    from timeline.curation import queue

    number = quantity(call, "less than 24 hours", high=24)
    number.save()
    Quantity.objects.filter(pk=number.pk).update(start=0, end=18)  # as a raw edit would
    listed = {s.slug: s.count for s in queue(D(2026, 11, 24))}
    assert listed["unanchored-numbers"] == 1


def test_the_chronology_and_titles_mark_an_ongoing_or_offered_event(client):
    make_event(slug="clashes", title="Clashes", date_start=D(2022, 9, 13),
               date_end=D(2022, 9, 14), status="ongoing", status_as_of=D(2022, 9, 14))  # fmt: skip
    make_event(slug="offer", title="Visit", status="offered")
    html = client.get(reverse("timeline:chronology")).text
    assert '<strong class="status">Ongoing as of 14 September 2022</strong>' in html
    assert '<strong class="status">Offered or proposed</strong>' in html
    page = client.get("/events/clashes/").text
    assert "<title>Clashes, 13–14 September 2022 (ongoing as of 14 September 2022)" in page


def test_an_outlet_that_only_relays_has_a_public_page(client, call):
    armenpress = Actor.objects.get(slug="armenpress")
    assert not armenpress.roles.exists()
    assert client.get(armenpress.get_absolute_url()).status_code == 200
    call.event.publication = Event.Publication.DRAFT
    call.event.save()
    assert client.get(armenpress.get_absolute_url()).status_code == 404


def test_actor_and_source_pages_say_who_relayed_each_statement(client, call):
    actor_page = client.get(call.speaker.get_absolute_url()).text
    assert "(as relayed: <a" in actor_page
    assert ">Matthew Miller</a>, reported by <a" in actor_page
    source_page = client.get(call.source.get_absolute_url()).text
    assert ">Ilham Aliyev</a>, as relayed by <a" in source_page


def test_an_unnamed_actor_is_marked_so(client):
    reporter = make_actor(name="A reporter", unnamed=True)
    make_event(actors=[reporter])
    assert "Person, not named in the documents" in client.get(reporter.get_absolute_url()).text


def test_an_events_page_says_when_each_statement_was_said(client, call):
    assert '<span class="said">Said 1 May 2023</span>' in client.get("/events/the-call/").text
    call.dating = call.Dating.UNDATED
    call.save()
    page = client.get("/events/the-call/").text
    assert '<span class="said">Said on a day the document does not give</span>' in page
    assert f'<a href="/statements/{call.uid}/">This statement</a>' in page
