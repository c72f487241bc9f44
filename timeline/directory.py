"""The index pages: ``/actors/``, ``/places/`` and ``/sources/``, each with a JSON
twin. Only what published events show is listed (``public()``), grouped by kind,
each with how many published events it is in, searchable by name and alias (a
source: by headline and outlet), and paged by keyset on (kind, slug): never OFFSET,
and never a count of the whole list."""

import base64
import binascii
import re
from dataclasses import dataclass

import numpy as np
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse

from timeline.forms import ChronologyFilter, QueryStringForm
from timeline.keyset import BROKEN_CURSOR, Page
from timeline.models import Actor, Event, EventActor, Place, Source

PAGE_SIZE = 50
# How many rows are read at a time to find a page's public ones.
CHUNK = 100
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class Directory:
    """One index page: what it lists and how a reader finds a row in it."""

    name: str  # its URL's name: "actors" serves /actors/ and /actors.json
    title: str
    noun: str  # one of its rows
    model: type
    searched: tuple[str, ...]  # the fields a search matches anywhere, in any case
    links: object  # the link model between events and these rows
    link_field: str  # the link's field naming the row

    def page(self, data: dict, size: int = PAGE_SIZE) -> Page:
        """The page of public rows the form's ``data`` asks for, in (kind, slug) order
        after its cursor, with the next page's cursor. The rows are read in order and
        kept if public, a chunk at a time: the condition that makes a row public, asked
        of the whole list, had PostgreSQL hash every published event's links (110 ms
        for the sources at 100,000 events); asked of a chunk's ids, it looks each up."""
        rows = self.model.objects.all()
        if words := data.get("q"):
            for word in words.split():
                rows = rows.filter(
                    Q.create([(f"{field}__ucontains", word) for field in self.searched],
                             connector=Q.OR)
                )  # fmt: skip
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        rows = rows.order_by("kind", "slug")
        found, position = [], data.get("after")
        while len(found) <= size:
            chunk = list(after(rows, position)[:CHUNK])
            public = set(
                self.model.objects.public()
                .filter(pk__in=[row.pk for row in chunk])
                .values_list("pk", flat=True)
            )
            found += [row for row in chunk if row.pk in public]
            if len(chunk) < CHUNK:
                break
            position = (chunk[-1].kind, chunk[-1].slug)
        more = len(found) > size
        return Page(found[:size], AfterField.encode(found[size - 1]) if more else None,
                    data.get("after"))  # fmt: skip

    def count_events(self, rows: list, index=None) -> None:
        """Give each of ``rows`` (a page of them) ``event_count``, the published events
        linked to it: from the record's ``index`` (timeline/record_index.py) for actors
        and places, whose links it holds, else in one query for the page (counted in
        SQL, the busiest actors' links took 60-80 ms at 100,000 events)."""
        links = (index.links() if index is not None else {}).get(self.link_field)
        if links is not None:
            sizes = np.diff(links.starts)
            for row in rows:
                number = links.by_slug.get(row.slug)
                row.event_count = 0 if number is None else int(sizes[number])
            return
        linked = (
            self.links.objects.filter(
                **{f"{self.link_field}__in": [row.pk for row in rows]},
                event__publication=Event.Publication.PUBLISHED,
            )
            .order_by()
            .values_list(self.link_field)
            .annotate(n=Count("pk"))
        )
        counts = dict(linked)
        for row in rows:
            row.event_count = counts.get(row.pk, 0)

    def url_of(self, row) -> str:
        """Where a row leads: its page, or for a place (which has none) the chronology
        of its events."""
        if self.model is Place:
            return reverse("timeline:chronology") + ChronologyFilter.query_for(place=[row.slug])
        return row.get_absolute_url()


DIRECTORIES = {
    "actors": Directory("actors", "Actors", "actor", Actor, ("name", "aliases", "other_aliases"),
                        EventActor, "actor"),
    "places": Directory("places", "Places", "place", Place, ("name", "aliases", "other_aliases"),
                        Event.places.through, "place"),
    "sources": Directory("sources", "Sources", "source", Source, ("headline", "outlet"),
                         Event.sources.through, "source"),
}  # fmt: skip


def after(rows, position):
    """``rows``, in (kind, slug) order, after ``position`` (a kind and a slug)."""
    if position is None:
        return rows
    kind, slug = position
    return rows.filter(Q(kind__gt=kind) | Q(kind=kind, slug__gt=slug))


class AfterField(forms.Field):
    """Where a page of an index ends: its last row's kind and slug, opaque in URLs."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    @staticmethod
    def encode(row) -> str:
        return base64.urlsafe_b64encode(f"{row.kind}|{row.slug}".encode()).decode().rstrip("=")

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            kind, slug = raw.split("|", 1)
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise ValidationError(BROKEN_CURSOR, code="cursor") from error
        if not (SLUG.match(kind) and SLUG.match(slug)):
            raise ValidationError(BROKEN_CURSOR, code="cursor")
        return kind, slug


class DirectoryFilter(QueryStringForm):
    """The query string of an index page."""

    q = forms.CharField(required=False, max_length=100, strip=True, label="Name")
    kind = forms.ChoiceField(required=False, label="Kind")
    after = AfterField(label="Page after")

    def __init__(self, data=None, *, directory: Directory, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *directory.model.Kind.choices]
