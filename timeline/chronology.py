"""The chronology at `/`: a page of events, the facets and the time axis with their
counts (timeline/counts.py says where those come from) and the chips of the active
filters, built from the validated filter form in a fixed number of queries. Every link
on it comes from the form, which owns the query string. What a page shares with every
reader of the same view is kept rendered (``fragment_keys``; timeline/caching.py), and
then neither counted nor fetched again."""

import calendar
import datetime
import re
from dataclasses import replace

from django.db import connections
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from timeline.caching import Fragments
from timeline.counts import Counts
from timeline.dates import MONTHS, format_date, format_years
from timeline.forms import ChronologyFilter
from timeline.keyset import PAGE_SIZE, SHOWN_AT_MOST, Page, page_of
from timeline.models import Event, Statement
from timeline.querysets import add_listing_details

AXIS_YEARS = range(1991, 2024)
# What get_kind_display() gives, without building the choices again for each event.
KIND_LABELS = {value: str(label) for value, label in Event.Kind.choices}


# The facets whose every choice has a page of its own: the others show them all.
CHOOSABLE = ("actor", "place")


class Facet(list):
    """The choices of one filter, each a dict, with the filter's name and legend, and
    whether their counts were ``skipped`` for time; what its counts count (``unit``:
    events, or statements on the lists of statements), and the address of the page of
    all its choices, when it has one."""

    def __init__(
        self, name: str, legend: str, options: list[dict], skipped: bool, *,
        unit: str = "event", all_url: str = "",
    ):  # fmt: skip
        super().__init__(options)
        self.name, self.legend, self.skipped = name, legend, skipped
        self.unit, self.all_url = unit, all_url


class Axis(list):
    """The bars of the time axis, a dict a year (or a month of ``year``), and whether
    their counts were ``skipped``."""

    def __init__(self, bars: list[dict], skipped: bool, year: int | None = None):
        super().__init__(bars)
        self.skipped, self.year = skipped, year


# ---------------------------------------------------------------- the page of events


class Heading(str):
    """The text of a heading in the list of events, and what it names, its class in the
    page: "year" or "month" when every day of the event's date lies in that year or
    month, "years" for the span of years it does not, "period" for what a date says in
    place of a month."""

    kind: str

    def __new__(cls, text: str, kind: str):
        heading = super().__new__(cls, text)
        heading.kind = kind
        return heading


def heading_key(event) -> tuple[Heading, Heading]:
    """The headings an event is listed under, saying no more than its date does: the
    year it lies in, else the span of years it covers ("1991–1994", "Late 1980s"); then
    the month it lies in, else what its date gives instead ("1991, dated by year only",
    "2020, spanning months", "Late 1980s, dated approximately"). An approximate date's
    span is how unsure it is, not how long the event lasted."""
    P = Event.Precision
    start, precision = event.date_start, event.date_precision
    end = event.date_end or start
    years = capitalised(format_years(start, end, precision))
    if start.year != end.year:
        kind, group = "years", "spanning years"
    elif precision == P.YEAR:
        kind, group = "year", "dated by year only"
    elif start.month == end.month:
        return Heading(years, "year"), Heading(format_date(start, P.MONTH), "month")
    else:
        kind, group = "year", "spanning months"
    if precision == P.APPROXIMATE:
        group = "dated approximately"
    return Heading(years, kind), Heading(f"{years}, {group}", "period")


def capitalised(text: str) -> str:
    """``text`` with a capital to start a heading: "late 1980s" is "Late 1980s" (not "c.")."""
    return text if text.startswith("c.") else text[:1].upper() + text[1:]


def events_page(form: ChronologyFilter, counts: Counts, *, skip: int = 0) -> Page:
    """The page of matching events the form asks for (as many as it shows, after its
    cursor), less the first ``skip`` of them (those a "Show more" link had shown): found
    in the record's index when there is one, else by the database."""
    cursor, newest, size = form.cleaned_data.get("cursor"), form.newest_first(), form.page_size()
    ids = counts.page_ids(cursor)
    if ids is None:
        rows = counts.filtered().after(cursor, newest=newest).chronological(newest=newest)
        rows = rows.with_statement_count()
    else:
        rows = published_in_order(ids, counts.events.db)
    page = page_of(rows, form.fields["cursor"].encode, after=cursor, size=size)
    if skip:
        earlier = page.rows[:skip]
        after = (earlier[-1].date_start, earlier[-1].slug) if earlier else cursor
        page = replace(page, rows=page.rows[skip:], after=after)
    add_listing_details(page.rows, counts.events.db)
    return page


