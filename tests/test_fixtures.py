"""The real data in fixtures/, held to the editorial rules."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Q

from timeline.dates import Precision, said_before
from timeline.fixtures import FIXTURE_FILES, fixture_names
from timeline.models import (
    Actor,
    Event,
    EventActor,
    EventLink,
    Quantity,
    Relay,
    Source,
    Statement,
)
from timeline.passages import is_inside_quotation

# Every test reads the real timeline, loaded once for them all.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_timeline")]

LAST_DAY = datetime.date(2023, 9, 30)
FIRST_DAY = datetime.date(1991, 1, 1)
D = datetime.date
EVERY_MODEL = [model for models in FIXTURE_FILES.values() for model in models]
CALL = "blinken-aliyev-call-2023-09-26"
BRIEFING = "state-department-briefing-2023-09-26"
ANADOLU = "anadolu-blinken-aliyev-discuss-karabakh-2023-09-27"
ARMENPRESS = "armenpress-us-expects-aliyev-to-abide-2023-09-27"
UNDATED = "us-urges-azerbaijan-end-hostilities"


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


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda model: model.__name__)
def test_every_row_passes_its_model_validation(model):
    rows = model.objects.all()
    assert rows.exists()
    for row in rows:
        row.full_clean()


def test_loading_the_fixtures_twice_leaves_the_same_rows():
    def snapshot():
        return {
            model.__name__: sorted(map(repr, model.objects.values_list())) for model in EVERY_MODEL
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


# ---------------------------------------------------------------- relays, occasions, numbers


def test_every_relay_is_an_actor_of_the_record_and_no_chain_repeats_the_speaker():
    assert Relay.objects.count() > 0
    for statement in Statement.objects.prefetch_related("relays__actor"):
        chain = [relay.actor for relay in statement.relays.all()]
        assert all(actor.pk and Actor.objects.filter(pk=actor.pk).exists() for actor in chain)
        assert statement.speaker not in chain, statement
        assert len(set(chain)) == len(chain), statement
        positions = [relay.position for relay in statement.relays.all()]
        assert positions == list(range(1, len(chain) + 1)), statement


def test_every_relay_has_a_public_page():
    relaying = Actor.objects.filter(relays__isnull=False).distinct()
    assert relaying.exists()
    assert set(relaying) <= set(Actor.objects.public())


def test_a_statement_reaches_its_source_through_the_outlet_that_publishes_it():
    """The chain ends with the outlet the document names, or with VOA where the
    document names none but cites VOA; the outlet's own words have no chain."""
    cited = {"blinken-urged-aliyev-cease-hostilities-2022-09-15": "VOA"}
    for statement in Statement.objects.select_related("source", "speaker"):
        outlet = statement.source.outlet or cited.get(statement.source.slug)
        chain = [relay.actor.name for relay in statement.relays.select_related("actor")]
        if statement.speaker.name == outlet:
            assert chain == [], statement
        elif outlet:
            assert chain[-1:] == [outlet], statement


def test_the_readout_and_aliyevs_words_at_the_briefing_are_relayed_by_miller():
    readout = Statement.objects.filter(
        source__slug__in=[UNDATED, ARMENPRESS],
        event__slug=CALL,
        speaker__slug__in=["antony-blinken", "ilham-aliyev", "us-department-of-state"],
    ).exclude(start=183, source__slug=UNDATED)  # 000's lead, which names no source
    assert readout.count() >= 10
    for statement in readout:
        assert statement.relays.get(position=1).actor.slug == "matthew-miller", statement


def test_every_event_a_statement_concerns_or_a_link_joins_is_published():
    concerned = Event.objects.filter(mentioned_in__isnull=False).distinct()
    assert concerned.exists()
    assert not concerned.exclude(publication=Event.Publication.PUBLISHED).exists()
    assert EventLink.objects.count() > 0
    for link in EventLink.objects.select_related("from_event", "to_event"):
        assert link.from_event.is_published, link
        assert link.to_event.is_published, link


def test_every_link_cites_a_source_both_its_events_cite():
    for link in EventLink.objects.select_related("source", "statement"):
        assert link.source in link.from_event.sources.all(), link
        assert link.source in link.to_event.sources.all(), link
        if link.statement:
            assert link.statement.source == link.source, link


def test_every_number_stands_at_its_offsets_and_inside_its_statement():
    numbers = Quantity.objects.select_related("source", "statement")
    assert numbers.count() >= 10
    for number in numbers:
        assert number.source.text[number.start : number.end] == number.text, number
        if number.statement:
            assert number.statement.source == number.source, number
            assert number.statement.start <= number.start, number
            assert number.end <= number.statement.end, number
        assert number.source in number.event.sources.all(), number


