"""Who may do what in the admin: the Editors group curates the timeline and nothing
else, other staff cannot change it, anonymous visitors reach only the login page, and
an editor signs in through it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.admin_forms import PASSWORD, admin_url
from tests.factories import make_event
from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_the_editors_group_may_curate_the_timeline_and_nothing_else():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    for model in ("event", "eventactor", "statement", "source", "actor", "place"):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
    assert not any(name.endswith(("_user", "_group", "_permission")) for name in codenames)


def test_staff_outside_the_editors_group_cannot_change_timeline_data(client, django_user_model):
    event = make_event(title="Untouched")
    staff = django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    url = admin_url(Event, "change", event.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Vandalised"}).status_code == 403
    assert client.get(admin_url(Event, "add")).status_code == 403
    assert client.get(reverse("admin:curation")).status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Untouched"


def test_anonymous_users_reach_nothing_but_the_login_page(client):
    event = make_event()
    login = reverse("admin:login")
    assert client.get(login).status_code == 200
    for url in (
        reverse("admin:index"),
        reverse("admin:curation"),
        admin_url(Event, "changelist"),
        admin_url(Event, "change", event.pk),
        admin_url(Event, "history", event.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login)


def test_an_editor_can_sign_in_through_the_login_page(client, editor):
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": reverse("admin:index")},
        follow=True,
    )
    assert response.context["user"] == editor
    assert "Curation queue" in response.content.decode()
