"""When an activity is, in words: "vrijdag 5 juni, 10:00–12:00", "vrijdag 5 juni, hele dag",
"vr 5 t/m zo 7 juni" (several whole days), "vr 5 juni 18:00 t/m zo 7 juni 16:00". Never
"00:00–00:00": a date without a time is a whole day."""

import datetime as dt

from django import template
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from samen.activities.calendar import AMSTERDAM

register = template.Library()


def _days(
    starts: dt.datetime, ends: dt.datetime | None, all_day: bool
) -> tuple[dt.datetime, dt.datetime | None]:
    """Local start and end; for a whole day the end is the last day (iCalendar's end is
    the midnight after it)."""
    local_start = starts.astimezone(AMSTERDAM)
    local_end = ends.astimezone(AMSTERDAM) if ends else None
    if all_day:
        if local_end is None or local_end <= local_start:
            return local_start, local_start
        return local_start, local_end - dt.timedelta(days=1)
    return local_start, local_end


def _range(first: dt.datetime, last: dt.datetime) -> str:
    """vr 5 t/m zo 7 juni; vr 29 mei t/m zo 7 juni; wo 30 december 2026 t/m vr 1 januari 2027."""
    if first.year != last.year:
        begin, end = date_format(first, "D j F Y"), date_format(last, "D j F Y")
    elif first.month != last.month:
        begin, end = date_format(first, "D j F"), date_format(last, "D j F")
    else:
        begin, end = date_format(first, "D j"), date_format(last, "D j F")
    return _("%(begin)s t/m %(end)s") % {"begin": begin, "end": end}


def when_text(starts: dt.datetime | None, ends: dt.datetime | None, all_day: bool) -> str:
    if starts is None:
        return ""
    first, last = _days(starts, ends, all_day)
    if all_day:
        if last is None or last.date() == first.date():
            return _("%(day)s, hele dag") % {"day": date_format(first, "l j F")}
        return _range(first, last)
    if last is not None and last.date() != first.date():
        return _("%(begin)s t/m %(end)s") % {
            "begin": f"{date_format(first, 'D j F')} {time_format(first, 'H:i')}",
            "end": f"{date_format(last, 'D j F')} {time_format(last, 'H:i')}",
        }
    hours = time_format(first, "H:i")
    if last is not None:
        hours += "–" + time_format(last, "H:i")
    return f"{date_format(first, 'l j F')}, {hours}"


def time_text(starts: dt.datetime, ends: dt.datetime | None, all_day: bool) -> str:
    """The time beside a day's heading (the print agenda): "10:00–12:00", "hele dag"; for
    several days the whole range ("vr 5 t/m zo 7 juni", "vr 5 juni 18:00 t/m zo 7 juni
    16:00"), which also says it began before the day it is listed under."""
    first, last = _days(starts, ends, all_day)
    if last is not None and last.date() != first.date():
        return when_text(starts, ends, all_day)
    if all_day:
        return _("hele dag")
    hours = time_format(first, "H:i")
    return hours + ("–" + time_format(last, "H:i") if last is not None else "")


@register.simple_tag
def when(occurrence, activity) -> str:
    """{% when o a %}: the date(s) and time of this occurrence of that activity."""
    return when_text(occurrence.starts_at, occurrence.ends_at, activity.all_day)


@register.simple_tag
def when_time(occurrence, activity) -> str:
    return time_text(occurrence.starts_at, occurrence.ends_at, activity.all_day)
