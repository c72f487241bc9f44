"""Caching of the pages readers see.

Browsers and proxies: every reader page has an ETag and ``Cache-Control: no-cache``,
so they revalidate each time and get a 304 while nothing changed; a change shows at
once. ``ReaderCachingMiddleware`` gives the ETags and answers the conditional
requests, with Django's own ``ConditionalGetMiddleware`` code, for every response but
static files (WhiteNoise answers for those).

The server: with ``PAGE_CACHE_SECONDS`` set, rendered pages for anonymous readers are
kept in Django's cache, keyed by the whole URL and its scheme, the htmx headers that
change what a response holds (a fragment is never served for a page), whether the
client accepts gzip (a compressed body only to one that does) and the release of the
code. Each is kept with the version of the records it was rendered at, read before it
was rendered, and served only while that is still the version: any change to the
records bumps it, so nothing stale is served after an edit. The version lives in the
cache itself, so every process must share one cache (Redis) for it to hold; a hit
reads the version and the page in one round trip. The middleware is the outermost
one: a page is kept as the inner ones (security headers, Content Security Policy,
ETag) finished it, so a hit is answered without running them. The policy holds no
nonce, which is drawn for each request: a page whose policy did is never kept.

Fragments: whatever the page cache holds, the parts of a page that every reader
of it sees alike (the chronology's facets and axis for a set of filters, its page
of events, the body of an event's page) are kept rendered in Django's cache,
each under the version of the records (``counts.current_version``) and what else
it varies with, so that a page renders only what is its own. Readers only: staff
previewing drafts neither read nor fill them. A fragment is kept only when the
records were at that version from before the request read anything until after
it rendered, so one rendered from records an edit has changed is never kept
under a version that says otherwise.
"""

import functools
import hashlib
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.middleware.http import ConditionalGetMiddleware
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP

from timeline.counts import CacheBatch, current_version
from timeline.readers import is_reader_request

VERSION_KEY = "timeline:version"
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
# Their names in request.META, read there on a hit: building request.headers would
# cost as much as the rest of the key.
HTMX_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in HTMX_HEADERS)
CSP_HEADERS = (CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY)