def published_in_order(ids: list[int], using: str) -> list[Event]:
    """The published events ``ids`` (a page's, from the record's index), in that order,
    each with its ``statement_count``. In SQL written here: the ORM took 1.4 ms to build
    this query, the database 0.3 to answer it (at 100,000 events)."""
    if not ids:
        return []
    quote, table = connections[using].ops.quote_name, Event._meta.db_table
    columns = ", ".join(f"e.{quote(field.column)}" for field in Event._meta.concrete_fields)
    statements = quote(Statement._meta.db_table)
    each = ", ".join(["%s"] * len(ids))
    rows = Event.objects.using(using).raw(
        f"SELECT {columns}, (SELECT count(*) FROM {statements} s"
        f" WHERE s.{quote('event_id')} = e.{quote('id')}) AS statement_count"
        f" FROM {quote(table)} e"
        f" WHERE e.{quote('publication')} = %s AND e.{quote('id')} IN ({each})",
        [Event.Publication.PUBLISHED, *ids],
    )
    order = {pk: number for number, pk in enumerate(ids)}
    return sorted(rows, key=lambda event: order[event.pk])


def entries(page: Page, query: str = "") -> list[dict]:
    """The page's events, each with the year and month headings that start before it,
    what its entry shows of it (its link, dates, kind and listing details), read here
    once rather than looked up by the template: the template language's lookups were
    most of the page's time. For a search (``query``), each with the passage that
    matched, if its words did (``passages``)."""
    previous = None
    if page.after:
        date, slug = page.after
        # Only the published record: whether a draft has that slug must not show.
        continued = Event.objects.published().filter(slug=slug).first()
        previous = heading_key(continued or Event(date_start=date))
    result = []
    matched = passages(page.rows, query) if query else {}
    for event in page.rows:
        key = heading_key(event)
        result.append(
            {
                "event": event,
                "url": event.get_absolute_url(),
                "date": event.date_start.isoformat(),
                "date_display": event.date_display,
                "planned": event.is_planned,
                "status": event.status_label,
                "kind_mark": event.kind_mark,
                "kind_label": KIND_LABELS.get(event.kind, event.kind),
                "roles": event.listed_roles,
                "places": event.listed_places,
                "sources": event.listed_sources,
                "passage": matched.get(event.pk),
                "year": key[0] if not previous or key[0] != previous[0] else None,
                "group": key[1] if key != previous else None,
            }
        )
        previous = key
    return result


# Around a search's first match in a passage, how many characters are shown.
CONTEXT = 90


def passages(events: list[Event], query: str) -> dict[int, dict]:
    """For each of ``events`` whose words a search ``query`` matched, the passage that
    did: its first statement with one of the words (one query for the page), else its
    summary, else its title. Each with ``label``, ``url`` (the statement's place on the
    event's page) and ``pieces``, (text, whether it is a match) around the first one.
    Words match at the start of a word, in any case, as PostgreSQL's search matches
    them; an event found by the name of an actor or a place has no passage."""
    words = [re.escape(word) for word in query.split() if word]
    pattern = re.compile(rf"\b(?:{'|'.join(words)})\w*", re.IGNORECASE)
    said = {}
    statements = (
        Statement.objects.filter(event__in=[event.pk for event in events])
        .order_by("pk")
        .values_list("event_id", "pk", "text", "speaker__name")
    )
    for event_id, pk, text, speaker in statements:
        if event_id not in said and pattern.search(text):
            said[event_id] = (f"Statement by {speaker}", f"#statement-{pk}", text)
    found = {}
    for event in events:
        label, anchor, text = said.get(event.pk) or next(
            (
                (label, "", text)
                for label, text in (("Summary", event.summary), ("Title", event.title))
                if pattern.search(text)
            ),
            (None, None, None),
        )
        if text is not None:
            found[event.pk] = {
                "label": label,
                "url": event.get_absolute_url() + anchor,
                "pieces": excerpt(text, pattern),
            }
    return found


