"""In a single year's view (or a month's) the axis drills down: a bar a month of
that year, each a link to that month with the other filters, counted as filtering
by it would count, from the record's index or in SQL."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import make_event
from timeline import counts

pytestmark = pytest.mark.django_db
HOME = reverse("timeline:chronology")
D = datetime.date


@pytest.fixture(params=["index", "sql"])
def record(request):
    make_event(kind="talks", date_start=D(2022, 9, 13))
    make_event(kind="talks", date_start=D(2022, 9, 14), date_end=D(2022, 11, 2))
    make_event(kind="meeting", date_start=D(2022, 1, 5))
    make_event(kind="talks", date_start=D(2021, 12, 20), date_end=D(2022, 2, 1))
    make_event(kind="talks", date_start=D(2023, 9, 19))
    if request.param == "index":
        counts.recount()


def months_of(client, params) -> dict[str, int]:
    response = client.get(HOME, params)
    assert response.status_code == 200
    return {bar["month"]: bar["count"] for bar in response.context["months"]}


def test_a_years_view_has_a_bar_a_month_counted_as_each_month_would_filter(client, record):
    got = months_of(client, {"from": "2022", "to": "2022", "kind": "talks"})
    assert got == {"Jan": 1, "Feb": 1, "Mar": 0, "Apr": 0, "May": 0, "Jun": 0, "Jul": 0,
                   "Aug": 0, "Sep": 2, "Oct": 1, "Nov": 1, "Dec": 0}  # fmt: skip
    for month, n in got.items():
        number = list(got).index(month) + 1
        period = f"2022-{number:02}"
        matching = client.get(HOME, {"from": period, "to": period, "kind": "talks"})
        assert matching.context["count"] == n, month


def test_two_clicks_on_the_axis_narrow_to_a_month(client, record):
    year = next(bar for bar in client.get(HOME).context["axis"] if bar["year"] == 2022)
    response = client.get(HOME + year["url"])
    september = next(bar for bar in response.context["months"] if bar["month"] == "Sep")
    assert september["url"] == "?from=2022-09&to=2022-09"
    html = client.get(HOME + september["url"]).content.decode()
    assert 'aria-label="Events per month of 2022"' in html
    assert 'aria-label="September 2022: 2 events" aria-current="true"' in html


def test_a_view_over_several_years_has_no_month_bars(client, record):
    assert client.get(HOME, {"from": "2021", "to": "2022"}).context["months"] is None
    assert "Events per month" not in client.get(HOME).content.decode()


def test_the_last_year_a_date_can_have_still_has_its_months(client, record):
    response = client.get(HOME, {"from": "9999", "to": "9999"})
    assert response.status_code == 200
    assert [bar["count"] for bar in response.context["months"]] == [0] * 12
