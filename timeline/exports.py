"""The timeline's events and statements in forms to take away: the JSON and CSV exports
(of the chronology's events, and of the lists of statements) and the schema.org data of
an event's page.

A CSV of a view (filtered, or newest first) is streamed. Its events or statements are
found, and counted for the ``X-Total-Count`` header, before the first byte goes out,
under the time limit of public requests. Their lines are then cut from the file of the
whole record of their kind (below) when it is up to date, through an index of where
each row's line starts: a view's rows are a part of that file. Otherwise they are read
by id, a chunk at a time, each chunk's queries under that limit too, while the file is
rebuilt in the background. A client can tell a complete file from a cut one by
counting its rows.

The CSV of each whole published record, in its own order (/events.csv,
/statements.csv and /commitments.csv without parameters), is a file, built once after
each change and served like a static file, with its Content-Length, an ETag and
Last-Modified: at 100,000 events and 300,000 statements they are tens of megabytes
(the statements' 106) that no reader should wait for a worker to compute. Any change
to the timeline's records marks them all stale (a new version, on disk and in a shared
cache); the next request for one then streams its rows as a view's export does and,
if no other process is already building that file, writes them to a new file as it
goes, published under the version it was read at once complete. No request waits for
a build, a build takes seconds (its rows read from columns, not model instances:
docs/load.md), and a file read before a change is never served after it.
"""

import contextlib
import csv
import datetime
import fcntl
import functools
import gzip
import hashlib
import json
import logging
import mmap
import os
import re
import secrets
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from timeline import followups, relays
from timeline.links import absolute_url
from timeline.models import (
    Actor,
    Event,
    EventActor,
    EventLink,
    Place,
    Point,
    Quantity,
    Relay,
    Source,
    Statement,
    slug_path,
)
from timeline.timelimits import query_time_limit

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- schema.org


