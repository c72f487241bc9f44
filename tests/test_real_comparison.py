"""The real record's points of comparison and links between statements, loaded from
fixtures/ once for every test here (each only reads it): which account speaks to which
point, and what later statements say of earlier demands and commitments."""

import pytest
from django.db.models import Q

from timeline.followups import NO_LATER_STATEMENT, attach_followups, statuses
from timeline.models import Event, Point, Statement, StatementLink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_timeline")]

CALL = "blinken-aliyev-call-2023-09-26"
US_READOUT = "us-urges-azerbaijan-end-hostilities"  # 000, undated
ARMENPRESS = "armenpress-us-expects-aliyev-to-abide-2023-09-27"  # 001
ANADOLU = "anadolu-blinken-aliyev-discuss-karabakh-2023-09-27"  # 004


def accounts_by_point(event_slug: str) -> dict[str, set[str]]:
    """Each point of the event, by slug, with the origins of the sources speaking to it."""
    points = Point.objects.filter(event__slug=event_slug).prefetch_related("statements__source")
    return {
        point.slug: {statement.source.origin for statement in point.statements.all()}
        for point in points
    }


def told_by(accounts: dict[str, set[str]], *origins: str) -> set[str]:
    """The points that these accounts, and no other, speak to."""
    return {slug for slug, told in accounts.items() if told == set(origins)}


def statement(source: str, start: str) -> Statement:
    return Statement.objects.get(source__slug=source, text__startswith=start)


def test_the_call_compares_the_two_accounts_point_by_point():
    accounts = accounts_by_point(CALL)
    both = told_by(accounts, "united-states", "azerbaijan")
    us_only = told_by(accounts, "united-states")
    azerbaijani_only = told_by(accounts, "azerbaijan")
    assert both == {"residents-rights", "humanitarian-access"}
    assert us_only == {
        "further-military-action",
        "observer-mission",
        "civilians-protection-and-movement",
        "amnesty",
        "future-of-the-population",
    }
    assert azerbaijani_only == {
        "september-2023-operation",
        "disarmament",
        "inspection-of-seized-weapons",
        "un-visit",
        "dialogue-with-karabakh-armenians",
        "infrastructure-restoration",
    }
    assert set(accounts) == both | us_only | azerbaijani_only


def test_each_account_of_the_call_stands_under_the_points_it_makes():
    rights = Point.objects.get(event__slug=CALL, slug="residents-rights").statements.all()
    texts = " ".join(rights.values_list("text", flat=True))
    assert "with their rights fully protected" in texts
    assert "in accordance with national laws and international obligations" in texts
    monitors = statement(ARMENPRESS, "Miller said that the exact mechanism")
    assert monitors.points.filter(event__slug=CALL, slug="observer-mission").exists()
    red_cross = statement(ANADOLU, "The president underlined the ongoing cooperation")
    assert list(red_cross.points.values_list("slug", flat=True)) == ["humanitarian-access"]


def test_every_statement_said_on_the_call_stands_under_a_point_but_the_call_itself():
    unplaced = Statement.objects.filter(event__slug=CALL, points__isnull=True)
    # Anadolu's own line that the call took place makes no point either account argues.
    assert [s.text for s in unplaced] == [
        "U.S. Secretary of State Antony Blinken and Azerbaijani President Ilham Aliyev "
        "discussed the latest situation in the Karabakh region on Tuesday."
    ]


def test_every_point_holds_statements_said_on_its_event_or_concerning_it():
    points = Point.objects.select_related("event").prefetch_related("statements__concerns")
    assert points.count() > 0
    for point in points:
        assert point.statements.exists(), point
        assert point.statement_errors(point.statements.all()) is None, point


def test_only_events_told_by_more_than_one_account_have_points():
    for event in Event.objects.filter(points__isnull=False).distinct():
        told = Statement.objects.filter(Q(event=event) | Q(concerns=event))
        assert len(set(told.values_list("source__origin", flat=True))) > 1, event


