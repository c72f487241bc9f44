"""``{{ value|day }}``: a day as the site writes one ("5 May 2023"), from the one home
of how dates read (timeline/dates.py), in the current time zone for a moment."""

import datetime

from django import template
from django.utils.timezone import template_localtime

from timeline.dates import format_date

register = template.Library()


@register.filter
def day(value: datetime.date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return format_date(value)
