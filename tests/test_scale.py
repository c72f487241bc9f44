"""The site at scale: the data generator, search on both databases, and the time limit
that keeps the chronology answering when a count would take too long."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.dates import precision_problem
from timeline.management.commands import generate_timeline
from timeline.models import (
    Actor,
    Event,
    EventActor,
    Place,
    Point,
    Relay,
    Source,
    Statement,
    StatementLink,
)
from timeline.passages import is_inside_quotation
from timeline.timelimits import TimeBudget

pytestmark = pytest.mark.django_db
SMALL = ["--events=300", "--actors=40", "--places=15", "--statements=900", "--sources=30"]


def generate(*extra, seed=7):
    call_command("generate_timeline", *SMALL, *extra, f"--seed={seed}", verbosity=0)


def snapshot():
    """What a reader would see of the generated data, without database ids."""
    return {
        "events": list(
            Event.objects.order_by("slug").values_list(
                "slug", "title", "summary", "date_start", "date_end", "date_precision", "kind"
            )
        ),
        "roles": sorted(EventActor.objects.values_list("event__slug", "actor__slug", "role")),
        "sources": list(Source.objects.order_by("slug").values_list("slug", "origin", "text")),
        "statements": sorted(
            Statement.objects.values_list("source__slug", "start", "end", "text", "speaker__slug")
        ),
    }


def test_the_generator_makes_the_sizes_it_is_asked_for(capsys):
    call_command("generate_timeline", *SMALL)
    assert Event.objects.count() == 300
    assert Actor.objects.count() == 40
    assert Place.objects.count() == 15
    assert Statement.objects.count() == 900
    assert Source.objects.count() == 30
    assert "Generated 300 events" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_timeline_and_another_seed_another():
    generate(seed=7)
    first = snapshot()
    generate(seed=7)  # a re-run replaces what the first run made
    assert snapshot() == first
    generate(seed=8)
    assert snapshot()["events"] != first["events"]


def test_a_rerun_replaces_generated_rows_and_leaves_editors_rows_alone():
    kept = make_event(title="An editor's event")
    generate()
    generate()
    assert Event.objects.count() == 301
    assert Event.objects.filter(pk=kept.pk, title="An editor's event").exists()


def test_a_dry_run_generates_nothing(capsys):
    call_command("generate_timeline", *SMALL, "--dry-run")
    assert not Event.objects.exists()
    assert "Would generate 300 events" in capsys.readouterr().out


def test_generated_statements_stand_verbatim_at_their_offsets_quotes_inside_quotation_marks():
    generate()
    statements = Statement.objects.select_related("source")
    assert {s.mode for s in statements} == {"quote", "reported", "account"}
    for statement in statements:
        text = statement.source.text
        assert text[statement.start : statement.end] == statement.text
        # The offsets are the first occurrence, as Statement.locate() would compute them.
        assert statement.locate() == (statement.start, statement.end)
        if statement.is_quote:
            assert is_inside_quotation(text, statement.start, statement.end)
        assert statement.event.sources.filter(pk=statement.source_id).exists()
    assert not Statement.objects.unanchored().exists()


def test_statements_crowded_into_one_source_each_stand_first_at_their_offsets():
    # 1,500 statements of a few events in one source: most wordings are soon used,
    # so many are numbered, and the passages are checked in the way kept for long texts.
    call_command(
        "generate_timeline", "--events=20", "--actors=6", "--places=3", "--statements=1500",
        "--sources=1", "--seed=5", verbosity=0,
    )  # fmt: skip
    source = Source.objects.get()
    statements = list(source.statements.all())
    assert len(statements) == 1500 > generate_timeline.FEW_PASSAGES
    assert len({s.text for s in statements}) == 1500
    assert any("(statement " in s.text for s in statements)
    for statement in statements:
        assert source.text.find(statement.text) == statement.start
        assert statement.end == statement.start + len(statement.text)
        if statement.is_quote:
            assert is_inside_quotation(source.text, statement.start, statement.end)


@pytest.mark.parametrize("few", [True, False], ids=["looked-for", "sorted"])
def test_a_passage_standing_earlier_inside_a_longer_one_is_found(monkeypatch, few):
    if not few:
        monkeypatch.setattr(generate_timeline, "FEW_PASSAGES", 0)
    text = "Convoys reached Tavush District. Convoys reached Tavush. Observers visited Goris."
    anchored = [
        ("Convoys reached Tavush District", 0),
        ("Convoys reached Tavush", 33),  # first stands at 0, inside the longer passage
        ("Observers visited Goris", 57),
    ]
    assert generate_timeline.misplaced(text, anchored) == [1]
    assert generate_timeline.misplaced(text, anchored[:1] + anchored[2:]) == []


def test_a_passage_not_first_in_its_text_is_numbered_so_that_it_is():
    plan = generate_timeline.Plan.__new__(generate_timeline.Plan)
    plan.statements = [{}, {}]
    parts = ["GORIS, undated.", "Convoys reached Tavush District.", "Convoys reached Tavush."]
    placed = [[0, 1, "Convoys reached Tavush District", 0], [1, 2, "Convoys reached Tavush", 0]]
    text = plan.anchor_passages(parts, placed)
    first, second = plan.statements
    assert text[first["start"] : first["end"]] == "Convoys reached Tavush District"
    assert text[second["start"] : second["end"]] == "Convoys reached Tavush (statement 2)"
    assert text.find("Convoys reached Tavush (statement 2)") == second["start"]


def test_generated_rows_get_the_models_defaults_and_leave_the_ids_to_come_free():
    generate()
    assert set(Source.objects.values_list("language", flat=True)) == {"en"}
    assert not Source.objects.filter(created=None).exists()
    assert not Event.objects.filter(updated=None).exists()
    assert Actor.objects.exclude(affiliation=None).exists()
    # Rows made afterwards, the usual way, get ids of their own.
    statement = make_statement()
    assert statement.pk > max(
        Statement.objects.exclude(pk=statement.pk).values_list("pk", flat=True)
    )
    assert statement.event.pk > max(
        Event.objects.filter(slug__startswith="gen-").values_list("pk", flat=True)
    )


def test_generated_statements_are_asks_promises_relays_points_and_followups_by_the_rules():
    more = ["--events=600", "--statements=3000"]
    generate(*more)
    statements = Statement.objects.all()
    commitments = statements.demands_and_commitments().count()
    assert statements.count() / 5 < commitments < statements.count() / 2
    assert {s.speech_act for s in statements.demands_and_commitments()} == set(
        Statement.ASKS | Statement.PROMISES
    )
    made = {model: list(model.objects.all()) for model in (Relay, Point, StatementLink)}
    assert all(made.values())
    for relay in made[Relay]:
        relay.clean()  # named in the source, and not the speaker
    for link in made[StatementLink]:
        link.clean()  # its passage the later statement's, said later
        assert link.earlier.is_commitment
    for point in made[Point]:
        assert point.statement_errors(point.statements.all()) is None
    assert Point.objects.values("slug").distinct().count() < len(made[Point])  # shared
    generate(*more)  # a re-run replaces them
    assert {model: model.objects.count() for model in made} == {
        model: len(rows) for model, rows in made.items()
    }


def test_generated_events_keep_the_model_rules():
    generate()
    for event in Event.objects.all():
        assert not precision_problem(event.date_start, event.date_end, event.date_precision)
        assert event.date_end is None or event.date_end >= event.date_start
        assert datetime.date(1991, 1, 1) <= event.date_start <= datetime.date(2023, 12, 31)
    assert not Event.objects.published().without_sources().exists()
    for actor in Actor.objects.all():
        actor.clean()  # no affiliation goes round in a circle


def test_generated_dates_are_uneven_and_actors_have_a_long_tail():
    call_command(
        "generate_timeline", "--events=3000", "--actors=100", "--statements=0", "--sources=50",
        "--places=10", verbosity=0,
    )  # fmt: skip
    per_year = Event.objects.count_by_year()
    assert per_year[2020] > 3 * per_year[2005]
    per_actor = [row["n"] for row in Event.objects.count_by_actor()]
    assert per_actor[0] > 10 * per_actor[len(per_actor) // 2]


def test_generated_events_are_listed_and_searchable(client):
    generate()
    event = Event.objects.published().exclude(statements=None).order_by("slug").first()
    word = event.statements.first().text.split()[-1]
    response = client.get(reverse("timeline:chronology"), {"q": word})
    assert response.status_code == 200
    assert response.context["count"] >= 1


# ---------------------------------------------------------------- search on either database


def searchable():
    blinken = make_actor(name="Antony Blinken", aliases="Энтони Блинкен")
    karabakh = make_place(name="Nagorno-Karabakh", aliases="Artsakh\nDağlıq Qarabağ")
    source = make_source(text='He urged a "broad amnesty" and an observer mission.')
    event = make_event(
        title="A phone call on transport links",
        summary="The ministers discussed the border.",
        sources=[source],
        actors=[blinken],
        places=[karabakh],
    )
    make_statement(event=event, source=source, text="broad amnesty", mode="quote")
    make_event(title="An unrelated meeting", summary="Nothing of note.")
    return event


@pytest.mark.parametrize(
    "query",
    [
        "phone",  # a word of the title
        "TRANSPORT",  # any case
        "border",  # the summary
        "amnesty",  # a statement
        "Блинкен",  # an actor's alias in another script
        "Blinken",  # an actor's name
        "Artsakh",  # a place's alias
        "Qarabağ",  # a place's alias with letters outside ASCII
        "amnesty border blinken",  # every word, each somewhere else
    ],
)
def test_search_finds_an_event_by_any_of_its_words_or_names(query):
    event = searchable()
    assert list(Event.objects.search(query)) == [event]


@pytest.mark.parametrize("query", ["observer", "amnesty picnic", "unrelated phone"])
def test_search_needs_every_word_and_ignores_source_text_outside_statements(query):
    searchable()
    assert list(Event.objects.search(query)) == []


@pytest.mark.parametrize(
    "query", ["'", "\\", "a:*", "!(x) & y | z", "it's", "ـ", "١٩٩٢", "foo_bar", "Карабах-2"]
)
def test_search_answers_any_typed_text(client, query):
    searchable()
    response = client.get(reverse("timeline:chronology"), {"q": query})
    assert response.status_code == 200


def test_search_on_postgresql_uses_the_full_text_index():
    if connection.vendor != "postgresql":
        pytest.skip("The full-text index exists on PostgreSQL only.")
    searchable()
    with connection.cursor() as cursor:
        # A few rows, whose statistics may make any plan the cheapest: only the ways to
        # read a table by a condition on it are left (else a scan of the primary key's
        # index, filtering each row, can win).
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        sql, params = Event.objects.search("amnesty border").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    # Both words in one lookup of the search documents' index.
    lookups = [line for line in plan.splitlines() if "Index Scan on search_document_words" in line]
    assert len(lookups) == 1, plan
    condition = plan.split(lookups[0])[1].splitlines()[1]
    assert "amnesty" in condition
    assert "border" in condition


# ---------------------------------------------------------------- the time limit on counts


def test_the_chronology_says_when_counts_were_skipped_for_time(client, settings):
    make_event(title="Still listed", actors=[make_actor()], places=[make_place()])
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 0  # no time at all: every count is skipped
    response = client.get(reverse("timeline:chronology"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Still listed" in page
    assert "Count skipped" in page
    assert "Counts skipped" in page
    assert "Events per year skipped" in page
    assert response.context["count"] is None
    assert set(response.context["skipped"]) == {"count", "axis", "kind", "origin", "actor", "place"}


def test_the_counts_are_shown_when_they_fit_the_time_limit(client, settings):
    make_event(title="Counted", kind="talks")
    settings.TIMELINE_COUNT_TIME_LIMIT_MS = 5_000
    response = client.get(reverse("timeline:chronology"))
    assert not response.context["skipped"]
    assert "skipped" not in response.content.decode()
    assert [o["count"] for o in response.context["facets"]["kind"]] == [1]


def slow_query():
    """A query that takes about a second on either database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)"
                " SELECT count(*) FROM n"
            )
        return cursor.fetchone()