def test_no_statement_is_dated_before_its_occasion():
    dated = Statement.objects.filter(dating=Statement.Dating.OWN).select_related("event")
    assert dated.exists()
    for statement in dated:
        occasion = statement.event
        if occasion.date_precision == Precision.BY:
            continue  # known only as a bound: it may lie any day before it
        said = (statement.said_start, statement.said_end, statement.said_precision)
        assert not said_before(*said, occasion.date_start), statement


def test_every_statement_of_an_undated_source_is_undated():
    undated = Statement.objects.filter(source__published__isnull=True)
    assert undated.exists()
    assert set(undated.values_list("dating", flat=True)) == {Statement.Dating.UNDATED}
    assert all(statement.said is None for statement in undated)


def test_the_call_of_26_september_2023_shows_the_inspection_and_the_reintegration_passages():
    call = Event.objects.get(slug=CALL)
    shown = Statement.objects.filter(Q(event=call) | Q(concerns=call)).distinct()
    texts = " ".join(shown.values_list("text", flat=True))
    assert "had inspected the confiscated weapons and equipment" in texts
    assert "The dialogue on reintegration is ongoing" in texts


def test_briefing_words_belong_to_the_briefing_and_concern_what_they_speak_of():
    quote = Statement.objects.get(source__slug=ARMENPRESS, text__startswith="The Secretary spoke")
    assert quote.event.slug == BRIEFING
    assert CALL in quote.concerns.values_list("slug", flat=True)
    price = Statement.objects.filter(speaker__slug="ned-price")
    assert set(price.values_list("event__slug", flat=True)) == {
        "state-department-briefing-2022-09-14"
    }


# ---------------------------------------------------------------- corrections


def test_the_2022_border_clashes_ran_13_to_14_september_and_were_ongoing_on_the_14th():
    clashes = Event.objects.get(slug="border-clashes-september-2022")
    assert (clashes.date_start, clashes.date_end) == (D(2022, 9, 13), D(2022, 9, 14))
    assert clashes.date_precision == Precision.DAY
    assert (clashes.status, clashes.status_as_of) == (Event.Status.ONGOING, D(2022, 9, 14))


def test_the_lachin_checkpoint_is_dated_by_1_may_2023():
    checkpoint = Event.objects.get(slug="lachin-corridor-checkpoint-2023")
    assert checkpoint.date_display == "by 1 May 2023"


def test_anadolus_granada_sentence_reports_a_plan():
    granada = Statement.objects.get(source__slug=ANADOLU, text__contains="Granada")
    assert granada.speech_act == Statement.SpeechAct.REPORTS
    assert "aliyev-pashinyan-granada-meeting-2023-10-05" in granada.concerns.values_list(
        "slug", flat=True
    )


def test_no_actor_takes_a_sides_words_for_its_name():
    assert not Actor.objects.filter(name__iexact="Armenian armed forces in Karabakh").exists()
    assert Actor.objects.get(slug="karabakh-armenian-forces").name == "Karabakh Armenian forces"


def test_a_call_or_meeting_names_no_initiator_the_text_does_not():
    spoke_or_met = [
        "blinken-aliyev-call-2023-05-01",
        CALL,
        "blinken-calls-armenian-and-azerbaijani-leaders-2022-09",
        "reeker-meetings-in-baku-2022-09",
        "donfried-bayramov-2022-09-14",
    ]
    initiators = EventActor.objects.filter(
        event__slug__in=spoke_or_met, role=EventActor.Role.INITIATOR
    )
    assert not initiators.exists()


def test_the_war_of_1991_1994_cites_only_the_document_that_tells_of_it():
    war = Event.objects.get(slug="war-1991-1994")
    assert list(war.sources.values_list("slug", flat=True)) == [
        "tdi-blinken-aliyev-call-2023-05-01"
    ]


def test_003s_human_rights_sentence_is_tdis_account_not_blinkens_speech():
    sentence = Statement.objects.get(text__startswith="the President of Azerbaijan and Secretary")
    assert (sentence.speaker.slug, sentence.mode) == ("tdi", Statement.Mode.ACCOUNT)


def test_aliyevs_readiness_for_a_un_visit_is_apart_from_the_red_cross_sentence():
    red_cross = Statement.objects.get(source__slug=ANADOLU, text__startswith="The president")
    assert red_cross.text.endswith("to provide assistance to Armenian residents")
    offer = Statement.objects.get(source__slug=ANADOLU, text__startswith="voicing readiness")
    assert offer.speech_act != Statement.SpeechAct.COMMITS_TO
    assert offer.concerns.get().status == Event.Status.OFFERED
