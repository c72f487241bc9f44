"""Search finds an event by the words of its title, summary and statements from the
moment they are saved, whichever way they arrive (a save, the admin, fixtures, the
generator), and no longer by words they have lost; and by its actors' and places'
names anywhere in them. Every way of asking (``search``, and ``ids_matching`` with and
without the record's index) gives the same events."""

from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db import connection

from tests.admin_forms import admin_url, new_event_data, statement_row
from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline import record_index, word_index
from timeline.models import Event, SearchDocument, Statement

pytestmark = pytest.mark.django_db

TEXT = (
    "Yerevan, 2 May 2023. The envoy praised the delimitation commission. "
    "Officials discussed the reopening of the corridor."
)
PRAISED = "The envoy praised the delimitation commission."
DISCUSSED = "Officials discussed the reopening of the corridor."


def found(query: str) -> set[str]:
    """The titles of the published events a search for ``query`` finds, the same by
    every way of asking it: on PostgreSQL, from the documents' words in memory too."""
    events = Event.objects.published()
    titles = dict(events.values_list("pk", "title"))
    searched = {titles[pk] for pk in events.search(query).values_list("pk", flat=True)}
    index = record_index.RecordIndex.read(1, connection.alias)
    ways = [events.ids_matching(query), events.ids_matching(query, index=index)]
    if connection.vendor == "postgresql":
        words = word_index.WordIndex.read(1, connection.alias)
        with patch.object(word_index, "for_version", lambda version, using: words):
            ways.append(events.ids_matching(query, index=index))
    for ids in ways:
        assert {titles[pk] for pk in ids.tolist() if pk in titles} == searched, query
    return searched


def lines(event: Event) -> list[str]:
    """The lines of ``event``'s search document, in order of their text."""
    return sorted(SearchDocument.objects.get(event=event).text.split("\n"))


def expected_lines(event: Event) -> list[str]:
    texts = event.statements.order_by("pk").values_list("text", flat=True)
    return sorted("\n".join([event.title, event.summary, *texts]).split("\n"))


# ---------------------------------------------------------------- statements


def test_a_new_statement_makes_its_event_findable_by_its_words_at_once():
    event = make_event(title="Talks", summary="Nothing was said yet.")
    assert found("delimitation") == set()
    make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    assert found("delimitation") == {"Talks"}
    assert found("praised talks") == {"Talks"}  # a word of the statement, one of the title


def test_an_edited_statement_is_found_by_its_new_words_and_not_its_old_ones():
    event = make_event(title="Talks")
    make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    statement = Statement.objects.get(event=event)  # as an editor's form reads it
    statement.text = DISCUSSED
    statement.save()
    assert found("corridor") == {"Talks"}
    assert found("delimitation") == set()


def test_a_deleted_statement_no_longer_finds_its_event():
    event = make_event(title="Talks")
    statement = make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    statement.delete()
    assert found("delimitation") == set()
    assert found("talks") == {"Talks"}


def test_a_statement_moved_to_another_event_is_found_there_only():
    source = make_source(text=TEXT)
    first, second = make_event(title="First"), make_event(title="Second", sources=[source])
    make_statement(event=first, source=source, text=PRAISED)
    statement = Statement.objects.get(text=PRAISED)
    statement.event = second
    statement.save()
    assert found("delimitation") == {"Second"}
    statement.event = first  # the same instance, moved back
    statement.save()
    assert found("delimitation") == {"First"}


def test_deleting_an_event_deletes_its_search_document_and_its_statements_words():
    event = make_event(title="Talks")
    make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    event.delete()
    assert not SearchDocument.objects.exists()
    assert found("delimitation") == set()


# ---------------------------------------------------------------- events


def test_an_edited_title_or_summary_is_found_at_once_and_the_old_words_no_longer():
    event = make_event(title="Talks in Brussels", summary="The ministers met.")
    make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    event.title, event.summary = "Ceasefire agreed", "The commanders signed it."
    event.save()
    assert found("ceasefire") == found("commanders") == {"Ceasefire agreed"}
    assert found("brussels") == found("ministers") == set()
    assert found("delimitation") == {"Ceasefire agreed"}  # its statements' words stay


def test_a_draft_is_found_by_its_words_once_published(editor):
    event = make_event(title="Talks", publication=Event.Publication.DRAFT)
    make_statement(event=event, source=make_source(text=TEXT), text=PRAISED)
    assert found("delimitation") == set()
    event.publish(by=editor)
    assert found("delimitation") == {"Talks"}


def test_an_event_recorded_in_the_admin_is_found_by_its_statements_words(editor_client):
    source, envoy = make_source(text=TEXT), make_actor(name="The envoy")
    data = new_event_data(
        publication="published",
        sources=[source],
        statements=[statement_row(envoy, source, DISCUSSED)],
    )
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert found("corridor") == {"Foreign ministers meet in Brussels"}


# ---------------------------------------------------------------- names


def test_names_and_aliases_match_anywhere_in_them_in_any_case():
    blinken = make_actor(name="Antony Blinken", aliases="A. Blinken")
    artsakh = make_place(name="Nagorno-Karabakh", aliases="Artsakh")
    make_event(title="A call", actors=[blinken])
    make_event(title="A visit", places=[artsakh])
    make_event(title="Something else")
    assert found("linke") == found("BLINKEN") == {"A call"}
    assert found("rtsak") == found("karabakh") == {"A visit"}
    assert found("linke rtsak") == set()  # every term must match


def test_a_term_that_names_someone_also_finds_the_events_that_say_it():
    corridor = make_actor(name="Corridor Commission")
    make_event(title="A meeting", actors=[corridor])
    said = make_event(title="Talks")
    make_statement(event=said, source=make_source(text=TEXT), text=DISCUSSED)
    make_event(title="A meeting on the corridor", summary="Officials met.")
    assert found("corridor") == {"A meeting", "Talks", "A meeting on the corridor"}
    assert found("corridor officials") == {"Talks", "A meeting on the corridor"}
    assert found("commission meeting") == {"A meeting"}


# ---------------------------------------------------------------- every way rows arrive


def test_loading_the_fixtures_fills_every_search_document(seeded):
    events = list(Event.objects.all())
    assert events
    for event in events:
        assert lines(event) == expected_lines(event), event.slug
    statement = Statement.objects.filter(event__publication="published").first()
    word = max(statement.text.split(), key=len).strip(".,;:“”\"'")
    assert statement.event.title in found(word)


def test_the_generator_fills_every_search_document_and_a_rerun_replaces_them():
    options = ["--events=60", "--actors=10", "--places=5", "--statements=150", "--sources=8"]
    call_command("generate_timeline", *options, "--seed=3", verbosity=0)
    call_command("generate_timeline", *options, "--seed=4", verbosity=0)
    events = list(Event.objects.prefetch_related("statements"))
    assert SearchDocument.objects.count() == len(events) == 60
    for event in events:
        assert lines(event) == expected_lines(event), event.slug


def test_a_word_in_many_events_finds_every_one_of_them_fetched_in_chunks(monkeypatch):
    """A common word's ids are fetched a chunk at a time (at a million events, a million
    rows at once held a worker's memory past its budget): none is lost between chunks."""
    from timeline import querysets

    fetch = querysets._fetch_ids
    monkeypatch.setattr(querysets, "_fetch_ids", lambda rows: fetch(rows, chunk=2))
    titles = {f"Ceasefire talks {n}" for n in range(7)}
    for title in titles:
        make_event(title=title)
    make_event(title="Border clash")
    assert found("ceasefire") == titles
