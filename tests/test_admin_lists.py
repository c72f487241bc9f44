"""The admin's lists: every timeline record has one, it opens on the real data, and the
event list shows its counts and filters by sourcing, year, publication and names."""

import datetime

import pytest
from django.contrib import admin

from tests.admin_forms import admin_url
from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.models import Actor, Event, Place, Source, Statement

pytestmark = pytest.mark.django_db

MODELS = [Event, Actor, Place, Source, Statement]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_registered_in_the_admin(model):
    assert admin.site.is_registered(model)


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
