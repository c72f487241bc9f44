"""What the chronology's pages show, built from validated filters in a fixed
number of queries: a page of events, facet counts, the time axis and chips."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from timeline.forms import ChronologyFilter, Cursor, distinct
from timeline.models import Event, Origin
from timeline.timelimits import TimeBudget

PAGE_SIZE = 20
AXIS_YEARS = range(1991, 2024)
FACET_LIMIT = 12
# Milliseconds each count on the page (matching events, events per year, each facet)
# may take; a count that would take longer is skipped, and the page says so. Six such
# counts at most add under 100 ms to a page (see docs/performance.md); change it with
# the TIMELINE_COUNT_TIME_LIMIT_MS setting.
COUNT_TIME_LIMIT_MS = 15
KIND_MARKS = {
    "hostilities": "▲",
    "ceasefire": "◆",
    "phone-call": "☎",
    "talks": "◇",
    "meeting": "●",
    "press-briefing": "■",
    "declaration": "★",
    "humanitarian": "✚",
    "movement": "▬",
    "disarmament": "▼",
    "monitoring": "◎",
    "announcement": "□",
    "political": "○",
}


# ---------------------------------------------------------------- query strings


def query_with(params: QueryDict, **changes) -> str:
    """The query string ``params`` with ``changes`` (None removes a parameter), less any
    cursor, each value of a parameter once."""
    query = params.copy()
    query.pop("cursor", None)
    for name in query:
        query.setlist(name, distinct(query.getlist(name)))
    for name, value in changes.items():
        name = name.rstrip("_")
        query.pop(name, None)
        if value is not None:
            query.setlist(name, value if isinstance(value, list) else [value])
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def query_toggling(params: QueryDict, name: str, value: str) -> str:
    values = params.getlist(name)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return query_with(params, **{name: values or None})


def pair_url(first: str, second: str) -> str:
    return reverse("timeline:chronology") + "?" + urlencode([("actor", first), ("actor", second)])


# ---------------------------------------------------------------- the page of events


def page_of(rows, position, size: int = PAGE_SIZE) -> tuple[list, str | None]:
    """The first ``size`` of ``rows`` (a queryset already ordered and started at a
    cursor) and the cursor of the next page, if there is one: keyset, not OFFSET."""
    fetched = list(rows[: size + 1])
    return fetched[:size], (position(fetched[size - 1]) if len(fetched) > size else None)


class Page:
    """One page of events after ``cursor``, fetched by keyset, not OFFSET."""

    def __init__(self, matching, cursor, size: int = PAGE_SIZE):
        rows = list(matching.chronological().after(cursor).with_listing_details()[: size + 1])
        self.events = rows[:size]
        self.next_cursor = Cursor.encode(self.events[-1]) if len(rows) > size else None
        self.continues_from = cursor


def heading_key(event) -> tuple[int, str]:
    """Events are grouped under their year, then their month when the date gives one."""
    start, end = event.date_start, event.date_end
    within_a_month = end is None or (end.year, end.month) == (start.year, start.month)
    if event.date_precision == Event.Precision.DAY or (
        event.date_precision in {Event.Precision.MONTH, Event.Precision.APPROXIMATE}
        and within_a_month
    ):
        return start.year, start.strftime("%B %Y")
    return start.year, f"{start.year}, dated by year or longer"


def entries(page: Page) -> list[dict]:
    """The page's events, each with the year and month headings that start before it."""
    previous = None
    if page.continues_from:
        date, slug = page.continues_from
        # Only the published record: whether a draft has that slug must not show.
        continued = Event.objects.published().filter(slug=slug).first()
        previous = heading_key(continued or Event(date_start=date))
    result = []
    for event in page.events:
        key = heading_key(event)
        result.append(
            {
                "event": event,
                "year": key[0] if not previous or key[0] != previous[0] else None,
                "group": key[1] if key != previous else None,
                "mark": KIND_MARKS.get(event.kind, "•"),
            }
        )
        previous = key
    return result


# ---------------------------------------------------------------- facets and axis


def time_budget(events) -> TimeBudget:
    """Time limits on the counts of ``events``, on the database they are read from."""
    limit = getattr(settings, "TIMELINE_COUNT_TIME_LIMIT_MS", COUNT_TIME_LIMIT_MS)
    return TimeBudget(limit, using=events.db)


def count_key(request, name: str) -> str:
    """What identifies a count: its name and the filters (not the page) it counts under."""
    return f"{name}{query_with(request.GET)}"


def axis(request, form: ChronologyFilter, events, budget: TimeBudget) -> list[dict]:
    counts = budget.run(
        "axis",
        form.apply(events, without="period").count_by_year,
        key=count_key(request, "axis"),
    )
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
                "count": None if skipped else count,
                "height": round(100 * count / highest),
                "top": 100 - round(100 * count / highest),
                "url": query_with(request.GET, from_=str(year), to=str(year)),
                "selected": (start or end) is not None
                and (start is None or start.year <= year)
                and (end is None or end.year >= year),
            }
        )
    return bars


