import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tests.factories import SAMPLE_TEXT, make_actor, make_event, make_source, make_statement
from timeline.models import (
    MIN_STATEMENT_LENGTH,
    Actor,
    Event,
    EventActor,
    Place,
    Source,
    Statement,
)
from timeline.passages import closest_passage

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_event_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(date_start=D(2023, 9, 26), date_end=D(2023, 9, 25))


def test_an_event_ending_before_it_starts_is_a_form_error():
    event = Event(
        slug="e",
        title="t",
        summary="s",
        kind=Event.Kind.MEETING,
        date_start=D(2023, 9, 26),
        date_end=D(2023, 9, 25),
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date_end" in error.value.message_dict


def test_an_event_may_end_on_the_day_it_starts():
    event = make_event(date_start=D(2023, 9, 26), date_end=D(2023, 9, 26))
    event.full_clean()


@pytest.mark.parametrize(
    ("precision", "start", "end"),
    [
        ("month", D(2020, 9, 15), None),
        ("month", D(2020, 9, 1), D(2020, 11, 15)),
        ("year", D(1991, 6, 1), None),
        ("year", D(1991, 1, 1), D(1994, 6, 30)),
    ],
)
def test_dates_must_agree_with_their_precision(precision, start, end):
    event = Event(
        slug="e",
        title="t",
        summary="s",
        kind=Event.Kind.MEETING,
        date_start=start,
        date_end=end,
        date_precision=precision,
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date_precision" in error.value.message_dict


@pytest.mark.parametrize(
    ("precision", "start", "end", "shown"),
    [
        ("day", D(2022, 9, 13), None, "13 September 2022"),
        ("day", D(2022, 9, 13), D(2022, 9, 14), "13–14 September 2022"),
        ("day", D(2022, 9, 28), D(2022, 10, 3), "28 September – 3 October 2022"),
        ("day", D(2020, 12, 30), D(2021, 1, 2), "30 December 2020 – 2 January 2021"),
        ("month", D(2020, 9, 1), None, "September 2020"),
        ("month", D(2020, 9, 1), D(2020, 11, 30), "September–November 2020"),
        ("month", D(2020, 11, 1), D(2021, 2, 28), "November 2020 – February 2021"),
        ("year", D(1991, 1, 1), None, "1991"),
        ("year", D(1991, 1, 1), D(1994, 12, 31), "1991–1994"),
        ("approximate", D(1987, 1, 1), D(1989, 12, 31), "late 1980s"),
        ("approximate", D(1984, 1, 1), D(1986, 12, 31), "mid-1980s"),
        ("approximate", D(1980, 1, 1), D(1989, 12, 31), "1980s"),
        ("approximate", D(1981, 1, 1), D(1989, 12, 31), "c. 1981–1989"),
        ("approximate", D(1987, 1, 1), D(1993, 12, 31), "c. 1987–1993"),
        ("approximate", D(2023, 5, 1), None, "c. May 2023"),
        ("approximate", D(2023, 9, 1), D(2023, 9, 30), "c. September 2023"),
        ("approximate", D(2023, 9, 18), D(2023, 9, 24), "c. 18–24 September 2023"),
        ("approximate", D(2023, 9, 28), D(2023, 10, 3), "c. 28 September – 3 October 2023"),
        ("approximate", D(2023, 3, 1), D(2023, 5, 31), "c. March–May 2023"),
        ("approximate", D(2023, 1, 1), D(2023, 12, 31), "c. 2023"),
    ],
)
def test_a_date_is_shown_at_its_precision(precision, start, end, shown):
    """Ranges read as "September–November 2020" everywhere: an en dash closed up between
    single words, spaced where an end has words of its own; an approximate date has "c."
    before it, or its worded form when both ends lie in one part of a decade."""
    event = make_event(date_start=start, date_end=end, date_precision=precision)
    assert event.date_display == shown


def test_slugs_are_unique():
    make_actor(slug="antony-blinken")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_actor(slug="antony-blinken")


def test_a_statement_gets_the_offsets_of_its_text_in_the_source():
    statement = make_statement(text="The envoy urged both sides to talk.")
    start = SAMPLE_TEXT.index("The envoy urged")
    assert (statement.start, statement.end) == (start, start + len(statement.text))
    assert statement.is_anchored()


def test_a_statement_not_verbatim_in_its_source_cannot_be_saved():
    with pytest.raises(ValidationError) as error:
        make_statement(text="The envoy urged all sides to talk.")
    message = " ".join(error.value.messages)
    assert "does not occur verbatim" in message
    assert "The envoy urged both sides to talk." in message  # the closest passage
    assert not Statement.objects.exists()


def test_a_long_misquote_is_shown_the_long_passage_it_was_taken_from():
    words = [f"word{i % 97}x{i % 13}" for i in range(20_000)]
    text = " ".join(words)  # a long source: about 200,000 characters
    passage = text[90_000:95_000]
    misquote = passage.replace("word1x", "wrod1x")
    assert misquote != passage
    assert closest_passage(text, misquote) == passage


def test_a_text_like_nothing_in_the_source_gets_no_closest_passage():
    assert closest_passage(SAMPLE_TEXT, "zzzz qqqq " * 500) == ""


def test_editing_a_statement_recomputes_its_offsets():
    statement = make_statement(text="The envoy urged both sides to talk.")
    statement.text = "The minister met the envoy today."
    statement.save()
    assert statement.source.text[statement.start : statement.end] == statement.text


def test_a_direct_quote_must_stand_inside_quotation_marks():
    source = make_source()
    event = make_event(sources=[source])
    quote = Statement(
        event=event,
        source=source,
        speaker=make_actor(),
        mode=Statement.Mode.QUOTE,
        text="The envoy urged both sides to talk.",
    )
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "mode" in error.value.message_dict
    quote.text = "We want peace,"
    quote.full_clean()


TWO_QUOTES = [
    'He said "we will" and then "go" today.',
    "He said “we will” and then “go” today.",
    "He said «we will» and then «go» today.",
]


@pytest.mark.parametrize("text", TWO_QUOTES)
def test_a_direct_quote_may_not_run_across_its_closing_quotation_mark(text):
    source = make_source(text=text)
    quote = Statement(
        event=make_event(sources=[source]),
        source=source,
        speaker=make_actor(),
        mode=Statement.Mode.QUOTE,
        text=text[text.index("we") : text.index("go") + 2],  # from one quote into the next
    )
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "mode" in error.value.message_dict
    for inside in ("we will", "will", "go"):
        quote.text = inside
        quote.full_clean()
    quote.text = "we will" + text[text.index("will") + 4]  # with its closing mark
    with pytest.raises(ValidationError):
        quote.full_clean()


@pytest.mark.parametrize("text", TWO_QUOTES)
def test_a_source_edit_is_refused_while_a_quote_in_it_runs_across_quotation_marks(text):
    # A quote saved before the rule (saving does not run clean()) is reported as broken.
    quote = make_statement(
        source=make_source(text=text),
        mode=Statement.Mode.QUOTE,
        text=text[text.index("we") : text.index("go") + 2],
    )
    assert quote.source.reanchored() == ([], [quote])
    with pytest.raises(ValidationError) as error:
        quote.source.full_clean()
    assert "This edit would break 1 passage(s)" in error.value.message_dict["text"][0]


@pytest.mark.parametrize("text", ["e", " e ", "\n"])
def test_a_statement_of_one_character_is_refused(text):
    source = make_source()
    statement = Statement(
        event=make_event(sources=[source]),
        source=source,
        speaker=make_actor(),
        mode=Statement.Mode.REPORTED,
        text=text,
    )
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert "at least 2 characters" in error.value.message_dict["text"][0]
    statement.text = "We"
    statement.full_clean()


def test_a_passage_of_one_character_cannot_be_stored():
    statement = make_statement(text="We")
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(end=statement.start + 1)


def test_the_real_statements_are_all_longer_than_the_shortest_allowed():
    # The fixtures' shortest statement ("broad amnesty") has 13 characters.
    assert MIN_STATEMENT_LENGTH <= 13


# ------------------------------------------------------------------ deleting a source


def test_a_source_that_is_a_published_events_only_source_cannot_be_deleted():
    source = make_source()
    event = make_event(title="Talks in Brussels", sources=[source])
    # Refused inside the delete's transaction, as a database constraint would be.
    with pytest.raises(ProtectedError) as error, transaction.atomic():
        source.delete()
    assert "“Talks in Brussels”" in str(error.value)
    assert error.value.protected_objects == [event]
    with pytest.raises(ProtectedError), transaction.atomic():
        Source.objects.filter(pk=source.pk).delete()
    assert Source.objects.filter(pk=source.pk).exists()
    assert list(event.sources.all()) == [source]


def test_sources_deleted_together_may_not_take_all_of_a_published_events_sources():
    first, second, third = make_source(), make_source(), make_source()
    make_event(sources=[first, second])
    with pytest.raises(ProtectedError), transaction.atomic():
        Source.objects.filter(pk__in=[first.pk, second.pk]).delete()
    assert Source.objects.count() == 3
    Source.objects.filter(pk__in=[first.pk, third.pk]).delete()  # the second remains
    assert list(Source.objects.all()) == [second]


def test_a_source_of_drafts_or_of_events_citing_another_can_be_deleted():
    kept, cited, drafted = make_source(), make_source(), make_source()
    event = make_event(sources=[kept, cited])
    make_event(sources=[drafted], publication=Event.Publication.DRAFT)
    cited.delete()
    drafted.delete()
    assert list(event.sources.all()) == [kept]


def test_a_passage_is_recorded_as_one_statement_only():
    source = make_source()
    make_statement(source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_statement(source=source)


def test_an_actor_cannot_be_affiliated_to_itself_in_the_database():
    actor = make_actor()
    actor.affiliation = actor
    with pytest.raises(IntegrityError), transaction.atomic():
        actor.save()


def test_affiliations_cannot_go_round_in_a_circle():
    state = make_actor(kind=Actor.Kind.STATE)
    ministry = make_actor(kind=Actor.Kind.GOVERNMENT_BODY, affiliation=state)
    state.affiliation = ministry
    with pytest.raises(ValidationError) as error:
        state.full_clean()
    assert "affiliation" in error.value.message_dict


def test_an_actor_without_affiliation_is_valid():
    make_actor().full_clean()


def test_an_actor_may_appear_once_per_event():
    actor = make_actor()
    event = make_event(actors=[actor])
    with pytest.raises(IntegrityError), transaction.atomic():
        EventActor.objects.create(event=event, actor=actor, role=EventActor.Role.TARGET)


@pytest.mark.parametrize("model", [Source, Actor, Place, Event])
def test_slugged_models_are_found_by_their_natural_key(model):
    factories = {
        Source: make_source,
        Actor: make_actor,
        Place: lambda: Place.objects.create(slug="p", name="P", kind="city"),
        Event: make_event,
    }
    row = factories[model]()
    assert model.objects.get_by_natural_key(*row.natural_key()) == row


def test_statements_and_roles_are_found_by_their_natural_keys():
    actor = make_actor()
    statement = make_statement(speaker=actor)
    role = EventActor.objects.create(event=statement.event, actor=actor)
    assert Statement.objects.get_by_natural_key(*statement.natural_key()) == statement
    assert EventActor.objects.get_by_natural_key(*role.natural_key()) == role


def test_aliases_are_one_per_line():
    actor = make_actor(aliases="Blinken\n  Antony Blinken \n\nЭнтони Блинкен")
    assert actor.alias_list == ["Blinken", "Antony Blinken", "Энтони Блинкен"]


def test_a_source_without_an_outlet_says_so():
    assert make_source(outlet="").outlet_label == "outlet not named in the text"
