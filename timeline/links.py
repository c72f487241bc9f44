"""Absolute links to the site's own pages, for what leaves the page: permalinks,
JSON-LD, the exports' URLs and their next pages.

They are built from the ``SITE_URL`` setting, never from the request's Host
header: the client chooses that header, and a page kept in the page cache would
hand its links to every later reader. Only in development, without
``SITE_URL``, does the request's own host stand in.
"""

from django.conf import settings


def absolute_url(request, path: str) -> str:
    """The absolute address of ``path`` (starting with "/") on this site."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)