def test_the_2020_war_and_its_ceasefire_share_the_subject_of_who_brokered_it():
    assert accounts_by_point("war-of-2020") == {
        "length-of-fighting": {"unknown", "azerbaijan"},
        "territorial-control": {"unknown", "azerbaijan"},
        "ceasefire-mediation": {"unknown", "azerbaijan"},
    }
    events = Point.objects.filter(slug="ceasefire-mediation").values_list("event__slug", flat=True)
    assert set(events) == {"war-of-2020", "russia-brokered-ceasefire-2020"}


def test_aliyevs_no_further_military_action_is_responded_to_by_miller_in_both_retellings():
    for source, start in [
        (US_READOUT, "Miller also conveyed that President Aliyev"),
        (ARMENPRESS, "According to Miller, the Azerbaijani President told Blinken"),
    ]:
        aliyev = statement(source, start)
        link = aliyev.links_in.get()
        assert (link.later.speaker.slug, link.relation) == ("matthew-miller", "responds-to")
        assert link.later.source == aliyev.source
        assert "we expect him to abide by that" in link.text


def test_millers_briefing_repeats_blinkens_call_for_an_end_to_hostilities():
    repeats = StatementLink.objects.filter(relation="repeats").select_related("later", "earlier")
    pairs = {(link.later.speaker.slug, link.earlier.speaker.slug) for link in repeats}
    assert pairs == {("matthew-miller", "antony-blinken")}
    assert any("reiterating the urgency" in link.text for link in repeats)


def test_the_two_retellings_of_millers_remark_are_not_linked_as_a_repeat():
    remarks = Statement.objects.filter(text__startswith="And I will say that we note")
    assert remarks.count() == 2
    assert not StatementLink.objects.filter(later__in=remarks, earlier__in=remarks).exists()


def test_an_assurance_is_recorded_as_one():
    told = statement(ARMENPRESS, "According to Miller, the Azerbaijani President told Blinken")
    assert told.speech_act == Statement.SpeechAct.ASSURES


def test_every_demand_and_commitment_has_been_checked_for_later_statements():
    asks_and_promises = Statement.objects.filter(speech_act__in=Statement.ASKS | Statement.PROMISES)
    assert asks_and_promises.count() >= 20
    assert not asks_and_promises.filter(followups_checked__isnull=True).exists()


def test_the_amnesty_and_tdis_humanitarian_assistance_have_no_later_statement():
    amnesty = statement(ARMENPRESS, "Blinken urged the Azerbaijani President")
    assistance = statement("tdi-blinken-aliyev-call-2023-05-01", "the US will continue to provide")
    aliyev = statement(ARMENPRESS, "According to Miller, the Azerbaijani President told Blinken")
    amnesty, assistance, aliyev = attach_followups([amnesty, assistance, aliyev])
    assert statuses(amnesty) == [NO_LATER_STATEMENT]
    assert statuses(assistance) == [NO_LATER_STATEMENT]
    assert statuses(aliyev) == ["responded to by Matthew Miller on 26 September 2023"]


def test_points_are_named_in_neither_sides_words():
    contested = ["occupied", "occupation", "liberated", "terrorist", "illegal", "provocation"]
    for name in Point.objects.values_list("name", flat=True):
        assert not [term for term in [*contested, "reintegration"] if term in name.lower()], name


def test_the_words_of_each_link_have_an_anchor_on_their_sources_page(client):
    for link in StatementLink.objects.select_related("source"):
        page = client.get(link.source.get_absolute_url()).content.decode()
        assert f'id="{link.anchor}"' in page, link.text


def test_an_outlets_own_account_of_a_commitment_reads_as_its_report_not_its_promise(client):
    page = client.get("/commitments/?q=humanitarian").content.decode()
    assert 'TDI</a> <span class="act">reports a commitment</span>' in page
    assert 'TDI</a> <span class="act">commits to</span>' not in page