def event_as_schema_org(request, event) -> dict:
    """An event with its listing details (``add_listing_details`` in timeline/querysets.py)
    as schema.org data, for its page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.date_start.isoformat(),
        "url": absolute_url(request, event.get_absolute_url()),
        "location": [{"@type": "Place", "name": place["name"]} for place in event.listed_places],
        "subjectOf": [
            {
                "@type": "NewsArticle",
                "headline": source["headline"] or source["slug"],
                "publisher": source["outlet"] or None,
                "datePublished": source["published"].isoformat() if source["published"] else None,
                "url": absolute_url(request, source["url"]),
            }
            for source in event.listed_sources
        ],
    }
    if event.date_end:
        data["endDate"] = event.date_end.isoformat()
    # Scheduled: "taking place or has taken place on the startDate as scheduled". An
    # offer or a proposal has no status of schema.org's.
    if event.status != event.Status.OFFERED:
        data["eventStatus"] = "https://schema.org/EventScheduled"
    return data


# ---------------------------------------------------------------- JSON


# Only what statement_as_json, the lists of statements and their feeds show, and what
# an event's comparison reads (its sources' kind): a source's text is a whole document.
STATEMENT_COLUMNS = (
    "uid", "event", "text", "mode", "speech_act", "start", "end", "dating", "said_start",
    "said_end", "said_precision", "sort_date", "speaker__slug", "speaker__name", "speaker__kind",
    "source__slug", "source__origin", "source__kind", "source__outlet", "source__headline",
    "source__published",
    "event__slug", "event__title", "event__date_start", "event__date_end",
    "event__date_precision", "event__updated",
)  # fmt: skip


def statements_by_event(events) -> dict[int, list]:
    """The statements of ``events``, each with its relays and what else the JSON gives of
    it (``with_details``), by event, in five queries."""
    statements = (
        Statement.objects.about(events)
        .select_related("speaker", "source", "event")
        .only(*STATEMENT_COLUMNS)
        .in_source_order()
    )
    grouped = defaultdict(list)
    for statement in with_details(statements):
        grouped[statement.event_id].append(statement)
    return grouped


def with_details(statements, *, exported: bool = True) -> list:
    """``statements`` (fetched with their speaker, source and occasion), each with what
    statement_as_json gives besides its own columns, in four queries: its relays
    (timeline/relays.py), ``addressed`` (the actors it is addressed to or about, by name,
    each a dict of its ``slug``, ``name`` and ``url``), ``concerned`` (the slugs of the
    published events it concerns, in date order) and ``point_slugs`` (the points of
    comparison of published events it is under, by slug). Not ``exported``, for a list
    of them on a page, which shows neither: the relays and ``addressed`` alone, in two."""
    statements = relays.attach(statements)
    using = router.db_for_read(Statement)
    # One parameter for all of them: a page of the JSON asks for a hundred at once.
    ids = _listed([statement.pk for statement in statements], using)
    addressed = addressees_of(ids, using)
    for statement in statements:
        statement.addressed = [
            {"slug": slug, "name": name, "url": slug_path("timeline:actor", slug)}
            for slug, name in addressed.get(statement.pk, ())
        ]
    if not exported:
        return statements
    concerned, points = concerned_by(ids, using), points_of(ids, using)
    for statement in statements:
        statement.concerned = concerned.get(statement.pk, [])
        statement.point_slugs = points.get(statement.pk, [])
    return statements


def addressees_of(ids, using: str) -> dict[int, list[tuple[str, str]]]:
    """The actors each of the statements ``ids`` (``_listed``) is addressed to or about,
    as (slug, name), by name, in one query: as the JSON and the CSV list them."""
    rows = (
        Statement.addressees.through.objects.using(using)
        .filter(statement__in=ids)
        .order_by("actor__name", "actor__slug")
        .values_list("statement_id", "actor__slug", "actor__name")
    )
    found = defaultdict(list)
    for statement_id, slug, name in rows:
        found[statement_id].append((slug, name))
    return found


def concerned_by(ids, using: str) -> dict[int, list[str]]:
    """The slugs of the published events each of the statements ``ids`` (``_listed``)
    concerns, in date order, in one query."""
    rows = (
        Statement.concerns.through.objects.using(using)
        .filter(statement__in=ids, event__publication=Event.Publication.PUBLISHED)
        .order_by("event__date_start", "event__slug")
        .values_list("statement_id", "event__slug")
    )
    found = defaultdict(list)
    for statement_id, slug in rows:
        found[statement_id].append(slug)
    return found


def points_of(ids, using: str) -> dict[int, list[str]]:
    """The slugs of the points of comparison (of published events) each of the statements
    ``ids`` (``_listed``) is under, in one query."""
    rows = (
        Point.statements.through.objects.using(using)
        .filter(statement__in=ids, point__event__publication=Event.Publication.PUBLISHED)
        .order_by("point__slug")
        .values_list("statement_id", "point__slug")
        .distinct()
    )
    found = defaultdict(list)
    for statement_id, slug in rows:
        found[statement_id].append(slug)
    return found


def mentioned_in(events) -> dict[int, list[str]]:
    """The public ids of the published statements made on other occasions that concern
    each of ``events``, in one query."""
    found = defaultdict(list)
    rows = (
        Statement.concerns.through.objects.filter(
            event__in=[event.pk for event in events],
            statement__event__publication=Event.Publication.PUBLISHED,
        )
        .order_by("statement__event__date_start", "statement__uid")
        .values_list("event_id", "statement__uid")
    )
    for event_id, uid in rows:
        found[event_id].append(uid)
    return found


def record_of(events) -> dict[int, dict]:
    """What else the record holds of each of ``events``: its links to other events (in
    both directions, to published events only), the
    numbers its sources give and the statements made elsewhere about it, in three
    queries. By event id: {"related": [...], "quantities": [...], "mentioned_in":
    [...]}, as event_as_json gives them."""
    ids = [event.pk for event in events]
    mentions = mentioned_in(events)
    found = {pk: {"related": {}, "quantities": [], "mentioned_in": mentions[pk]} for pk in ids}
    links = (
        EventLink.objects.filter(Q(from_event__in=ids) | Q(to_event__in=ids))
        .select_related("from_event", "to_event", "source", "statement")
        .only("relation", "from_event__slug", "from_event__publication", "to_event__slug",
              "to_event__publication", "source__slug", "statement__uid")
        .order_by("relation", "pk")
    )  # fmt: skip
    for link in links:
        for this, other, direction in (
            (link.from_event, link.to_event, "to"),
            (link.to_event, link.from_event, "from"),
        ):
            if this.pk not in found or not other.is_published:
                continue
            key = (link.relation, direction, other.slug)
            entry = found[this.pk]["related"].setdefault(
                key,
                {"relation": link.relation, "direction": direction, "event": other.slug,
                 "sources": [], "statement": None},
            )  # fmt: skip
            entry["sources"].append(link.source.slug)
            if link.statement and entry["statement"] is None:
                entry["statement"] = link.statement.uid
    quantities = (
        Quantity.objects.filter(event__in=ids)
        .select_related("source", "statement")
        .only("event", "text", "counts", "unit", "low", "high", "start", "end", "source__slug",
              "statement__uid")
        .order_by("event", "source__slug", "start")
    )  # fmt: skip
    for quantity in quantities:
        found[quantity.event_id]["quantities"].append(
            {
                "text": quantity.text,
                "counts": quantity.counts,
                "unit": quantity.unit,
                "low": quantity.low,
                "high": quantity.high,
                "source": quantity.source.slug,
                "statement": quantity.statement.uid if quantity.statement else None,
                "start": quantity.start,
                "end": quantity.end,
            }
        )
    for entry in found.values():
        entry["related"] = list(entry["related"].values())
    return found


def statement_as_json(request, statement, permalink=None) -> dict:
    """A statement with its details (``with_details``), as the event JSON and
    /statements.json list it: where its passage stands in its source (offsets and
    address), who said it, to or about whom, through whom, on what occasion and when.
    ``permalink``: a function of a statement's id that gives the address of its page,
    for many rows (``page_url``)."""
    return {
        "id": statement.uid,
        "url": permalink(statement.uid)
        if permalink
        else absolute_url(request, statement.get_permalink()),
        "passage_url": absolute_url(request, statement.get_absolute_url()),
        "start": statement.start,
        "end": statement.end,
        "speaker": {"slug": statement.speaker.slug, "name": statement.speaker.name},
        "relayed_by": [{"slug": actor.slug, "name": actor.name} for actor in statement.relayed],
        "addressees": [
            {"slug": actor["slug"], "name": actor["name"]} for actor in statement.addressed
        ],
        "event": statement.event.slug,
        "concerns": statement.concerned,
        "said": said_as_json(statement.said),
        "text": statement.text,
        "mode": statement.mode,
        "speech_act": statement.speech_act,
        "source": statement.source.slug,
        "origin": statement.source.origin,
        "points": statement.point_slugs,
    }


def said_as_json(said) -> dict | None:
    """When a statement was said, as the JSON gives it; None when not dated."""
    if said is None:
        return None
    start, end, precision = said
    return {
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
        "precision": precision,
    }


def event_as_json(request, event, statements, record) -> dict:
    """An event fetched for a listing (``add_listing_details`` in timeline/querysets.py),
    with its ``statements`` (``statements_by_event``) and ``record`` (``record_of``), as
    /events.json and /events/<slug>.json give it."""
    return {
        "slug": event.slug,
        "url": absolute_url(request, event.get_absolute_url()),
        "title": event.title,
        "summary": event.summary,
        "kind": event.kind,
        "status": event.status,
        "status_as_of": event.status_as_of.isoformat() if event.status_as_of else None,
        "date_start": event.date_start.isoformat(),
        "date_end": event.date_end.isoformat() if event.date_end else None,
        "date_precision": event.date_precision,
        "date_display": event.date_display,
        "actors": [
            {"slug": role["slug"], "name": role["name"], "role": role["role"]}
            for role in event.listed_roles
        ],
        "places": [{"slug": place["slug"], "name": place["name"]} for place in event.listed_places],
        "sources": [
            {
                "slug": source["slug"],
                "outlet": source["outlet"],
                "headline": source["headline"],
                "published": source["published"].isoformat() if source["published"] else None,
                "origin": source["origin"],
                "url": absolute_url(request, source["url"]),
            }
            for source in event.listed_sources
        ],
        "statements": [statement_as_json(request, s) for s in statements],
        "mentioned_in": record["mentioned_in"],
        "related": record["related"],
        "quantities": record["quantities"],
    }


# ---------------------------------------------------------------- CSV

CSV_HEADER = [
    "slug", "url", "title", "summary", "kind", "status", "date_start", "date_end",
    "date_precision", "date_display", "actors", "places", "outlets", "sources", "statements",
    "statement_texts",
]  # fmt: skip
# Between the texts of an event's statements in its one cell: one a line.
TEXTS_SEPARATOR = "\n"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Events whose rows are read and written together: four small queries per chunk.
CHUNK_SIZE = 2000
# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose write() hands back what it was given, for streaming CSV."""

    def write(self, value):
        return value


