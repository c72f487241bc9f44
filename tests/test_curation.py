"""The curation queue: what in the record needs an editor's eye, each item linking to
where it is fixed, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from tests.admin_forms import admin_url
from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.models import Event, Point, Statement, StatementLink

pytestmark = pytest.mark.django_db


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


def test_the_queue_lists_uncompared_accounts_unfollowed_demands_and_drifted_links(editor_client):
    def told_by_both(title, *, placed):
        american, azerbaijani = (
            make_source(origin="united-states"),
            make_source(origin="azerbaijan"),
        )
        event = make_event(title=title, sources=[american, azerbaijani])
        statements = [
            make_statement(event=event, source=american),
            make_statement(event=event, source=azerbaijani),
        ]
        point = Point.objects.create(event=event, slug="peace", name="Peace")
        point.statements.add(*statements[: 2 if placed else 1])
        return event

    uncompared = told_by_both("Told by both, one statement under no point", placed=False)
    told_by_both("Told by both, every statement under a point", placed=True)
    one_account = make_event(title="Told by one account")
    make_statement(event=one_account, source=one_account.sources.get())
    # A statement said elsewhere about an event brings its account to the event's.
    mentioned = make_event(title="Told by one, mentioned by the other")
    make_statement(event=mentioned, source=mentioned.sources.get())
    make_statement(source=make_source(origin="azerbaijan")).concerns.add(mentioned)

    demand = make_statement(speech_act="urges")
    followed = make_statement(speech_act="commits-to")
    later = make_statement(source=followed.source, text="We want peace")
    link = StatementLink.objects.create(
        later=later, earlier=followed, relation="repeats", source=later.source, text="want peace"
    )
    checked = make_statement(speech_act="pledges", followups_checked=datetime.date.today())
    stated = make_statement(speech_act="states")
    drifted = StatementLink.objects.create(
        later=later, earlier=stated, relation="responds-to", source=later.source, text="We want"
    )
    StatementLink.objects.filter(pk=drifted.pk).update(start=drifted.start + 1, end=drifted.end + 1)

    response = editor_client.get(reverse("admin:curation"))
    sections = {section.slug: section for section in response.context["sections"]}

    def listed(slug):
        return [item.label for item in sections[slug].items]

    assert listed("uncompared") == [str(uncompared), str(mentioned)]
    assert sections["uncompared"].count == 2
    assert str(demand) in listed("unfollowed")
    for quiet in (followed, checked, stated):
        assert str(quiet) not in listed("unfollowed")
    assert listed("unanchored-statement-links") == [str(drifted)]
    assert str(link) not in listed("unanchored-statement-links")
    page = response.content.decode()
    assert admin_url(Event, "change", uncompared.pk) in page
    assert admin_url(Statement, "change", demand.pk) in page
    # A drifted link is fixed on its later statement's page, where its inline is.
    assert sections["unanchored-statement-links"].items[0].url == admin_url(
        Statement, "change", later.pk
    )
