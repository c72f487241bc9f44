import datetime

import pytest
from django.urls import reverse

from tests.factories import make_event

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_published_events_in_date_order(client):
    later = make_event(title="The later meeting", date_start=datetime.date(2023, 9, 26))
    earlier = make_event(title="The earlier meeting", date_start=datetime.date(1994, 5, 1))
    response = client.get(reverse("timeline:chronology"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(earlier.title) < page.index(later.title)


def test_draft_events_are_not_on_the_home_page(client):
    make_event(title="A draft nobody should see", publication="draft")
    response = client.get(reverse("timeline:chronology"))
    assert "A draft nobody should see" not in response.content.decode()


def test_the_home_page_serves_the_real_timeline(client, seeded):
    response = client.get(reverse("timeline:chronology"))
    assert response.status_code == 200
    assert "Blinken and Aliyev speak by phone after the Azerbaijani operation" in (
        response.content.decode()
    )
