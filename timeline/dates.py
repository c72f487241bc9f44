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


def format_date(value: datetime.date, precision: str) -> str:
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return f"{calendar.month_name[value.month]} {value.year}"
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def format_date_range(start: datetime.date, end: datetime.date | None, precision: str) -> str:
    """A date as honest as its precision: '13 September 2022', 'September 2020', '1991',
    '13–14 September 2022', 'c. May 2023', 'late 1980s', 'by 1 May 2023'."""
    if precision == Precision.BY:
        return f"by {format_date(start, Precision.DAY)}"
    if precision == Precision.APPROXIMATE:
        if end and end.year != start.year:
            if start.year // 10 == end.year // 10:
                part = {0: "early", 1: "early", 2: "early", 3: "early"}.get(start.year % 10)
                part = part or ("mid" if start.year % 10 < 7 else "late")
                return f"{part} {start.year // 10 * 10}s"
            return f"c. {start.year}–{end.year}"
        if end and end != start and (end.month, end.year) == (start.month, start.year):
            return f"c. {start.day}–{end.day} {calendar.month_name[start.month]} {start.year}"
        return f"c. {calendar.month_name[start.month]} {start.year}"
    first = format_date(start, precision)
    if not end or end == start:
        return first
    last = format_date(end, precision)
    if first == last:
        return first
    if precision == Precision.DAY and (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}"
    if precision == Precision.MONTH and start.year == end.year:
        return f"{calendar.month_name[start.month]}–{last}"
    return f"{first} – {last}"


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