def excerpt(text: str, pattern: re.Pattern) -> list[tuple[str, bool]]:
    """``text`` around ``pattern``'s first match, cut at CONTEXT characters either
    side (marked by "…"), as pieces of (text, whether it matches)."""
    first = pattern.search(text)
    start = max(0, first.start() - CONTEXT)
    end = min(len(text), first.end() + CONTEXT)
    shown = text[start:end]
    pieces, at = [], 0
    for match in pattern.finditer(shown):
        pieces += [(shown[at : match.start()], False), (match.group(), True)]
        at = match.end()
    pieces.append((shown[at:], False))
    if start:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return [piece for piece in pieces if piece[0]]


# ---------------------------------------------------------------- counts: facets and axis


def axis(form: ChronologyFilter, counts: dict[int, int] | None) -> Axis:
    """A bar per year, each with how many events the year would give (None: skipped)
    and its label, which says so."""
    skipped = counts is None
    counts = counts or {}
    highest = max([counts.get(year, 0) for year in AXIS_YEARS] + [1])
    start, end = form.cleaned_data.get("from"), form.cleaned_data.get("to")
    bars = []
    for year in AXIS_YEARS:
        count = counts.get(year, 0)
        bars.append(
            {
                "year": year,
                "tick": str(year),
                "count": None if skipped else count,
                "label": str(year) if skipped else f"{year}: {count} event{plural(count)}",
                "height": round(100 * count / highest),
                "top": 100 - round(100 * count / highest),
                "url": form.query(from_=str(year), to=str(year)),
                "selected": (start or end) is not None
                and (start is None or start.year <= year)
                and (end is None or end.year >= year),
            }
        )
    return Axis(bars, skipped)


def month_axis(form: ChronologyFilter, year: int, counts: dict[int, int] | None) -> Axis:
    """A bar per month of ``year``, each a link to that month with the other filters,
    and how many events it would give (None: skipped)."""
    skipped = counts is None
    counts = counts or {}
    highest = max([*counts.values(), 1])
    start, end = form.cleaned_data["from"], form.cleaned_data["to"]
    bars = []
    for month, name in enumerate(MONTHS[1:], start=1):
        count = counts.get(month, 0)
        period = f"{year}-{month:02}"
        first = datetime.date(year, month, 1)
        last = first.replace(day=calendar.monthrange(year, month)[1])
        bars.append(
            {
                "month": name[:3],
                "tick": name[:3],
                "count": None if skipped else count,
                "label": f"{name} {year}"
                if skipped
                else f"{name} {year}: {count} event{plural(count)}",
                "height": round(100 * count / highest),
                "top": 100 - round(100 * count / highest),
                "url": form.query(from_=period, to=period),
                "selected": start <= last and end >= first,
            }
        )
    return Axis(bars, skipped, year)


def plural(n: int) -> str:
    """As the template filter ``pluralize`` ends a noun for ``n`` of it."""
    return "" if n == 1 else "s"


def facets(form: ChronologyFilter, counted: dict, ready: dict | None) -> dict[str, Facet]:
    """The choices of each filter, with how many events each would give (``counted``,
    None where skipped). A skipped facet still lists choices, uncounted: every kind and
    origin, and the chosen actors and places with the whole record's busiest (``ready``,
    the ready counts, when current)."""
    data = form.cleaned_data

    def option(name, value, label, n):
        return {
            "mark": Event.KIND_MARKS.get(value, "") if name == "kind" else "",
            "name": name,
            "value": value,
            "label": label,
            "count": n,
            "checked": value in data.get(name, []),
            "url": form.toggling(name, value),
            "id": f"{name}-{value}",
        }

    def by_slug(name, rows):
        skipped = rows is None
        if skipped:
            rows = [{**row, "n": None} for row in (ready or {}).get(name, [])]
        counted = {row[f"{name}__slug"]: (row[f"{name}__name"], row["n"]) for row in rows}
        for slug in data.get(name, []):  # chosen ones stay listed, whatever their rank
            counted.setdefault(slug, (form.label_of(name, slug), None if skipped else 0))
        return [option(name, slug, label, n) for slug, (label, n) in counted.items()]

    def by_choice(name, counts):
        # Without counts (skipped for time), every choice is offered, uncounted.
        return [
            option(name, value, label, None if counts is None else counts.get(value, 0))
            for value, label in form.fields[name].names().items()
            if counts is None or counts.get(value) or value in data.get(name, [])
        ]

    options = {
        "kind": by_choice("kind", counted["kind"]),
        "origin": by_choice("origin", counted["origin"]),
        "actor": by_slug("actor", counted["actor"]),
        "place": by_slug("place", counted["place"]),
    }
    all_url = {name: reverse("timeline:choices", kwargs={"name": name}) for name in CHOOSABLE}
    return {
        name: Facet(
            name,
            form.fields[name].label,
            options[name],
            counted[name] is None,
            all_url=all_url.get(name, ""),
        )
        for name in form.FACETS
    }