def facets(request, form: ChronologyFilter, events, budget: TimeBudget) -> dict[str, list[dict]]:
    data = form.cleaned_data
    matching = form.apply(events)

    def option(name, value, label, count):
        return {
            "mark": KIND_MARKS.get(value, "") if name == "kind" else "",
            "name": name,
            "value": value,
            "label": label,
            "count": count,
            "checked": value in data.get(name, []),
            "url": query_toggling(request.GET, name, value),
            "id": f"{name}-{value}",
        }

    def by_slug(name, rows, key):
        names = form.fields[name].names
        counted = {row[f"{key}__slug"]: (row[f"{key}__name"], row["n"]) for row in rows}
        for slug in data.get(name, []):  # chosen ones stay listed, whatever their rank
            counted.setdefault(slug, (names.get(slug, slug), None if name in budget.skipped else 0))
        return [option(name, slug, label, n) for slug, (label, n) in counted.items()]

    def by_choice(name, choices, counts):
        # Without counts (skipped for time), every choice is offered, uncounted.
        return [
            option(name, value, label, None if counts is None else counts.get(value, 0))
            for value, label in choices
            if counts is None or counts.get(value) or value in data.get(name, [])
        ]

    def count(name, counter, default=None):
        return budget.run(name, counter, default, key=count_key(request, name))

    kinds = count("kind", form.apply(events, without="kind").count_by_kind)
    origins = count("origin", form.apply(events, without="origin").count_by_origin)
    actors = count("actor", lambda: matching.count_by_actor_id(FACET_LIMIT), [])
    places = count("place", lambda: matching.count_by_place_id(FACET_LIMIT), [])
    return {
        "kind": by_choice("kind", Event.Kind.choices, kinds),
        "origin": by_choice("origin", Origin.choices, origins),
        "actor": by_slug("actor", actors, "actor"),
        "place": by_slug("place", places, "place"),
    }


def chips(request, form: ChronologyFilter) -> list[dict]:
    """The active filters, each with the link that removes it."""
    data, result = form.cleaned_data, []
    if data.get("q"):
        result.append({"label": f"Search: {data['q']}", "url": query_with(request.GET, q=None)})
    labels = {
        "actor": form.fields["actor"].names,
        "place": form.fields["place"].names,
        "kind": dict(Event.Kind.choices),
        "origin": dict(Origin.choices),
    }
    nouns = {"actor": "Actor", "place": "Place", "kind": "Kind", "origin": "Reported by"}
    for name, noun in nouns.items():
        for value in data.get(name, []):
            result.append(
                {
                    "label": f"{noun}: {labels[name].get(value, value)}",
                    "url": query_toggling(request.GET, name, value),
                }
            )
    for name in ("from", "to"):
        if request.GET.get(name):
            result.append(
                {
                    "label": f"{name.title()}: {request.GET[name]}",
                    "url": query_with(request.GET, **{name: None}),
                }
            )
    return result


def page_context(request, form: ChronologyFilter, events) -> dict:
    matching = form.apply(events)
    page = Page(matching, form.cleaned_data.get("cursor"))
    query = query_with(request.GET)
    budget = time_budget(events)
    count = budget.run("count", matching.count, key=count_key(request, "count"))
    bars = axis(request, form, events, budget)
    return {
        "form": form,
        "entries": entries(page),
        "page": page,
        "count": count,
        "more_url": query_with(request.GET, cursor=page.next_cursor) if page.next_cursor else None,
        "facets": facets(request, form, events, budget),
        "axis": bars,
        "skipped": budget.skipped,
        "chips": chips(request, form),
        "query": query,
        "errors": [],
    }


def invalid_context(form: ChronologyFilter) -> dict:
    """The page for a query string it cannot answer: the errors, and an unfiltered form."""
    return {
        "form": form,
        "entries": [],
        "page": None,
        "count": None,
        "more_url": None,
        "facets": {},
        "axis": [],
        "skipped": [],
        "chips": [],
        "query": "",
        "errors": form.error_list(),
    }


# ---------------------------------------------------------------- event page


def accounts(statements) -> list[dict]:
    """Statements grouped by origin, then by source: one column per side's account."""
    by_origin: dict[str, dict] = {}
    for statement in statements:
        source = statement.source
        column = by_origin.setdefault(
            source.origin,
            {"origin": source.get_origin_display(), "code": source.origin, "sources": {}},
        )
        column["sources"].setdefault(source.pk, {"source": source, "statements": []})
        column["sources"][source.pk]["statements"].append(statement)
    return [
        {**column, "sources": list(column["sources"].values())} for column in by_origin.values()
    ]
