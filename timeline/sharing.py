"""Links that survive sharing. Newsletters, social networks and ad platforms add
parameters of their own to the links they carry (``utm_source``, ``fbclid``, ...).
The site's pages answer a parameter they do not know with a 400 that names it, so
that a mistyped filter is never silently ignored; a known tracking parameter is not
a mistake, so it answers a 301 to the same address without it, and the reader lands
on the page that was shared, at its one address.

The known ones are ``TRACKING_PREFIXES`` and ``TRACKING_PARAMETERS`` (the README
lists them); any other unknown parameter is still a 400.
"""

from urllib.parse import unquote_plus

from django.http import HttpResponsePermanentRedirect
from django.utils.encoding import escape_uri_path
from django.utils.http import escape_leading_slashes

# Campaign parameters (Google Analytics' convention, used by every newsletter tool).
TRACKING_PREFIXES = ("utm_",)
# Click identifiers and mailing-list parameters, by who adds them.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",  # Facebook, Instagram
        "igshid",  # Instagram
        "gclid", "gbraid", "wbraid", "dclid", "gad_source",  # Google Ads
        "srsltid",  # Google Merchant Center, on results in Google Search
        "_gl",  # Google Analytics, across domains
        "msclkid",  # Microsoft Advertising
        "twclid",  # X (Twitter)
        "li_fat_id",  # LinkedIn
        "ttclid",  # TikTok
        "yclid",  # Yandex
        "mc_cid", "mc_eid",  # Mailchimp
        "_hsenc", "_hsmi",  # HubSpot
        "mkt_tok",  # Marketo
    }
)  # fmt: skip


def is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def without_tracking(query_string: str) -> str | None:
    """``query_string`` without its tracking parameters, the others as they were sent
    (order and encoding kept); None when it has none."""
    parts = [part for part in query_string.split("&") if part]
    kept = [part for part in parts if not is_tracking(unquote_plus(part.partition("=")[0]))]
    return None if len(kept) == len(parts) else "&".join(kept)


class TrackingParametersMiddleware:
    """A GET or HEAD whose query string carries tracking parameters: a 301 to the same
    path without them. Before the views and CommonMiddleware: a mistyped filter beside
    them is then named by the page it was meant for, once the reader is there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_string = request.META.get("QUERY_STRING", "")
        if query_string and request.method in ("GET", "HEAD"):
            kept = without_tracking(query_string)
            if kept is not None:
                # The path as request.get_full_path() gives it; one starting "//" would lead
                # to another host ("//evil.example/"): kept on this one, as CommonMiddleware
                # keeps it.
                path = escape_leading_slashes(escape_uri_path(request.path))
                return HttpResponsePermanentRedirect(path + ("?" + kept if kept else ""))
        return self.get_response(request)
