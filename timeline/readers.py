"""Which requests are anonymous readers', served alike to all of them.

A GET or HEAD outside the admin, from someone not signed in: its answer depends
on nothing but the address (and htmx's headers), so it may be cached, and may be
read from a replica.

Whether someone is signed in is decided by the session store, not by the mere
presence of a session cookie: anyone can send a cookie by that name, and would
otherwise bypass the page cache (and the replica) at will. This runs before
Django's session and authentication middleware, so it looks the cookie's
session up itself: once per request, only when the cookie is there, and
without loading the user.
"""

import functools
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import get_script_prefix, get_urlconf, reverse

_DECIDED = "_timeline_reader_request"


def is_reader_request(request) -> bool:
    decided = getattr(request, _DECIDED, None)
    if decided is None:
        decided = (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(
                admin_prefix(get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
            )
            and not has_signed_in_session(request)
        )
        setattr(request, _DECIDED, decided)
    return decided


@functools.lru_cache(maxsize=8)
def admin_prefix(urlconf, script_prefix) -> str:
    """Where the admin is, under that URLconf and script prefix: reversed once, not for
    every request (it cost a tenth of a page-cache hit)."""
    return reverse("admin:index", urlconf=urlconf)


def has_signed_in_session(request) -> bool:
    """Whether the request's session cookie names a live session holding a signed-in user."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    if session.session_key is None:  # not even shaped like a key: nothing to look up
        return False
    return SESSION_KEY in session
