"""Keyset paging: a page of rows after a cursor, and the cursor of the next page.

Never OFFSET, which reads and throws away every row before the page: a list is
ordered by a unique position (an event's date and slug, say), and a page starts
after the position where the last one ended. Cursors carry that position,
opaque in URLs.
"""

import base64
import binascii
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

PAGE_SIZE = 20
# How many events one address of the chronology shows at most, a page more each time
# "Show more" is followed; past that, the next events are a page of their own.
SHOWN_AT_MOST = 200
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
BROKEN_CURSOR = "This cursor is broken: follow a “show more” link."


class Cursor:
    """A position in a list ordered by date, then a key: (date, key), opaque in URLs."""

    @staticmethod
    def encode(event) -> str:
        return Cursor.pack(event.date_start, event.slug)

    @staticmethod
    def pack(date: datetime.date, key) -> str:
        """Any (date, key) position in a list ordered by date, then key."""
        raw = f"{date.isoformat()}|{key}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(value: str) -> tuple[datetime.date, str]:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            date, slug = raw.split("|", 1)
            if not SLUG_PATTERN.match(slug):
                raise ValueError(slug)
            return datetime.date.fromisoformat(date), slug
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise ValidationError(BROKEN_CURSOR, code="cursor") from error


@dataclass(frozen=True)
class Page:
    rows: list
    next: str | None  # the cursor of the next page, if there is one
    after: tuple | None  # the position this page goes on from (None: the first page)
    following: object = None  # the first row of the next page, if there is one


def page_of(rows, encode, after=None, size: int = PAGE_SIZE) -> Page:
    """The first ``size`` of ``rows``, a queryset in keyset order already started
    ``after`` a position, and the next page's cursor, ``encode``d from its last row."""
    fetched = list(rows[: size + 1])
    more = len(fetched) > size
    if not more:
        return Page(fetched, None, after)
    return Page(fetched[:size], encode(fetched[size - 1]), after, fetched[size])
