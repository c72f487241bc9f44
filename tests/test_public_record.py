"""Nothing outside the published record reaches readers: not a draft's actors, places or
sources, nor whether a draft exists at all. Staff preview it, and their previews are
never kept by a cache."""

import datetime

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.factories import make_actor, make_event, make_place, make_source, make_statement
from timeline.caching import ReaderCachingMiddleware
from timeline.keyset import Cursor
from timeline.models import Actor, Event, Place, Source

pytestmark = pytest.mark.django_db


def draft(**fields) -> Event:
    return make_event(publication=Event.Publication.DRAFT, **fields)


def url(name: str, slug: str) -> str:
    return reverse(f"timeline:{name}", kwargs={"slug": slug})


def test_what_the_public_record_shows_is_public_and_nothing_else():
    in_role, speaker, addressee = make_actor(), make_actor(), make_actor()
    cited, place = make_source(), make_place()
    event = make_event(actors=[in_role], sources=[cited], places=[place])
    statement = make_statement(event=event, source=cited, speaker=speaker)
    statement.addressees.set([addressee])
    hidden_actor, hidden_speaker, hidden_source, hidden_place = (
        make_actor(),
        make_actor(),
        make_source(),
        make_place(),
    )
    hidden = draft(actors=[hidden_actor], sources=[hidden_source], places=[hidden_place])
    make_statement(event=hidden, source=hidden_source, speaker=hidden_speaker)
    unused = make_actor(affiliation=in_role)

    assert set(Actor.objects.public()) == {in_role, speaker, addressee}
    assert set(Source.objects.public()) == {cited}
    assert set(Place.objects.public()) == {place}
    assert unused not in Actor.objects.public()


def test_an_actor_or_source_only_in_drafts_is_not_found(client):
    actor, source = make_actor(), make_source()
    event = draft(actors=[actor], sources=[source])
    make_statement(event=event, source=source, speaker=make_actor(slug="draft-speaker"))
    for name, slug in [("actor", actor.slug), ("actor", "draft-speaker"), ("source", source.slug)]:
        response = client.get(url(name, slug))
        assert response.status_code == 404, (name, slug)
        assert response.content == client.get(url(name, "no-such-" + name)).content


def test_an_actor_in_nothing_at_all_is_not_found(client):
    assert client.get(url("actor", make_actor().slug)).status_code == 404
    assert client.get(url("source", make_source().slug)).status_code == 404


def test_an_actor_once_published_has_its_page(client):
    actor = make_actor()
    event = draft(actors=[actor])
    event.publication = Event.Publication.PUBLISHED
    event.save()
    assert client.get(url("actor", actor.slug)).status_code == 200


def test_a_members_list_holds_only_public_actors(client):
    body = make_actor(slug="body", name="The Body")
    shown = make_actor(name="Shown Member", affiliation=body)
    make_actor(name="Secret Member", affiliation=body)
    draft(actors=[Actor.objects.get(name="Secret Member")])
    make_event(actors=[body, shown])
    response = client.get(url("actor", "body"))
    assert [member.name for member in response.context["members"]] == ["Shown Member"]
    assert "Secret Member" not in response.content.decode()


def test_an_affiliation_without_a_public_page_is_named_but_not_linked(client):
    state = make_actor(slug="a-state", name="A State")
    body = make_actor(slug="a-body", affiliation=state)
    make_event(actors=[body])
    html = client.get(url("actor", "a-body")).content.decode()
    assert "A State" in html
    assert url("actor", "a-state") not in html


@pytest.mark.parametrize("name", ["actor", "place"])
def test_a_drafts_actor_or_place_is_an_unknown_filter_like_a_missing_one(client, name):
    hidden = make_actor(slug="hidden") if name == "actor" else make_place(slug="hidden")
    draft(**{f"{name}s": [hidden]})
    for slug in ("hidden", "does-not-exist"):
        response = client.get(reverse("timeline:chronology"), {name: slug})
        assert response.status_code == 400, slug
        assert response.context["errors"] == [(name, f"Unknown {name}: {slug}.")]
        data = client.get(reverse("timeline:events-json"), {name: slug}).json()
        assert data == {"errors": [{"parameter": name, "message": f"Unknown {name}: {slug}."}]}


def test_a_filter_by_an_addressee_is_known():
    """An addressee is named on a published event's page, so it is no secret."""
    addressee = make_actor(slug="addressee")
    make_statement(speaker=make_actor()).addressees.set([addressee])
    response = Client().get(reverse("timeline:chronology"), {"actor": "addressee"})
    assert response.status_code == 200


def test_a_cursor_naming_a_draft_pages_as_if_the_draft_did_not_exist(client):
    for day in (1, 2, 3):
        make_event(date_start=datetime.date(2021, 6, day))
    # Dated by year, at another date: were its heading used, the next page would repeat
    # the "June 2021" heading or not, depending on whether the draft exists.
    secret = draft(slug="secret-plan", date_start=datetime.date(2019, 1, 1), date_precision="year")
    cursor = {"cursor": Cursor.pack(datetime.date(2021, 6, 1), "secret-plan")}
    with_draft = client.get(reverse("timeline:chronology"), cursor)
    secret.delete()
    without_draft = client.get(reverse("timeline:chronology"), cursor)
    assert with_draft.status_code == without_draft.status_code == 200
    assert with_draft.content == without_draft.content


def assert_kept_by_no_cache(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_staff_preview_a_drafts_page_and_it_is_kept_by_no_cache(admin_client):
    page = admin_client.get(draft().get_absolute_url())
    assert page.status_code == 200
    assert_kept_by_no_cache(page)


def test_staff_preview_a_published_events_page_next_to_a_draft_privately(admin_client):
    event = make_event(date_start=datetime.date(2020, 1, 1))
    assert "public" in admin_client.get(event.get_absolute_url())["Cache-Control"]
    draft(date_start=datetime.date(2020, 1, 2))
    assert_kept_by_no_cache(admin_client.get(event.get_absolute_url()))


@pytest.mark.parametrize("name", ["actor", "source"])
def test_staff_preview_an_unpublished_actor_or_source_and_it_is_kept_by_no_cache(
    admin_client, name
):
    actor, source = make_actor(), make_source()
    draft(actors=[actor], sources=[source])
    slug = actor.slug if name == "actor" else source.slug
    page = admin_client.get(url(name, slug))
    assert page.status_code == 200
    assert_kept_by_no_cache(page)


def test_staff_see_a_public_actors_page_as_readers_do(admin_client):
    actor = make_actor()
    make_event(actors=[actor])
    page = admin_client.get(url("actor", actor.slug))
    assert "no-store" not in page["Cache-Control"]


def test_the_page_cache_never_keeps_a_private_answer(rf, settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    answers = []

    def view(request):
        response = HttpResponse(f"answer {len(answers)}")
        response["Cache-Control"] = "private, no-store"
        answers.append(response)
        return response

    middleware = ReaderCachingMiddleware(view)
    first = middleware(rf.get("/events/x/"))
    second = middleware(rf.get("/events/x/"))
    assert (first.content, second.content) == (b"answer 0", b"answer 1")
    assert second["Cache-Control"] == "private, no-store"
    cache.clear()
