"""Which requests are anonymous readers', served alike to all of them.

A GET or HEAD outside the admin, from someone without a session: its answer
depends on nothing but the address (and htmx's headers), so it may be cached,
and may be read from a replica.
"""

from django.conf import settings
from django.urls import reverse


def is_reader_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(reverse("admin:index"))
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )
