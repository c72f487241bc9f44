"""Caching of the pages readers see.

Browsers and proxies: every reader page has an ETag (Django's
ConditionalGetMiddleware) and ``Cache-Control: no-cache``, so they revalidate
each time and get a 304 while nothing changed; a change shows at once.

The server: with ``PAGE_CACHE_SECONDS`` set, rendered pages for anonymous
readers are kept in Django's cache, keyed by the whole URL, the htmx headers
that change what a response holds (a fragment is never served for a page) and
whether the client accepts gzip (a compressed body only to one that does).
Any change to the timeline's records bumps a version that is part of every
key, so nothing stale is served after an edit. The version lives in the cache
itself, so every process must share one cache (Redis) for it to hold.

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
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.middleware.gzip import re_accepts_gzip
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.cache import patch_cache_control

from timeline.counts import current_version
from timeline.readers import is_reader_request

VERSION_KEY = "timeline:version"
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def timeline_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
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
    data before the change, was cached under a version that is no longer current."""
    bump_version()
    transaction.on_commit(bump_version, using=using)


def page_key(request) -> str:
    """The page cache's key for a request: what changes the response besides the records.
    Reader pages are compressed for a client that accepts gzip (``gzip_page``, which says
    ``Vary: Accept-Encoding``), so whether this one does is part of it, decided as that
    decides it: one client's gzip body is never served to another that cannot read it."""
    parts = [
        request.method,
        request.get_full_path(),
        *(request.headers.get(h, "") for h in HTMX_HEADERS),
        "gzip" if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")) else "",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{timeline_version()}:{digest}"


class ReaderCachingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cacheable = self.cacheable_request(request)
        if cacheable:
            key = page_key(request)
            response = cache.get(key)
            if response is not None:
                return response
        response = self.get_response(request)
        if response.has_header("Cache-Control"):  # the admin's pages say never_cache
            return response
        if response.status_code == 200 and not response.streaming:
            # Vary: Cookie (pages that look at who is signed in) keeps shared caches
            # correct; only a response that sets a cookie is one person's.
            private = bool(response.cookies)
            patch_cache_control(
                response, no_cache=True, **{"private" if private else "public": True}
            )
            if cacheable and not private:
                cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def cacheable_request(request) -> bool:
        return settings.PAGE_CACHE_SECONDS > 0 and is_reader_request(request)


# ---------------------------------------------------------------- fragments

# How long the cache keeps a fragment. One never goes stale (its key carries the
# version of the records); this only lets those of past versions and rare views go.
FRAGMENT_SECONDS = 24 * 3600


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
    it varies with besides the records. All are read at once, and those rendered
    afresh kept once the response is rendered (``keep``), if ``complete()`` says they
    may be (not when a count was skipped for time, say). ``version`` is the records'
    version from ``fragments_version``, read before the request read anything else."""

    def __init__(self, version: int | None, keys: dict[str, str], *, using: str):
        self.version, self.using = version, using
        self.complete = lambda: True
        self.keys, self.found, self.fresh = {}, {}, {}
        if self.version is None:
            return
        stamp = f"{self.version}:{release()}:{get_script_prefix()}"
        self.keys = {
            name: "fragment:" + hashlib.sha256(f"{stamp}:{name}:{vary}".encode()).hexdigest()
            for name, vary in keys.items()
        }
        cached = cache.get_many(list(self.keys.values()))
        self.found = {name: cached[key] for name, key in self.keys.items() if key in cached}

    def __contains__(self, name: str) -> bool:
        """Whether fragment ``name`` is kept already."""
        return name in self.found

    def render(self, name: str, render) -> str:
        """Fragment ``name``: as kept, or ``render()``ed now (and kept later, if it has a key)."""
        if name in self.found:
            return self.found[name]
        html = render()
        if name in self.keys:
            self.fresh[self.keys[name]] = html
        return html

    def keep(self, response=None):
        """Keep the fragments rendered afresh, if the records are still at the version
        read first: then everything the response read was of that version. A post-render
        callback of the response."""
        if self.fresh and self.complete() and current_version(self.using) == self.version:
            cache.set_many(self.fresh, FRAGMENT_SECONDS)
        self.fresh = {}