def test_a_count_that_overruns_its_time_limit_is_stopped_and_skipped():
    make_event()
    budget = TimeBudget(100)
    started = time.monotonic()
    assert budget.run("slow", slow_query, default="skipped") == "skipped"
    assert time.monotonic() - started < 0.8  # stopped by the database, not waited for
    assert budget.skipped == ["slow"]
    # The next count runs, without the limit left behind, on a connection in good order.
    assert budget.run("next", Event.objects.count) == 1
    assert budget.skipped == ["slow"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"


def test_counts_within_the_time_limit_are_returned():
    make_event()
    budget = TimeBudget(5_000)
    assert budget.run("count", Event.objects.count) == 1
    assert budget.skipped == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"


@pytest.mark.parametrize("extra", [0, 1, 6])
def test_filtering_by_many_actors_or_places_needs_every_one_of_them(client, extra):
    actors = [make_actor() for _ in range(2 + extra)]
    places = [make_place() for _ in range(2 + extra)]
    both = make_event(title="All of them", actors=actors, places=places)
    make_event(title="All but one", actors=actors[1:], places=places[1:])
    for filtered in (
        Event.objects.involving(*[a.slug for a in actors], actors[0].slug),
        Event.objects.at_places(*[p.slug for p in places], places[0].slug),
    ):
        assert list(filtered) == [both]
    slugs = [a.slug for a in actors] * 30  # repeated: still answered, and quickly
    started = time.monotonic()
    response = client.get(reverse("timeline:chronology"), {"actor": slugs})
    assert response.status_code == 200
    assert response.context["count"] == 1
    assert time.monotonic() - started < 5


def test_a_count_that_overran_is_skipped_untried_for_a_while(monkeypatch):
    monkeypatch.setattr("timeline.timelimits._overran", {})
    TimeBudget(100).run("slow", slow_query, key="slow-count")
    budget = TimeBudget(100)
    with CaptureQueriesContext(connection) as captured:
        assert budget.run("slow", slow_query, default="skipped", key="slow-count") == "skipped"
    assert len(captured) == 0
    assert budget.skipped == ["slow"]
    # Other counts are tried as usual.
    assert budget.run("other", Event.objects.count, key="other-count") == 0