class SafeWriter:
    """A csv.writer whose text cells no spreadsheet runs as a formula: a text cell that
    starts like one (a title "=HYPERLINK(...)") gets a leading ', as OWASP advises for
    CSV injection. Numbers and dates are left alone: they are not text cells."""

    def __init__(self, file):
        self.writer = csv.writer(file)

    def writerow(self, row):
        return self.writer.writerow(
            ["'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
             for cell in row]
        )  # fmt: skip


def page_url(request, name: str, kwarg: str = "slug"):
    """slug -> the absolute URL of page ``name`` for that slug (or the value of its other
    ``kwarg``), reversed once, not per row."""
    marker = "slug"
    before, _, after = reverse(name, kwargs={kwarg: marker}).rpartition(marker)
    base = absolute_url(request, before)
    return lambda slug: f"{base}{slug}{after}"


def matching_ids(events) -> list[int]:
    """The ids of ``events``, in chronological order: the filter's work, done once."""
    return list(events.chronological().values_list("pk", flat=True))


def csv_rows(request, ids: list[int], using: str):
    """(id, CSV row) of the events ``ids``, in that order (one missing since is left out).

    Names come from one look-up of every actor, place and source (a few thousand short
    rows), and each chunk of events reads only their links: joins and sorts in the
    database took as long as writing the rows."""
    event_url = page_url(request, "timeline:event")
    date_display = functools.lru_cache(maxsize=8192)(_date_display)
    with query_time_limit(using):
        actors = dict(Actor.objects.using(using).order_by().values_list("pk", "name"))
        places = dict(Place.objects.using(using).order_by().values_list("pk", "name"))
        sources = {
            pk: ((published is not None, published or datetime.date.min, slug), outlet, slug)
            for pk, published, slug, outlet in Source.objects.using(using)
            .order_by()
            .values_list("pk", "published", "slug", "outlet")
        }
    labels = {outlet: Source(outlet=outlet).outlet_label for _, outlet, _ in sources.values()}
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        listed = _listed(chunk, using)
        with query_time_limit(using):
            events = {row[0]: row for row in _event_fields(listed, using)}
            roles = _grouped(EventActor.objects, "actor_id", "role", listed, using)
            placed = _grouped(Event.places.through.objects, "place_id", None, listed, using)
            cited = _grouped(Event.sources.through.objects, "source_id", None, listed, using)
            texts = _statement_texts(listed, using)
        for pk in chunk:
            if pk not in events:
                continue
            _, slug, title, summary, kind, status, start, end, precision, said = events[pk]
            parts = sorted((role, actors[actor]) for actor, role in roles.get(pk, ()))
            linked = sorted(sources[source] for source, _ in cited.get(pk, ()))
            yield (
                pk,
                [
                    slug,
                    event_url(slug),
                    title,
                    summary,
                    kind,
                    status,
                    start,
                    end or "",
                    precision,
                    date_display(start, end, precision),
                    "; ".join(f"{name} ({role})" for role, name in parts),
                    "; ".join(sorted(places[place] for place, _ in placed.get(pk, ()))),
                    "; ".join(labels[outlet] for _, outlet, _ in linked),
                    "; ".join(slug for _, _, slug in linked),
                    said,
                    TEXTS_SEPARATOR.join(texts.get(pk, ())),
                ],
            )


