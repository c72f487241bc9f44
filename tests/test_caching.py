"""Reader pages are cacheable: revalidated with ETags, kept server-side when asked,
and never stale after an edit."""

import gzip

import pytest
from django.test import Client

from tests.factories import make_event
from timeline.caching import timeline_version
from timeline.models import Event

pytestmark = pytest.mark.django_db
HOME = "/"
FRAGMENT = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


def revalidate(client, url, response, **kwargs):
    return client.get(
        url, headers={"If-None-Match": response["ETag"], **kwargs.pop("headers", {})}, **kwargs
    )


@pytest.mark.parametrize(
    "url",
    [HOME, "/events.json", "/?kind=meeting"],
)
def test_an_unchanged_reader_page_answers_304_to_a_conditional_request(client, url):
    make_event()
    first = client.get(url)
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    again = revalidate(client, url, first)
    assert again.status_code == 304
    assert again.content == b""


def test_the_event_page_is_revalidated_too(client):
    event = make_event()
    first = client.get(event.get_absolute_url())
    assert revalidate(client, event.get_absolute_url(), first).status_code == 304


def test_publishing_an_event_shows_at_once_to_a_revalidating_reader(client):
    make_event(title="Already public")
    draft = make_event(title="Published a moment ago", publication="draft")
    first = client.get(HOME)
    draft.publication = "published"
    draft.save()
    again = revalidate(client, HOME, first)
    assert again.status_code == 200
    assert "Published a moment ago" in again.content.decode()


def test_the_htmx_fragment_and_the_page_have_different_etags_and_say_so(client):
    make_event()
    page = client.get(HOME)
    fragment = client.get(HOME, headers=FRAGMENT)
    assert page["ETag"] != fragment["ETag"]
    assert "HX-Request" in fragment["Vary"]
    assert "<html" not in fragment.content.decode()


def test_the_page_cache_serves_readers_without_asking_the_database(
    client, page_cache, django_assert_num_queries
):
    make_event(title="A cached event")
    assert "A cached event" in client.get(HOME).content.decode()
    with django_assert_num_queries(0):
        assert "A cached event" in client.get(HOME).content.decode()


def test_the_page_cache_key_respects_htmx_headers(client, page_cache):
    make_event()
    client.get(HOME)
    fragment = client.get(HOME, headers=FRAGMENT)
    assert "<html" not in fragment.content.decode()
    assert "<html" in client.get(HOME).content.decode()


@pytest.mark.parametrize(
    ("first", "then"), [("gzip, deflate, br", "identity"), ("", "gzip"), ("deflate", "gzip;q=1.0")]
)
def test_the_page_cache_serves_a_compressed_page_only_to_a_client_that_accepts_gzip(
    client, page_cache, first, then
):
    make_event(title="A cached event")
    kept = client.get(HOME, headers={"Accept-Encoding": first})
    assert (kept.get("Content-Encoding") == "gzip") == ("gzip" in first)
    response = client.get(HOME, headers={"Accept-Encoding": then})
    compressed = response.get("Content-Encoding") == "gzip"
    assert compressed == ("gzip" in then)
    body = gzip.decompress(response.content) if compressed else response.content
    assert "A cached event" in body.decode()
    assert "Accept-Encoding" in response["Vary"]


def test_the_page_cache_keeps_one_page_for_the_clients_that_accept_gzip(
    client, page_cache, django_assert_num_queries
):
    make_event()
    client.get(HOME, headers={"Accept-Encoding": "gzip, deflate"})
    with django_assert_num_queries(0):
        response = client.get(HOME, headers={"Accept-Encoding": "br, gzip"})
    assert response["Content-Encoding"] == "gzip"


def test_an_edit_empties_the_page_cache_at_once(client, page_cache):
    event = make_event(title="The old title")
    assert "The old title" in client.get(HOME).content.decode()
    event.title = "The new title"
    event.save()
    page = client.get(HOME).content.decode()
    assert "The new title" in page
    assert "The old title" not in page


def test_signed_in_staff_bypass_the_page_cache(admin_client, page_cache):
    draft = make_event(title="A draft", publication="draft")
    reader = Client()
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert admin_client.get(draft.get_absolute_url()).status_code == 200
    assert reader.get(draft.get_absolute_url()).status_code == 404


def cached_then_changed_quietly(client) -> None:
    """The home page cached with one title, then the title changed without the signal
    that empties the cache: a response with the old title came from the cache."""
    make_event(title="The title when cached")
    assert "The title when cached" in client.get(HOME).content.decode()
    Event.objects.update(title="The title since")


def test_a_junk_session_cookie_is_still_served_from_the_page_cache(
    client, page_cache, settings, django_assert_max_num_queries
):
    cached_then_changed_quietly(client)
    for junk in ("abc", "x" * 32):
        visitor = Client()
        visitor.cookies[settings.SESSION_COOKIE_NAME] = junk
        with django_assert_max_num_queries(1):  # looking the cookie's session up, no more
            page = visitor.get(HOME).content.decode()
        assert "The title when cached" in page, junk


def test_a_real_signed_in_session_bypasses_the_page_cache(client, admin_client, page_cache):
    cached_then_changed_quietly(client)
    assert "The title since" in admin_client.get(HOME).content.decode()
    assert "The title when cached" in client.get(HOME).content.decode()


def test_a_page_cached_before_a_change_commits_is_not_served_after_it(
    django_capture_on_commit_callbacks,
):
    # Another process may render a page between the change's save and its commit, from
    # the data before it; that page must not stay current once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        make_event()
        version_before_commit = timeline_version()
    assert timeline_version() != version_before_commit
