"""The curation queue: what in the record needs an editor's eye, and where to fix it.

Each section is one query (its rows capped at ``SHOWN``) plus one count, whatever
the size of the record.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

from timeline.models import Actor, Event, Quantity, Statement

SHOWN = 100


@dataclass
class Item:
    label: str
    url: str
    note: str = ""


@dataclass
class Section:
    slug: str
    title: str
    why: str
    count: int
    items: list[Item] = field(default_factory=list)


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def event_items(events) -> list[Item]:
    return [Item(str(event), change_url(event)) for event in events[:SHOWN]]


def section(slug, title, why, queryset, items) -> Section:
    return Section(slug, title, why, queryset.count(), items(queryset))


def queue(today: datetime.date) -> list[Section]:
    events = Event.objects.order_by("date_start", "slug")
    unanchored = Statement.objects.unanchored().select_related("speaker", "source")
    return [
        section(
            "unsourced",
            "Events without a source",
            "Every event cites at least one source; these cannot be published.",
            events.without_sources(),
            event_items,
        ),
        section(
            "one-origin",
            "Hostilities and ceasefires told by one side only",
            "Contested kinds of event whose sources all carry a single origin's account: "
            "look for another side's account.",
            events.contested_on_one_origin(),
            event_items,
        ),
        section(
            "unanchored",
            "Statements that no longer match their source",
            "Their text no longer stands at their place in the source's text: "
            "fix the statement or the source.",
            unanchored.order_by("source__slug", "start"),
            lambda rows: [
                Item(str(s), change_url(s), f"in {s.source.outlet_label}") for s in rows[:SHOWN]
            ],
        ),
        section(
            "unanchored-numbers",
            "Numbers that no longer match their source",
            "Their passage no longer stands at its place in the source's text: fix the "
            "number or the source.",
            Quantity.objects.unanchored()
            .select_related("source")
            .order_by("source__slug", "start"),
            lambda rows: [
                Item(str(q), change_url(q.event), f"in {q.source.outlet_label}")
                for q in rows[:SHOWN]
            ],
        ),
        section(
            "unlinked-concerns",
            "Events whose statements concern events not linked to them",
            "A statement made at the event speaks of another event: the documents may say "
            "how the two are related (one ends, responds to, or is part of the other).",
            events.concerning_unlinked_events(),
            event_items,
        ),
        section(
            "actor-details",
            "Actors without an affiliation or office",
            "People need the office they held and the institution they spoke for; "
            "government bodies and armed forces need the state they belong to.",
            Actor.objects.missing_details().order_by("name"),
            lambda rows: [
                Item(
                    actor.name,
                    change_url(actor),
                    ", ".join(
                        gap
                        for gap, missing in (
                            ("no office", actor.kind == "person" and not actor.office),
                            ("no affiliation", actor.affiliation_id is None),
                        )
                        if missing
                    ),
                )
                for actor in rows[:SHOWN]
            ],
        ),
        section(
            "placeless",
            "Events without places",
            "Readers filter by place: say where it happened.",
            events.without_places(),
            event_items,
        ),
        section(
            "overdue-plans",
            "Planned events whose date has passed",
            "Did it happen? Mark it as happened (with its sources), or note that it did not.",
            events.overdue_plans(today),
            event_items,
        ),
    ]