def chips(form: ChronologyFilter) -> list[dict]:
    """The active filters, each with the link that removes it."""
    return [
        {
            "label": f"{form.fields[name].noun}: {form.label_of(name, value)}",
            "url": form.toggling(name, value),
        }
        for name, values in form.values().items()
        if name in form.FILTERS
        for value in values
    ]


def documents_cited() -> int:
    """How many documents the published events cite: what the record is drawn from."""
    cited = Event.sources.through.objects.filter(event__publication=Event.Publication.PUBLISHED)
    return cited.values("source_id").distinct().count()


def orders(form: ChronologyFilter) -> list[dict]:
    """The orders the events can come in, each with the link that shows it."""
    newest = form.newest_first()
    return [
        {"label": "Oldest first", "url": form.query(sort=None), "current": not newest},
        {"label": "Newest first", "url": form.query(sort="newest"), "current": newest},
    ]


def fragment_keys(form: ChronologyFilter, *, more: bool = False) -> dict[str, str]:
    """What each fragment of the page (``{% fragment %}`` in timeline/chronology.html)
    varies with besides the records: the view's state every link of it starts from
    (``form.query()``: each filter's values as given, each once; so query strings that
    differ only in order, repeats or spacing share them), and for the page of events,
    where it starts, how many it shows, and whether only the ``more`` that "Show more"
    adds. The facets come as the form's fieldsets, or out of band."""
    state = form.query()
    return {
        "facets": state,
        "facets-oob": state,
        "axis": state,
        "page": f"{state}#{form.packed_cursor() or ''}#{form.page_size()}{'+' if more else ''}",
        "coverage": "",  # the same on every view: what the whole record holds
    }


def page_context(
    form: ChronologyFilter, events, fragments: Fragments, *, more: bool = False
) -> dict:
    """The page's context; with ``more``, for the events "Show more" adds to those already
    on screen (the last page of those the address shows). Of what the ``fragments``
    found kept, nothing is fetched or counted: the page of events is left out, the facets
    and the axis are counted only if a template renders them (lazily: which fragments a
    response renders is the template's to say)."""
    counts = Counts(form, events, version=fragments.version, batch=fragments.batch)
    year = form.year_of_view()
    # A count skipped for time is said so, and kept nowhere.
    fragments.complete = lambda: not counts.skipped
    context = {
        "form": form,
        "count": counts.values("count")["count"],
        "continued": form.cleaned_data.get("cursor") is not None,
        "axis": SimpleLazyObject(lambda: axis(form, counts.values("axis")["axis"])),
        "months": SimpleLazyObject(lambda: month_axis(form, year, counts.months(year)))
        if year
        else None,
        "facets": SimpleLazyObject(lambda: facets(form, counts.values(*form.FACETS), counts.ready)),
        "skipped": counts.skipped,
        "chips": chips(form),
        "orders": orders(form),
        # Called by the template only if it renders the coverage line (not kept).
        "documents": documents_cited,
        "query": form.query(),
        "fragments": fragments,
    }
    if "page" not in fragments:
        shown = form.page_size()
        page = events_page(form, counts, skip=shown - PAGE_SIZE if more else 0)
        context["entries"] = entries(page, form.cleaned_data.get("q", ""))
        context.update(more=more, more_url=None, next_url=None)
        if page.next and shown < SHOWN_AT_MOST:
            # The address of every event shown so far and the next page's: coming back
            # to it (Back, a reload, a shared link) brings them all back.
            more_shown = str(shown + PAGE_SIZE)
            context["more_url"] = form.query(cursor=form.packed_cursor(), shown=more_shown)
            context["more_anchor"] = f"#title-{page.following.slug}"
        elif page.next:
            context["next_url"] = form.query(cursor=page.next)
    return context


def invalid_context(form: ChronologyFilter) -> dict:
    """The page for a query string it cannot answer: the form, which names its errors,
    without choices to count."""
    return {"form": form, "errors": form.error_list(), "facets": {}}
