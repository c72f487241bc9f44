"""Dates as the timeline gives them: at a precision (a day, a month, a year,
approximately, or only as a bound: on or before a day), read from a query string and
written for readers."""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models


class Precision(models.TextChoices):
    """How exactly the sources date something."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    APPROXIMATE = "approximate", "Approximate"
    BY = "by", "By (on or before the day)"


# The months' names, by number (1 to 12), in English whatever the process's locale:
# ``calendar.month_name`` asks strftime anew at each lookup, and in the locale.
MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_period(value: str, *, end: bool) -> datetime.date:
    """'2022', '2022-09' or '2022-09-13' as the first day (or, with ``end``, the last day)."""
    match = PERIOD_PATTERN.match(value)
    if not match:
        raise ValidationError("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.", code="format")
    year, month, day = match.groups()
    try:
        if day:
            return datetime.date(int(year), int(month), int(day))
        if month:
            last = calendar.monthrange(int(year), int(month))[1] if end else 1
            return datetime.date(int(year), int(month), last)
        return datetime.date(int(year), 12, 31) if end else datetime.date(int(year), 1, 1)
    except (ValueError, calendar.IllegalMonthError) as error:
        raise ValidationError(f"{value} is not a real date.", code="invalid") from error


def precision_problem(start: datetime.date, end: datetime.date | None, precision: str) -> str:
    """What is wrong with dates given at a precision, or an empty string."""
    P = Precision
    if precision == P.BY and end:
        return "A date known only as a bound (“by 1 May 2023”) has no end date: give the bound."
    if precision == P.MONTH:
        if start.day != 1:
            return "At month precision the start date is the 1st of its month."
        if end and end.day != calendar.monthrange(end.year, end.month)[1]:
            return "At month precision the end date is the last day of its month."
    if precision == P.YEAR:
        if (start.month, start.day) != (1, 1):
            return "At year precision the start date is 1 January."
        if end and (end.month, end.day) != (12, 31):
            return "At year precision the end date is 31 December."
    return ""


def format_date(value: datetime.date, precision: str = Precision.DAY) -> str:
    """One date at a precision: '13 September 2022', 'September 2022', '2022'. A day
    is written so wherever the site writes one (a source's publication, a citation's
    date of access), through this function or the template filter ``day``."""
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return f"{MONTHS[value.month]} {value.year}"
    return f"{value.day} {MONTHS[value.month]} {value.year}"


def span(first: str, last: str) -> str:
    """Two ends joined as a range: by an en dash, closed up between single words
    ('1991–1994', 'September–November 2020'), spaced when an end has spaces of its own
    ('28 September – 3 October 2022')."""
    return f"{first}–{last}" if " " not in first + last else f"{first} – {last}"


# The parts of a decade that an approximate span of years is named by, when both its
# ends lie in one of them ("1980s" is the whole decade).
DECADE_PARTS = ((range(0, 4), "early {}s"), (range(4, 7), "mid-{}s"), (range(7, 10), "late {}s"))


def approximate_years(first: int, last: int) -> str:
    """An approximate span of years: in words when both ends lie in one part of a
    decade ('late 1980s', 'mid-1990s', '1980s'), else 'c. 1987–1993'."""
    decade = first // 10 * 10
    if last // 10 * 10 == decade:
        if (first, last) == (decade, decade + 9):
            return f"{decade}s"
        for years, words in DECADE_PARTS:
            if first % 10 in years and last % 10 in years:
                return words.format(decade)
    return f"c. {span(str(first), str(last))}"


def format_date_range(start: datetime.date, end: datetime.date | None, precision: str) -> str:
    """A date as honest as its precision, the one home of how an event's date reads
    (pages, titles, feeds, exports): '13 September 2022', '13–14 September 2022',
    '28 September – 3 October 2022', 'September–November 2020', '1991–1994'. An
    approximate date has "c." before it, or a worded form: 'c. May 2023',
    'c. 18–24 September 2023', 'c. March–May 2023', 'c. 2023', 'late 1980s',
    'c. 1987–1993'. A date known only as a bound: 'by 1 May 2023'."""
    if precision == Precision.BY:
        return f"by {format_date(start, Precision.DAY)}"
    end = end or start
    if precision == Precision.APPROXIMATE:
        if start.year != end.year:
            return approximate_years(start.year, end.year)
        return f"c. {exact_range(start, end, approximate_precision(start, end))}"
    return exact_range(start, end, precision)


def approximate_precision(start: datetime.date, end: datetime.date) -> str:
    """The precision an approximate date within one year reads at: its year when it
    covers the whole year, its months when it starts and ends with them (or is one
    day, read as its month), else its days."""
    first_of_month = start.day == 1
    last_of_month = end.day == calendar.monthrange(end.year, end.month)[1]
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return Precision.YEAR
    if start == end or (first_of_month and last_of_month):
        return Precision.MONTH
    return Precision.DAY


def exact_range(start: datetime.date, end: datetime.date, precision: str) -> str:
    """From ``start`` to ``end`` at ``precision`` (day, month or year), with what the
    ends share written once: '13–14 September 2022', 'September–November 2020'."""
    first, last = format_date(start, precision), format_date(end, precision)
    if first == last:
        return first
    if precision == Precision.YEAR or start.year != end.year:
        return span(first, last)
    year = f" {end.year}"
    if precision == Precision.DAY and start.month == end.month:
        return f"{span(str(start.day), str(end.day))} {MONTHS[end.month]}{year}"
    return span(first.removesuffix(year), last.removesuffix(year)) + year


def period_precision(value: str) -> str:
    """The precision of a period as a query string gives it: '2022', '2022-09', '2022-09-13'."""
    return {4: Precision.YEAR, 7: Precision.MONTH}.get(len(value), Precision.DAY)


def format_period_end(value: str) -> str:
    """One end of a period as a query string gives it, as a date reads elsewhere:
    '2022-09' is 'September 2022'."""
    return format_date(parse_period(value, end=False), period_precision(value))


def format_period(start: str, end: str) -> str:
    """A period given as text (either end '2022', '2022-09' or '2022-09-13', as the
    chronology's filter takes it, or empty) as a date reads elsewhere: '2022–2023',
    'September 2022', '2020 – September 2022', 'from 13 September 2022', 'until 2023'."""
    if not (start and end):
        return f"from {format_period_end(start)}" if start else f"until {format_period_end(end)}"
    if period_precision(start) != period_precision(end):
        return span(format_period_end(start), format_period_end(end))
    first, last = parse_period(start, end=False), parse_period(end, end=True)
    return exact_range(first, last, period_precision(start))


def format_years(start: datetime.date, end: datetime.date | None, precision: str) -> str:
    """The years a date lies in, as a heading names them: '2020', '1991–1994', or for an
    approximate span of years as its date reads ('late 1980s', 'c. 1987–1993')."""
    end = end or start
    if precision == Precision.APPROXIMATE and start.year != end.year:
        return approximate_years(start.year, end.year)
    return exact_range(start, end, Precision.YEAR)


def said_before(start: datetime.date, end: datetime.date | None, precision: str, occasion):
    """Whether a date at ``precision`` lies wholly before the day ``occasion``: its last
    possible day (a month's or a year's last, a bound's own day) comes earlier."""
    if end:
        last = end
    elif precision == Precision.YEAR:
        last = start.replace(month=12, day=31)
    elif precision in (Precision.MONTH, Precision.APPROXIMATE):
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    else:
        last = start
    return last < occasion
