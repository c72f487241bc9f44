"""Caching of the pages readers see.

Browsers and proxies: every reader page has an ETag (Django's
ConditionalGetMiddleware) and ``Cache-Control: no-cache``, so they revalidate
each time and get a 304 while nothing changed; a change shows at once.

The server: with ``PAGE_CACHE_SECONDS`` set, rendered pages for anonymous
readers are kept in Django's cache, keyed by the whole URL and the htmx headers
that change what a response holds (a fragment is never served for a page).
Any change to the timeline's records bumps a version that is part of every
key, so nothing stale is served after an edit. The version lives in the cache
itself, so every process must share one cache (Redis) for it to hold.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import patch_cache_control

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
    parts = [
        request.method,
        request.get_full_path(),
        *(request.headers.get(h, "") for h in HTMX_HEADERS),
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
