"""The real data in fixtures/, held to the editorial rules."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from timeline.fixtures import fixture_names
from timeline.models import Actor, Event, EventActor, Place, Source, Statement
from timeline.passages import is_inside_quotation

# Every test reads the real timeline, loaded once for them all.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_timeline")]

LAST_DAY = datetime.date(2023, 9, 30)
FIRST_DAY = datetime.date(1991, 1, 1)


def test_every_event_cites_a_source():
    assert Event.objects.count() > 0
    assert not Event.objects.filter(sources=None).exists()


def test_every_statement_stands_at_its_offsets_in_its_source():
    statements = Statement.objects.select_related("source")
    assert statements.count() > 0
    for statement in statements:
        assert statement.source.text[statement.start : statement.end] == statement.text, statement


def test_every_quote_stands_inside_quotation_marks_in_its_source():
    quotes = Statement.objects.filter(mode=Statement.Mode.QUOTE).select_related("source")
    assert quotes.count() >= 10
    for quote in quotes:
        assert is_inside_quotation(quote.source.text, quote.start, quote.end), quote


def test_every_statement_cites_a_source_the_event_cites():
    for statement in Statement.objects.select_related("event", "source"):
        assert statement.source in statement.event.sources.all(), statement


@pytest.mark.skipif(not Path(settings.SEEDS_DIR).is_dir(), reason="the seed documents are not here")
def test_every_source_text_is_its_seed_document_exactly():
    seeds = sorted(p.name for p in Path(settings.SEEDS_DIR).glob("*.txt"))
    sources = Source.objects.order_by("seed_file")
    assert [s.seed_file for s in sources] == seeds
    for source in sources:
        seed = Path(settings.SEEDS_DIR, source.seed_file).read_text(encoding="utf-8")
        assert source.text == seed, source.slug


def test_happened_events_fall_within_the_period_covered():
    """1991 through September 2023; background from before 1991 only at a coarse precision."""
    for event in Event.objects.filter(status=Event.Status.HAPPENED):
        assert (event.date_end or event.date_start) <= LAST_DAY, event
        if event.date_start < FIRST_DAY:
            assert event.date_precision in {"approximate", "year"}, event


def test_planned_events_lie_after_the_documents_that_announce_them():
    planned = Event.objects.filter(status=Event.Status.PLANNED)
    assert planned.exists()
    for event in planned:
        latest = max(s.published for s in event.sources.all() if s.published)
        assert event.date_start > latest, event


def test_every_row_passes_its_model_validation():
    for model in (Source, Actor, Place, Event):
        for row in model.objects.all():
            row.full_clean()


def test_loading_the_fixtures_twice_leaves_the_same_rows():
    def snapshot():
        return {
            model.__name__: sorted(map(repr, model.objects.values_list()))
            for model in (Source, Actor, Place, Event, EventActor, Statement)
        }

    before = snapshot()
    call_command("loaddata", *fixture_names(), verbosity=0)
    assert snapshot() == before


def test_the_two_official_accounts_of_the_26_september_2023_call_are_both_there():
    call = Event.objects.get(slug="blinken-aliyev-call-2023-09-26")
    origins = set(call.statements.values_list("source__origin", flat=True))
    assert {"united-states", "azerbaijan"} <= origins


def test_contested_terms_appear_only_in_attributed_words():
    contested = ["occupied", "occupation", "liberated", "terrorist", "illegal", "provocation"]
    for event in Event.objects.all():
        own_words = f"{event.title} {event.summary}".lower()
        for term in contested:
            if term in own_words:
                # Only inside quotation marks, as someone's words.
                start = own_words.index(term)
                assert is_inside_quotation(own_words, start, start + len(term)), (event, term)