EVENT_FIELDS = [
    "pk", "slug", "title", "summary", "kind", "status", "date_start", "date_end", "date_precision",
    "statement_count",
]  # fmt: skip


def _listed(ids: list[int], using: str) -> RawSQL:
    """``ids`` as one query parameter (an array, a JSON list), not one per id: a thousand
    parameters take longer to send and to parse than the rows they ask for."""
    listed = json.dumps(ids)
    if connections[using].vendor == "postgresql":
        # An array literal: sent as one string, where a list is adapted id by id.
        return RawSQL("SELECT unnest(%s::bigint[])", ["{" + listed[1:-1] + "}"])
    return RawSQL("SELECT value FROM json_each(%s)", [listed])


def _event_fields(ids, using):
    events = Event.objects.using(using).filter(pk__in=ids).with_statement_count()
    return events.order_by().values_list(*EVENT_FIELDS)


def _date_display(start, end, precision) -> str:
    """An event's date_display, from its values alone (no model instance per row)."""
    values = SimpleNamespace(date_start=start, date_end=end, date_precision=precision)
    return Event.date_display.fget(values)


def _grouped(links, column: str, extra: str | None, events, using) -> dict[int, list]:
    """The (``column``, ``extra``) of each link of ``events``, listed by event id."""
    rows = links.using(using).filter(event_id__in=events).order_by()
    grouped = defaultdict(list)
    for event_id, linked, value in rows.values_list("event_id", column, extra or column):
        grouped[event_id].append((linked, value))
    return grouped


def _statement_texts(events, using) -> dict[int, list[str]]:
    """The texts of the statements of ``events``, by event id, in the order the JSON lists
    them (by source, then where each stands in it)."""
    rows = (
        Statement.objects.using(using)
        .filter(event_id__in=events)
        .in_source_order()
        .values_list("event_id", "text")
    )
    texts = defaultdict(list)
    for event_id, text in rows:
        texts[event_id].append(text)
    return texts


def csv_lines(request, ids: list[int], using: str):
    """(id, its CSV line in UTF-8) of the events ``ids``, in that order."""
    writer = SafeWriter(Echo())
    for pk, row in csv_rows(request, ids, using):
        yield pk, writer.writerow(row).encode()


def csv_pieces(lines, header: bytes):
    """The CSV file of ``lines``: its ``header`` line, then a piece per chunk of rows."""
    yield header
    piece = []
    for _, line in lines:
        piece.append(line)
        if len(piece) == CHUNK_SIZE:
            yield b"".join(piece)
            piece = []
    if piece:
        yield b"".join(piece)


