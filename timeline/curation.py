"""The curation queue: what in the record needs an editor's eye, and where to fix it.

Each section is one query (its rows capped at ``SHOWN``), plus one count when it holds
more than it shows, whatever the size of the record.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse

from timeline.models import Actor, Event, Point, Quantity, Statement, StatementLink

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


def passage_items(edited_on=lambda row: row):
    """The items of rows that stand at a passage of a source (a statement, a number, a
    link between statements): each named, linked to the admin page ``edited_on`` it gives
    (the row's own, or the event's or statement's it is edited on), with its source."""
    return lambda rows: [
        Item(str(row), change_url(edited_on(row)), f"in {row.source.outlet_label}")
        for row in rows[:SHOWN]
    ]


def section(slug, title, why, queryset, items) -> Section:
    shown = items(queryset)
    # Fewer than a full list are all there is: no need to count them.
    count = len(shown) if len(shown) < SHOWN else queryset.count()
    return Section(slug, title, why, count, shown)


def uncompared(events):
    """Of ``events``, those told by more than one account (their statements, and those
    said elsewhere about them, come from sources of more than one origin) with a
    statement that none of their points holds. The event's own statements and those
    that concern it are asked apart, each by an indexed column: asked as one (an OR
    across the join) the database would read every statement for every event."""
    own = Statement.objects.filter(event=OuterRef("pk"))
    concerning = Statement.objects.filter(concerns=OuterRef("pk"))
    placed = Point.statements.through.objects.filter(
        statement=OuterRef("pk"), point__event=OuterRef(OuterRef("pk"))
    )

    def first_origin(statements):
        return Subquery(statements.order_by("source__origin").values("source__origin")[:1])

    def either(condition):
        return Exists(condition(own)) | Exists(condition(concerning))

    return events.annotate(
        first_origin=Coalesce(first_origin(own), first_origin(concerning))
    ).filter(
        either(lambda statements: statements.exclude(source__origin=OuterRef("first_origin"))),
        either(lambda statements: statements.filter(~Exists(placed))),
    )


def unfollowed():
    """Demands and commitments that no later statement speaks of and whose later record
    no editor has read yet."""
    return (
        Statement.objects.filter(
            speech_act__in=Statement.ASKS | Statement.PROMISES, followups_checked__isnull=True
        )
        .filter(~Exists(StatementLink.objects.filter(earlier=OuterRef("pk"))))
        .select_related("speaker", "source")
        .defer("source__text")
        .order_by("sort_date", "pk")
    )


def unanchored_links():
    """Links between statements whose passage no longer stands at its offsets in its
    source (as ``unanchored()`` finds statements and numbers)."""
    return (
        StatementLink.objects.annotate(
            passage=Substr("source__text", F("start") + 1, F("end") - F("start"))
        )
        .exclude(passage=F("text"))
        .select_related("later__speaker", "earlier__speaker", "source")
        .defer("source__text")
        .order_by("source__slug", "start")
    )


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
            passage_items(),
        ),
        section(
            "unanchored-numbers",
            "Numbers that no longer match their source",
            "Their passage no longer stands at its place in the source's text: fix the "
            "number or the source.",
            Quantity.objects.unanchored()
            .select_related("source")
            .order_by("source__slug", "start"),
            passage_items(lambda quantity: quantity.event),
        ),
        section(
            "unanchored-statement-links",
            "Links between statements that no longer match their source",
            "The passage that makes the link no longer stands at its place in the source's "
            "text: fix the link (on its later statement's page) or the source.",
            unanchored_links(),
            passage_items(lambda link: link.later),
        ),
        section(
            "uncompared",
            "Events told by more than one account with statements under no point",
            "Their accounts are compared point by point on their pages: place each "
            "statement under a point (add one if none fits), so the comparison is whole.",
            uncompared(events),
            event_items,
        ),
        section(
            "unfollowed",
            "Demands and commitments with no later statement recorded",
            "Read the later record for what it says of each (repeated, reported as done, "
            "disputed), link what you find, and set the day you checked.",
            unfollowed(),
            lambda rows: [
                Item(
                    str(s),
                    change_url(s),
                    f"{s.get_speech_act_display()}, in {s.source.outlet_label}",
                )
                for s in rows[:SHOWN]
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
