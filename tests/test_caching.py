"""Reader pages are cacheable: revalidated with ETags, kept server-side when asked,
and never stale after an edit."""

import gzip

import pytest
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.templatetags.static import static
from django.test import Client
from django.utils.csp import CSP

from tests.factories import make_event
from timeline.caching import VERSION_KEY, ReaderCachingMiddleware, bump_version, timeline_version
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


# ------------------------------------------------------------ what a hit costs and holds


class CacheCalls:
    """The calls made on the cache backend, the outermost of each only (LocMem's
    get_many calls its own get): one Redis round trip each."""

    NAMES = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key")

    def __init__(self, monkeypatch):
        self.calls, self.depth = [], 0
        backend = caches["default"]
        for name in self.NAMES:
            monkeypatch.setattr(backend, name, self.counted(name, getattr(backend, name)))

    def counted(self, name, method):
        def call(*args, **kwargs):
            if not self.depth:
                self.calls.append(name)
            self.depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                self.depth -= 1

        return call


@pytest.fixture
def cache_calls(monkeypatch):
    return CacheCalls(monkeypatch)


def test_a_page_cache_hit_makes_one_round_trip_to_the_cache(client, page_cache, cache_calls):
    make_event(title="A cached event")
    client.get(HOME)
    cache_calls.calls.clear()
    assert "A cached event" in client.get(HOME).content.decode()
    assert cache_calls.calls == ["get_many"]


def test_a_page_cache_hit_is_the_page_as_the_middleware_finished_it(client, page_cache, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    make_event()
    kept = client.get(HOME, secure=True)
    hit = client.get(HOME, secure=True)
    assert hit.content == kept.content
    assert dict(hit.items()) == dict(kept.items())
    for header in (
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "ETag",
    ):
        assert hit.has_header(header), header
    assert hit["Cache-Control"] == "no-cache, public"


def test_a_page_cache_hit_does_not_hash_the_page_again(client, page_cache, monkeypatch):
    make_event()
    client.get(HOME)
    hashed = []
    monkeypatch.setattr("django.middleware.http.set_response_etag", hashed.append)
    client.get(HOME)
    assert hashed == []


def test_a_page_cache_hit_answers_304_to_a_conditional_request(
    client, page_cache, django_assert_num_queries
):
    make_event()
    first = client.get(HOME)
    with django_assert_num_queries(0):
        again = revalidate(client, HOME, first)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache, public"
    assert revalidate(client, HOME, first, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_conditional_request_that_misses_still_fills_the_page_cache(
    client, page_cache, django_assert_num_queries
):
    # After an edit every kept page is stale, and browsers revalidate: a page the edit did
    # not change answers them 304, and is kept for the readers after them.
    make_event()
    first = client.get(HOME)
    bump_version()
    again = revalidate(client, HOME, first)
    assert again.status_code == 304
    assert again["Cache-Control"] == "no-cache, public"
    with django_assert_num_queries(0):
        assert client.get(HOME).content == first.content


def test_a_page_kept_at_an_older_version_is_not_served(client, page_cache):
    cached_then_changed_quietly(client)
    bump_version()
    assert "The title since" in client.get(HOME).content.decode()


def test_a_page_rendered_while_the_records_changed_is_never_served(rf, page_cache):
    # An edit committed while the page rendered: the page may hold the records from before.
    answers = []

    def view(request):
        answers.append(HttpResponse(f"answer {len(answers)}"))
        if len(answers) == 1:
            bump_version()
        return answers[-1]

    middleware = ReaderCachingMiddleware(view)
    assert [middleware(rf.get(HOME)).content for _ in range(3)] == [
        b"answer 0",
        b"answer 1",
        b"answer 1",
    ]


def test_a_page_kept_before_the_version_was_lost_is_not_served_after(client, page_cache):
    # Redis may evict the version (allkeys-lru): it comes back as none a page was kept
    # at, not as the one it first had, which the pages kept then were kept at.
    make_event(title="The title when cached")
    cache.delete(VERSION_KEY)
    assert "The title when cached" in client.get(HOME).content.decode()
    Event.objects.update(title="The title since")
    bump_version()
    cache.delete(VERSION_KEY)
    assert "The title since" in client.get(HOME).content.decode()


def test_a_response_that_sets_a_cookie_is_never_kept(rf, page_cache):
    answers = []

    def view(request):
        answers.append(HttpResponse(f"answer {len(answers)}"))
        answers[-1].set_cookie("seen", "yes")
        return answers[-1]

    middleware = ReaderCachingMiddleware(view)
    assert [middleware(rf.get(HOME)).content for _ in range(2)] == [b"answer 0", b"answer 1"]
    assert "private" in answers[-1]["Cache-Control"]


def test_a_page_whose_policy_has_a_nonce_is_never_kept(rf, page_cache, settings):
    # The nonce is drawn for each request (when a page uses it): another's is no use.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": [CSP.SELF, CSP.NONCE]}

    def view(request):
        return HttpResponse(f'<script nonce="{get_nonce(request)}"></script>')

    middleware = ReaderCachingMiddleware(ContentSecurityPolicyMiddleware(view))
    first, again = middleware(rf.get(HOME)), middleware(rf.get(HOME))
    assert first.content != again.content
    assert first["Content-Security-Policy"] != again["Content-Security-Policy"]
    nonce = again.content.decode().split('"')[1]
    assert f"'nonce-{nonce}'" in again["Content-Security-Policy"]


def test_a_page_kept_over_https_is_not_served_to_a_request_redirected_there(
    client, page_cache, settings
):
    settings.SECURE_SSL_REDIRECT = True
    make_event()
    assert client.get(HOME, secure=True).status_code == 200
    redirected = client.get(HOME)
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/"


def test_a_page_kept_over_http_is_not_served_over_https_without_hsts(client, page_cache, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    make_event()
    assert not client.get(HOME).has_header("Strict-Transport-Security")
    assert client.get(HOME, secure=True).has_header("Strict-Transport-Security")


def test_static_files_are_served_by_whitenoise_without_the_page_cache(
    client, page_cache, cache_calls
):
    response = client.get(static("css/site.css"))
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content)
    assert cache_calls.calls == []