def timeline_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A random start, not 1: should the version be evicted (or the cache flushed
        # but for some pages), it comes back as none that a kept page was rendered at.
        cache.add(VERSION_KEY, secrets.randbits(48), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_version():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache yet (or evicted): any new value will do
        cache.set(VERSION_KEY, timeline_version() + 1, timeout=None)


def timeline_changed(using=None, **kwargs):
    """Signal receiver: a record changed, so every cached page is out of date. Bumped at
    once, and again when the change commits: a page rendered between the two, from the
    data before the change, was kept with a version that is no longer current."""
    bump_version()
    transaction.on_commit(bump_version, using=using)


def page_key(request) -> str:
    """The page cache's key for a request: what changes the response besides the records.
    Reader pages are compressed for a client that accepts gzip (``gzip_page``, which says
    ``Vary: Accept-Encoding``), so whether this one does is part of it, decided as that
    decides it: one client's gzip body is never served to another that cannot read it.
    The scheme too: only a page served over HTTPS carries HSTS. And the release of the
    code, so that a deployment neither serves what the code before it rendered nor
    reads what it kept in another shape."""
    parts = [
        request.method,
        request.scheme,
        request.get_full_path(),
        *(request.META.get(name, "") for name in HTMX_META),
        "gzip" if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "",
        release(),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class ReaderCachingMiddleware:
    """Cache-Control for reader pages, ETags and 304s for every response but static
    files, and the page cache (see the module's docstring). First in MIDDLEWARE: a hit
    needs no other."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)
        # Where WhiteNoise serves static files (it looks at path_info as well).
        static = urlsplit(settings.STATIC_URL or "").path.rstrip("/")
        if static:
            script_prefix = get_script_prefix().rstrip("/")
            if script_prefix and static.startswith(script_prefix):
                static = static.removeprefix(script_prefix)
        self.static_prefix = static + "/" if static else None

    def __call__(self, request):
        if self.static_prefix and request.path_info.startswith(self.static_prefix):
            return self.get_response(request)  # WhiteNoise's, or a 404
        key = version = None
        if self.cacheable_request(request):
            key = page_key(request)
            found = cache.get_many([VERSION_KEY, key])  # one round trip (Redis: MGET)
            version = found.get(VERSION_KEY)
            if version is None:
                version = timeline_version()
            kept = found.get(key)
            if kept is not None and kept[0] == version:
                return self.conditional.process_response(request, unpack(kept))
        response = self.get_response(request)
        keep = False
        # The admin's pages say never_cache, previews private, WhiteNoise's files long.
        if (
            not response.has_header("Cache-Control")
            and response.status_code == 200
            and not response.streaming
        ):
            # Vary: Cookie (pages that look at who is signed in) keeps shared caches
            # correct; only a response that sets a cookie is one person's.
            private = bool(response.cookies)
            patch_cache_control(
                response, no_cache=True, **{"private" if private else "public": True}
            )
            keep = key is not None and not private and not has_nonce(response)
        # The ETag is set on ``response`` itself, before the answer (maybe a 304) is
        # chosen, so that the page is kept with it.
        answer = self.conditional.process_response(request, response)
        if keep:
            cache.set(key, pack(version, response), settings.PAGE_CACHE_SECONDS)
        return answer

    @staticmethod
    def cacheable_request(request) -> bool:
        """A reader's request, unless SecurityMiddleware would redirect it to HTTPS."""
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
            and is_reader_request(request)
        )


def has_nonce(response) -> bool:
    """Whether the response's policy names a nonce (another request's, on a hit)."""
    return any("'nonce-" in response.get(header, "") for header in CSP_HEADERS)


def pack(version: int, response) -> tuple:
    """A page as kept: cheaper to read back than the response pickled whole."""
    return version, tuple(response.items()), response.content


def unpack(kept: tuple) -> HttpResponse:
    """The response again, from what ``pack`` kept."""
    _, headers, content = kept
    return HttpResponse(content, headers=headers)


# ---------------------------------------------------------------- fragments


@functools.cache
def release() -> str:
    """A digest of the code and templates that render fragments: a deployment that
    changes them keys its fragments anew, never showing what the code before it made."""
    digest = hashlib.sha256()
    for root in [Path(__file__).resolve().parent, *map(Path, settings.TEMPLATES[0]["DIRS"])]:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@receiver(file_changed)
def code_edited(sender, file_path, **kwargs):
    """runserver: a template edited in development is used at once (Python code restarts
    the server), so fragments rendered from the one before must not be."""
    release.cache_clear()


def fragments_version(request, using: str) -> int | None:
    """The version under which a request's fragments are kept: that of the records now,
    for a reader; None (nothing is read from or kept in the cache) for staff, or while
    a change awaits its recount."""
    return current_version(using) if is_reader_request(request) else None


class Fragments:
    """The fragments of one response that the cache keeps: ``keys`` maps each one's
    name, as ``{% fragment %}`` gives it (timeline/templatetags/fragments.py), to what
    it varies with besides the records. They are read at once with the ``also`` keys
    (the counts a view may need, say: see ``batch``), and those rendered afresh kept
    with whatever else was ``put`` in the ``batch`` once the response is rendered
    (``keep``), if ``complete()`` says they may be (not when a count was skipped for
    time, say). ``version`` is the records' version from ``fragments_version``, read
    before the request read anything else."""

    def __init__(self, version: int | None, keys: dict[str, str], *, using: str, also=()):
        self.version, self.using = version, using
        self.complete = lambda: True
        self.keys, self.batch = {}, CacheBatch()
        if self.version is None:
            return
        stamp = f"{self.version}:{release()}:{get_script_prefix()}"
        self.keys = {
            name: "fragment:" + hashlib.sha256(f"{stamp}:{name}:{vary}".encode()).hexdigest()
            for name, vary in keys.items()
        }
        self.batch.fetch([*self.keys.values(), *also])

    def __contains__(self, name: str) -> bool:
        """Whether fragment ``name`` is kept already."""
        return name in self.keys and self.batch.found[self.keys[name]] is not None

    def render(self, name: str, render) -> str:
        """Fragment ``name``: as kept, or ``render()``ed now (and kept later, if it has a key)."""
        if name in self:
            return self.batch.found[self.keys[name]]
        html = render()
        if name in self.keys:
            self.batch.put(self.keys[name], html)
        return html

    def keep(self, response=None):
        """Keep what was rendered or counted afresh, if the records are still at the
        version read first: then everything the response read was of that version. A
        post-render callback of the response."""
        if self.batch.fresh and self.complete() and current_version(self.using) == self.version:
            self.batch.write()
        self.batch.fresh = {}
