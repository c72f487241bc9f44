"""The chronology at `/`: a page of events, the facet counts, the time axis and the
chips of the active filters, built from the validated filter form in a fixed number of
queries. Every link on it comes from the form, which owns the query string."""

from django.conf import settings

from timeline.forms import ChronologyFilter
from timeline.keyset import Page, page_of
from timeline.models import Event
from timeline.timelimits import TimeBudget

AXIS_YEARS = range(1991, 2024)
FACET_LIMIT = 12


class Facet(list):
    """The choices of one filter, each a dict, with the filter's name and legend."""

    def __init__(self, name: str, legend: str, options: list[dict]):
        super().__init__(options)
        self.name, self.legend = name, legend


# ---------------------------------------------------------------- the page of events


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


def events_page(form: ChronologyFilter, matching) -> Page:
    """The page of matching events the form's cursor asks for."""
    cursor = form.cleaned_data.get("cursor")
    rows = matching.chronological().after(cursor).with_listing_details()
    return page_of(rows, form.fields["cursor"].encode, after=cursor)


def entries(page: Page) -> list[dict]:
    """The page's events, each with the year and month headings that start before it."""
    previous = None
    if page.after:
        date, slug = page.after
        # Only the published record: whether a draft has that slug must not show.
        continued = Event.objects.published().filter(slug=slug).first()
        previous = heading_key(continued or Event(date_start=date))
    result = []
    for event in page.rows:
        key = heading_key(event)
        result.append(
            {
                "event": event,
                "year": key[0] if not previous or key[0] != previous[0] else None,
                "group": key[1] if key != previous else None,
            }
        )
        previous = key
    return result


# ---------------------------------------------------------------- counts: facets and axis


def time_budget(events) -> TimeBudget:
    """Time limits on the counts of ``events``, on the database they are read from."""
    return TimeBudget(settings.TIMELINE_COUNT_TIME_LIMIT_MS, using=events.db)


def axis(form: ChronologyFilter, events, budget: TimeBudget) -> list[dict]:
    counts = budget.run(
        "axis",
        form.apply(events, without="period").count_by_year,
        key=f"axis{form.query()}",
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
                "url": form.query(from_=str(year), to=str(year)),
                "selected": (start or end) is not None
                and (start is None or start.year <= year)
                and (end is None or end.year >= year),
            }
        )
    return bars


def facets(form: ChronologyFilter, events, budget: TimeBudget) -> dict[str, Facet]:
    data = form.cleaned_data
    matching = form.apply(events)

    def count(name, counter, default=None):
        return budget.run(name, counter, default, key=f"{name}{form.query()}")

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
        counted = {row[f"{name}__slug"]: (row[f"{name}__name"], row["n"]) for row in rows}
        for slug in data.get(name, []):  # chosen ones stay listed, whatever their rank
            uncounted = None if name in budget.skipped else 0
            counted.setdefault(slug, (form.label_of(name, slug), uncounted))
        return [option(name, slug, label, n) for slug, (label, n) in counted.items()]

    def by_choice(name, counts):
        # Without counts (skipped for time), every choice is offered, uncounted.
        return [
            option(name, value, label, None if counts is None else counts.get(value, 0))
            for value, label in form.fields[name].names().items()
            if counts is None or counts.get(value) or value in data.get(name, [])
        ]

    kinds = count("kind", form.apply(events, without="kind").count_by_kind)
    origins = count("origin", form.apply(events, without="origin").count_by_origin)
    actors = count("actor", lambda: matching.count_by_actor(FACET_LIMIT), [])
    places = count("place", lambda: matching.count_by_place(FACET_LIMIT), [])
    options = {
        "kind": by_choice("kind", kinds),
        "origin": by_choice("origin", origins),
        "actor": by_slug("actor", actors),
        "place": by_slug("place", places),
    }
    return {name: Facet(name, form.fields[name].label, options[name]) for name in form.FACETS}


def chips(form: ChronologyFilter) -> list[dict]:
    """The active filters, each with the link that removes it."""
    return [
        {
            "label": f"{form.fields[name].noun}: {form.label_of(name, value)}",
            "url": form.toggling(name, value),
        }
        for name, values in form.values().items()
        for value in values
    ]


def page_context(form: ChronologyFilter, events) -> dict:
    matching = form.apply(events)
    page = events_page(form, matching)
    budget = time_budget(events)
    count = budget.run("count", matching.count, key=f"count{form.query()}")
    return {
        "form": form,
        "entries": entries(page),
        "page": page,
        "count": count,
        "more_url": form.query(cursor=page.next) if page.next else None,
        "axis": axis(form, events, budget),
        "facets": facets(form, events, budget),
        "skipped": budget.skipped,
        "chips": chips(form),
        "query": form.query(),
    }


def invalid_context(form: ChronologyFilter) -> dict:
    """The page for a query string it cannot answer: the form, which names its errors."""
    return {"form": form, "errors": form.error_list()}