def streamed_csv(text, rows: int, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(text, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Counted before the first byte: a client can tell a complete file from a cut one.
    response["X-Total-Count"] = str(rows)
    return response


def csv_response(request, events, *, newest: bool = False) -> StreamingHttpResponse:
    """The CSV of the (filtered) ``events``, streamed, in chronological order or
    ``newest`` first (``rows_csv_response``)."""
    version = current_version()  # first: a file of it holds the record as it is now
    ids = matching_ids(events)
    if newest:
        ids.reverse()
    return rows_csv_response(EVENTS, request, ids, events.db, version=version)


# ---------------------------------------------------------------- statements

STATEMENT_CSV_HEADER = [
    "id", "url", "passage_url", "start", "end", "text", "mode", "speech_act", "said_start",
    "said_end", "said_precision", "said_display", "speaker", "speaker_name", "relayed_by",
    "addressees", "event", "concerns", "source", "origin", "points",
]  # fmt: skip
# /commitments.csv's rows end with their statuses (timeline/followups.py), one a line.
COMMITMENT_CSV_HEADER = [*STATEMENT_CSV_HEADER, "statuses"]


def followups_as_json(request, statement) -> dict:
    """What the record later says of a demand or a commitment (``attach_followups``), as
    the JSON of /commitments/ gives it: its ``statuses``, worded as someone's account,
    and the ``followups`` they are worded from, each with the later statement's id and
    the addresses of its page and of its passage."""
    return {
        "statuses": followups.statuses(statement),
        "followups": [
            {
                "relation": link.relation,
                "status": followups.status_of(link),
                "statement": link.later.uid,
                "url": absolute_url(request, link.later.get_permalink()),
                "passage_url": absolute_url(request, link.later.get_absolute_url()),
            }
            for link in statement.followups
        ],
    }


# A statement's columns and its occasion's, as its row of the CSV reads them: its own
# date (start, end, precision) and its occasion's last.
STATEMENT_FIELDS = [
    "pk", "uid", "start", "end", "text", "mode", "speech_act", "speaker_id", "source_id",
    "event__slug", "dating", "said_start", "said_end", "said_precision", "event__date_start",
    "event__date_end", "event__date_precision",
]  # fmt: skip


def statement_rows(request, ids: list[int], using: str, *, commitments: bool):
    """(id, CSV row) of the statements ``ids``, in that order (one gone since is left
    out): a row of /statements.csv (of /commitments.csv, with ``commitments``) is the
    statement's JSON (``statement_as_json``), flat, lists of names or slugs one after
    another ("; "), texts one a line; a commitment's ends with its statuses.

    Read from columns, as the events' rows are (``csv_rows``), not through model
    instances and the JSON's dicts, which took two thirds of the time (30 s for the
    300,000 statements of the whole record, past a worker's timeout): the speakers and
    sources come from one look-up of every actor and source, and each chunk of
    statements from one query with their occasions' slugs and dates, one for their
    relays and one each for their addressees, concerns and points, as the JSON reads
    them (a commitment's follow-ups in one more). Their dates are worded by the
    model's own rules (``Statement.said``, ``said_display``, ``anchor``)."""
    permalink = page_url(request, "timeline:statement", "uid")
    source_url = page_url(request, "timeline:source")
    said_display = functools.lru_cache(maxsize=8192)(_said_display)
    with query_time_limit(using):
        actors = {
            pk: (slug, name)
            for pk, slug, name in Actor.objects.using(using)
            .order_by()
            .values_list("pk", "slug", "name")
        }
        sources = {
            pk: (slug, origin, source_url(slug))
            for pk, slug, origin in Source.objects.using(using)
            .order_by()
            .values_list("pk", "slug", "origin")
        }
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        listed = _listed(chunk, using)
        with query_time_limit(using):
            statements = Statement.objects.using(using).filter(pk__in=listed).order_by()
            found = {row[0]: row for row in statements.values_list(*STATEMENT_FIELDS)}
            relayed = _grouped_by_statement(
                Relay.objects.using(using)
                .filter(statement__in=listed)
                .order_by("statement", "position")
                .values_list("statement_id", "actor_id")
            )
            addressed = addressees_of(listed, using)
            concerned, points = concerned_by(listed, using), points_of(listed, using)
            statuses = _statuses(found) if commitments else {}
        for pk in chunk:
            values = found.get(pk)
            if values is None:
                continue
            _, uid, begin, end, text, mode, act, speaker, source, event, dating = values[:11]
            said = _said(dating, values[11:14], values[14:])
            source_slug, origin, source_address = sources[source]
            row = [
                uid, permalink(uid), f"{source_address}#{_anchor(begin, end)}", begin, end, text,
                mode, act, said[0].isoformat() if said else "",
                said[1].isoformat() if said and said[1] else "", said[2] if said else "",
                said_display(said), *actors[speaker],
                "; ".join(actors[actor][1] for actor in relayed.get(pk, ())),
                "; ".join(name for _, name in addressed.get(pk, ())), event,
                "; ".join(concerned.get(pk, ())), source_slug, origin,
                "; ".join(points.get(pk, ())),
            ]  # fmt: skip
            if commitments:
                row.append(statuses[pk])
            yield pk, row


def statement_lines(request, ids: list[int], using: str, *, commitments: bool):
    """(id, its CSV line in UTF-8) of the statements ``ids``, in that order."""
    writer = SafeWriter(Echo())
    for pk, row in statement_rows(request, ids, using, commitments=commitments):
        yield pk, writer.writerow(row).encode()


def _grouped_by_statement(rows) -> dict[int, list]:
    """The second value of each of ``rows`` (statement id, value), by statement id."""
    grouped = defaultdict(list)
    for statement_id, value in rows:
        grouped[statement_id].append(value)
    return grouped


def _said(dating: str, own: tuple, occasion: tuple) -> tuple | None:
    """``Statement.said`` from a statement's values: its ``dating``, its ``own`` date
    (start, end, precision) and its ``occasion``'s."""
    start, end, precision = occasion
    values = SimpleNamespace(
        Dating=Statement.Dating,
        dating=dating,
        said_start=own[0],
        said_end=own[1],
        said_precision=own[2],
        event=SimpleNamespace(date_start=start, date_end=end, date_precision=precision),
    )
    return Statement.said.fget(values)


def _said_display(said: tuple | None) -> str:
    """``Statement.said_display`` of a statement said ``said`` (``_said``)."""
    return Statement.said_display.fget(SimpleNamespace(said=said))


def _anchor(start: int, end: int) -> str:
    """The anchor of a passage's place in its source page (``Passage.anchor``)."""
    return Statement.anchor.fget(SimpleNamespace(start=start, end=end))


def _statuses(statements) -> dict[int, str]:
    """The statuses of each of ``statements`` (by id), one a line, as
    ``followups.statuses`` words them, in one query."""
    found = followups.attach_followups(SimpleNamespace(pk=pk) for pk in statements)
    return {item.pk: TEXTS_SEPARATOR.join(followups.statuses(item)) for item in found}


def statements_in_order(
    ids: list[int], using: str, *, commitments: bool, exported: bool = True
) -> list:
    """The statements ``ids`` (one gone since is left out), in that order, with what
    their JSON gives (``with_details``, ``exported`` or not; a commitment's follow-ups
    too), in five queries (six; three, four for a page)."""
    statements = (
        Statement.objects.using(using)
        .filter(pk__in=_listed(ids, using))
        .select_related("speaker", "source", "event")
        .only(*STATEMENT_COLUMNS)
    )
    order = {pk: number for number, pk in enumerate(ids)}
    statements = with_details(
        sorted(statements, key=lambda statement: order[statement.pk]), exported=exported
    )
    if commitments:
        followups.attach_followups(statements)
    return statements


# ---------------------------------------------------------------- the whole record, prebuilt


@dataclass(frozen=True)
class WholeRecord:
    """A kind of file of the whole published record, built and served by the functions
    below alike: ``name`` (its files' and its download's, karabakh-timeline-<name>.csv),
    its ``header``, ``published`` (a function that gives its rows, all published, in the
    file's order: the export's own when it has no parameter) and ``lines`` (a function
    of the request, the ids of rows and a database, that gives (id, CSV line) of each
    row, in that order)."""

    name: str
    header: list[str]
    published: Callable[[], QuerySet]
    lines: Callable[..., Iterator[tuple[int, bytes]]]

    @cached_property
    def header_line(self) -> bytes:
        return SafeWriter(Echo()).writerow(self.header).encode()

    @cached_property
    def shape(self) -> str:
        """The shape of the file's rows, in its name: a file built by code with other
        columns is never served by this code, even for the version it was read at."""
        return hashlib.sha256(self.header_line).hexdigest()[:8]

    @property
    def filename(self) -> str:
        return f"karabakh-timeline-{self.name}.csv"


EVENTS = WholeRecord(
    "events", CSV_HEADER, lambda: Event.objects.published().chronological(), csv_lines
)
STATEMENTS = WholeRecord(
    "statements",
    STATEMENT_CSV_HEADER,
    lambda: Statement.objects.published().in_date_order(),
    functools.partial(statement_lines, commitments=False),
)
# A file of its own, not lines of the statements' file with a cell added: a row's
# statuses come from the later statements that follow it up, which the statements'
# file does not hold, and which a cut export would have to read for every row.
COMMITMENTS = WholeRecord(
    "commitments",
    COMMITMENT_CSV_HEADER,
    lambda: Statement.objects.published().demands_and_commitments().in_date_order(),
    functools.partial(statement_lines, commitments=True),
)
# By name: the name of each export's list (a list of statements' is its URL's).
WHOLE_RECORDS = {kind.name: kind for kind in (EVENTS, STATEMENTS, COMMITMENTS)}

VERSION_FILE = "version"
VERSION_KEY = "exports:version"


def exports_root() -> Path:
    root = Path(settings.EXPORTS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def shared_cache() -> bool:
    """Whether every process, on every app server, sees the same cache (Redis)."""
    return "RedisCache" in settings.CACHES["default"]["BACKEND"]


def _write_atomically(path: Path, content: str | bytes):
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    if isinstance(content, bytes):
        temporary.write_bytes(content)
    else:
        temporary.write_text(content)
    os.replace(temporary, path)


def current_version() -> str:
    """The version of the published record every prebuilt file must have been read at:
    on disk (seen by every process of this machine) and, with a shared cache, in it
    (seen by every app server)."""
    path = exports_root() / VERSION_FILE
    try:
        version = path.read_text()
    except FileNotFoundError:
        version = secrets.token_hex(8)
        _write_atomically(path, version)
    if shared_cache():
        shared = cache.get(VERSION_KEY)
        if shared is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            shared = cache.get(VERSION_KEY, "")
        version = f"{version}-{shared}"
    return version


def mark_stale():
    """A change to the record: whatever file was read before it is out of date."""
    _write_atomically(exports_root() / VERSION_FILE, secrets.token_hex(8))
    if shared_cache():
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def timeline_changed(using=None, **kwargs):
    """Signal receiver: a record changed. Stale now (for this transaction's own reads)
    and again once the transaction commits: a file read by another process between the
    two has the old records under the first new version, and the second retires it."""
    mark_stale()
    connection = transaction.get_connection(using)
    pending = (callback for _, callback, _ in connection.run_on_commit)
    if connection.in_atomic_block and mark_stale not in pending:
        transaction.on_commit(mark_stale, using=using)


def _prebuilt(kind: WholeRecord, version: str) -> tuple[Path, int] | None:
    """The file of ``kind`` at ``version`` and its rows, if it has been built."""
    for path in exports_root().glob(f"{kind.name}-{version}-{kind.shape}-*.csv"):
        return path, int(path.stem.rpartition("-")[2])
    return None


@contextlib.contextmanager
def _build_lock(kind: WholeRecord):
    """Whether this thread may build the file of ``kind`` now (no other thread or
    process of the machine is building one). A lock of each kind's own: with one for
    all, the readers of the statements' file that came while the events' was built
    each read the whole record from the database (measured: 66-93 s for eight at once,
    against 1-2 s from the file; docs/load.md)."""
    with open(exports_root() / f"build-{kind.name}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _written(kind: WholeRecord, lines, version: str):
    """The CSV file of ``lines``, in pieces, passed on while it is written to the file of
    ``kind`` at ``version`` (``_writing``), unless another is building it."""
    with _build_lock(kind) as building:
        if building:
            yield from _writing(kind, lines, version)
        else:
            yield from csv_pieces(lines, kind.header_line)


def _writing(kind: WholeRecord, lines, version: str):
    """The CSV file of ``lines``, in pieces, passed on while it is written to the file of
    ``kind`` at ``version``, with the index of where each row's line starts. Both are
    published only once complete, and only if no change came meanwhile. A reader who
    leaves half way leaves no file. Under the build lock (``_build_lock``)."""
    root = exports_root()
    temporary = root / f".{kind.name}-{version}-{secrets.token_hex(6)}.csv"
    compressed = temporary.with_name(temporary.name + ".gz")
    ids, starts = array("q"), array("q")

    def recorded():
        offset = len(kind.header_line)
        for pk, line in lines:
            ids.append(pk)
            starts.append(offset)
            offset += len(line)
            yield pk, line
        starts.append(offset)

    try:
        # Compressed as it is written, as WhiteNoise keeps a gzip copy of each static
        # file: a browser that accepts gzip gets a fifth of the bytes.
        with temporary.open("wb") as file, gzip.open(compressed, "wb") as packed:
            for piece in csv_pieces(recorded(), kind.header_line):
                file.write(piece)
                packed.write(piece)
                yield piece
        if current_version() == version:
            final = root / f"{kind.name}-{version}-{kind.shape}-{len(ids)}.csv"
            _write_atomically(final.with_suffix(".idx"), (ids + starts).tobytes())
            os.replace(compressed, gzipped(final))
            os.replace(temporary, final)
            for old in root.glob(f"{kind.name}-*"):
                if not old.name.startswith(final.stem + "."):  # a reader keeps one open
                    old.unlink(missing_ok=True)
            forget_unfinished()
    finally:
        temporary.unlink(missing_ok=True)
        compressed.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Index:
    """Where each row's line starts in a file: its rows' ids, sorted, with the position
    of each in the file (``order``), and the start of each position's line and, last,
    the end of the file (``starts``). Arrays, not a dict of Python numbers: a worker
    keeps one of each kind, 300,000 statements' in 7 MB."""

    sorted_ids: np.ndarray
    order: np.ndarray
    starts: np.ndarray

    def spans(self, ids: list[int]) -> tuple[list[int], list[int]] | None:
        """Where the lines of ``ids`` start and end, in that order; None if the file
        lacks one of them."""
        wanted = np.asarray(ids, dtype=np.int64)
        if not len(wanted):
            return [], []
        if not len(self.sorted_ids):
            return None
        found = np.minimum(np.searchsorted(self.sorted_ids, wanted), len(self.sorted_ids) - 1)
        if not np.array_equal(self.sorted_ids[found], wanted):
            return None
        positions = self.order[found]
        return self.starts[positions].tolist(), self.starts[positions + 1].tolist()


_indexes: dict[str, tuple[Path, _Index]] = {}


def _index(kind: WholeRecord, path: Path) -> _Index | None:
    """The index of the file of ``kind`` at ``path``, kept per process for its latest."""
    kept = _indexes.get(kind.name)
    if kept is None or kept[0] != path:
        try:
            numbers = np.frombuffer(path.with_suffix(".idx").read_bytes(), dtype=np.int64)
        except FileNotFoundError:
            return None
        rows = len(numbers) // 2
        ids, starts = numbers[:rows], numbers[rows:].copy()  # the file's bytes let go
        order = np.argsort(ids, kind="stable")
        kept = _indexes[kind.name] = path, _Index(ids[order], order, starts)
    return kept[1]


def _lines_from_file(kind: WholeRecord, version: str, ids: list[int]):
    """(id, line) of the rows ``ids``, cut from the file of ``kind`` at ``version``; None
    if there is none, or it lacks one of them (changed since)."""
    found = _prebuilt(kind, version)
    index = found and _index(kind, found[0])
    spans = index and index.spans(ids)
    if spans is None:
        return None
    file = found[0].open("rb")  # now: a newer file may replace it, not this open one
    view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)

    def lines():
        try:
            for pk, start, end in zip(ids, *spans, strict=True):
                yield pk, view[start:end]
        finally:
            view.close()
            file.close()

    return lines()


BUILD_IN_BACKGROUND = True
# Whether a thread of this process is building the file of each kind.
_building = {name: threading.Lock() for name in WHOLE_RECORDS}


def _build_in_background(kind: WholeRecord, request):
    """Build the file of ``kind`` in a thread of this process, unless one is building it."""
    if not BUILD_IN_BACKGROUND or not _building[kind.name].acquire(blocking=False):
        return

    def build():
        try:
            build_full_export(kind, request)
        except Exception:
            logger.exception("Building the CSV of the whole record failed: %s", kind.name)
        finally:
            connections.close_all()  # this thread's own
            _building[kind.name].release()

    threading.Thread(target=build, name=f"full-export-{kind.name}", daemon=True).start()


def _whole(kind: WholeRecord) -> tuple[list[int], str]:
    """The ids of every row of ``kind``, in the file's order, and the database they come
    from: the primary, as the rows must, since a file read from a replica that lags
    behind a change would keep its old rows under the new version."""
    rows = kind.published()
    rows = rows.using(router.db_for_write(rows.model))
    with query_time_limit(rows.db):
        return list(rows.values_list("pk", flat=True)), rows.db


def build_full_export(kind: WholeRecord, request) -> Path | None:
    """Build the file of ``kind`` now, unless it is up to date or another thread or
    process is building it; the file, if there is one."""
    version = current_version()
    with _build_lock(kind) as building:
        if building and _prebuilt(kind, version) is None:
            ids, using = _whole(kind)
            for _ in _writing(kind, kind.lines(request, ids, using), version):
                pass
    found = _prebuilt(kind, version)
    return found[0] if found else None


ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding


def gzipped(path: Path) -> Path:
    """The gzip copy of the file of the whole record at ``path``."""
    return path.with_name(path.name + ".gz")


def full_csv_response(kind: WholeRecord, request):
    """The CSV of every published row of ``kind``: the prebuilt file when it is up to
    date, else the rows streamed (and written to a new file as they go)."""
    version = current_version()
    found = _prebuilt(kind, version)
    if found is None:
        ids, using = _whole(kind)
        pieces = _written(kind, kind.lines(request, ids, using), version)
        return streamed_csv(pieces, len(ids), kind.filename)
    path, rows = found
    packed = ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    if packed and gzipped(path).exists():
        path = gzipped(path)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=kind.filename, content_type=CSV_CONTENT_TYPE
    )
    if path.suffix == ".gz":
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = f'"{version}-{rows}{"-gzip" if path.suffix == ".gz" else ""}"'
    response["Last-Modified"] = http_date(path.stat().st_mtime)
    response["X-Total-Count"] = str(rows)
    patch_cache_control(response, public=True, no_cache=True)
    return response


def rows_csv_response(
    kind: WholeRecord, request, ids: list[int], using: str, *, version: str
) -> StreamingHttpResponse:
    """The CSV of the rows ``ids`` of ``kind`` (a filter's, or the whole record newest
    first), in that order, streamed: their lines cut from the file of ``kind`` when it
    is up to date at ``version`` (read before the ids were found: a file of it holds the
    record as it was then, no older), else read afresh from ``using`` while that file
    is rebuilt in the background."""
    lines = _lines_from_file(kind, version, ids)
    if lines is None:
        _build_in_background(kind, request)
        lines = kind.lines(request, ids, using)
    return streamed_csv(csv_pieces(lines, kind.header_line), len(ids), kind.filename)


def forget_unfinished(max_age_seconds: int = 3600):
    """Remove what builds that died half way (a killed worker) left behind."""
    for kind in WHOLE_RECORDS.values():
        for leftover in exports_root().glob(f".{kind.name}-*"):
            with contextlib.suppress(FileNotFoundError):
                if time.time() - leftover.stat().st_mtime > max_age_seconds:
                    leftover.unlink()
