"""schema.org JSON-LD on a web page, read into `feeds.Item`s: events wherever a page puts
them (the top level, `@graph`, an organisation's or place's `event`, an event's `subEvent`,
an ItemList, a page's `mainEntity`), references by `@id` resolved, an `eventSchedule` turned
into the RRULE the agenda expands, a date without a time as a whole day, the image as a link
(never fetched), and a block that is not JSON skipped and counted.

The walk is iterative and visits each value of the page once, so a deep or huge page costs
what its size costs; json.loads refuses nesting deeper than Python's recursion limit."""

import datetime as dt
import hashlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime, parse_duration

from . import calendar
from .calendar import AMSTERDAM
from .feeds import (
    DESCRIPTION_MAX,
    TOO_FREQUENT,
    TOO_OLD,
    UNREADABLE,
    Budget,
    FeedError,
    Item,
    plain_text,
)

EARLIEST_SERIES = 1970
UNREADABLE_SCHEDULE = "heeft een rooster (eventSchedule) dat Samen niet kan lezen"
NO_EVENTS = "Op deze pagina staan geen evenementen (schema.org Event)"
# Where a page nests the things it holds; followed in this order.
CONTAINERS = (
    "@graph",
    "mainEntity",
    "itemListElement",
    "item",
    "event",
    "events",
    "subEvent",
    "subEvents",
)
# What an event nested in it takes as its place or its organizer (when it names none).
PLACES = ("Place", "LocalBusiness", "Library", "CivicStructure", "CommunityCenter")
ORGANISATIONS = ("Organization", "Library", "LocalBusiness", "NGO", "Person")
SKIPPED_STATUS = ("EventCancelled", "EventPostponed")
MAX_EXCEPT_DATES = 500
URL_MAX = 500
DAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
ICAL_DAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
FREQUENCY_WORDS = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "monthly": ("MONTHLY", 1),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
ISO_PERIOD = re.compile(
    r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def read_blocks(body: bytes) -> tuple[list, int]:
    """The JSON of every ld+json script, and how many could not be read. Control characters
    inside strings and a CDATA wrapper (both common on real sites) are allowed."""
    scripts = _Scripts()
    scripts.feed(body.decode("utf-8", errors="replace"))
    data, broken = [], 0
    for block in scripts.blocks:
        if not block.strip():
            continue
        try:
            data.append(json.loads(CDATA.sub("", block), strict=False))
        except (ValueError, RecursionError):
            broken += 1
    return data, broken


def broken_message(broken: int) -> str:
    if broken == 1:
        return "1 blok op deze pagina kon niet worden gelezen"
    return f"{broken} blokken op deze pagina konden niet worden gelezen"


def incomplete(body: bytes) -> str:
    _data, broken = read_blocks(body)
    if not broken:
        return ""
    return broken_message(broken) + "; de rest is ingelezen en er is niets verwijderd."


def _types(node: dict) -> list[str]:
    types = node.get("@type", [])
    return [
        str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        for t in (types if isinstance(types, list) else [types])
    ]


# The subtypes of schema.org Event whose name does not end in "Event".
OTHER_EVENTS = {"Festival", "Hackathon", "CourseInstance", "EventSeries"}


def _is_event(node: dict) -> bool:
    return any(t.endswith("Event") or t in OTHER_EVENTS for t in _types(node))


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Page:
    """One block: its nodes by @id, and the events in it with what they inherit."""

    def __init__(self, data, budget: Budget) -> None:
        self.budget = budget
        self.by_id: dict[str, dict] = {}
        stack, seen = [data], 0
        while stack:  # every value once, to index the nodes that have an @id
            value = stack.pop()
            seen += 1
            if seen % 1000 == 0:
                budget.check()
            if isinstance(value, dict):
                if isinstance(value.get("@id"), str) and len(value) > 1:
                    self.by_id.setdefault(value["@id"], value)
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)

    def resolve(self, value):
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(str(value["@id"]), value)
        return value

    def events(self, data, limit: int) -> list[tuple[dict, dict]]:
        """(event, inherited) for each event, in page order; `inherited` holds the location,
        organizer, image and offers of the place, organisation or event it is nested in."""
        found: list[tuple[dict, dict]] = []
        done: set[int] = set()
        stack: list[tuple[object, dict]] = [(data, {})]
        while stack:
            value, inherited = stack.pop()
            if isinstance(value, list):
                stack.extend((item, inherited) for item in reversed(value))
                continue
            node = self.resolve(value)
            if not isinstance(node, dict) or id(node) in done:
                continue
            done.add(id(node))
            if len(done) % 1000 == 0:
                self.budget.check()
            types = _types(node)
            children = dict(inherited)
            if _is_event(node):
                for name in ("location", "organizer", "image", "offers"):
                    if node.get(name):
                        children[name] = node[name]
                subs = _as_list(node.get("subEvent")) + _as_list(node.get("subEvents"))
                if not subs:
                    found.append((node, inherited))
                    if len(found) > limit:
                        raise FeedError(
                            f"De pagina bevat meer dan {limit} evenementen; Samen leest "
                            f"hoogstens {limit} items per feed."
                        )
                    continue
            else:
                if "address" in node or any(t in PLACES for t in types):
                    children["location"] = node
                if any(t.endswith(ORGANISATIONS) for t in types):
                    children["organizer"] = node
            for name in reversed(CONTAINERS):
                if name in node:
                    stack.append((node[name], children))
        return found


def parse_page(body: bytes, budget: Budget | None = None) -> list[Item]:
    budget = budget or Budget()
    blocks, broken = read_blocks(body)
    items: list[Item] = []
    limit = settings.SAMEN_FEED_MAX_ITEMS
    for data in blocks:
        budget.check()
        page = _Page(data, budget)
        for node, inherited in page.events(data, limit - len(items)):
            try:
                items += _event_items(page, node, inherited)
            except Exception:  # one odd event skips that event, not the page
                title = words(_text(node.get("name")), paragraphs=False, limit=200)
                uid = _text(node.get("@id")) or _text(node.get("url")) or title
                items.append(Item(uid=uid[:300], title=title or "Activiteit", refused=UNREADABLE))
        if len(items) > limit:
            raise FeedError(
                f"De feed bevat {len(items)} items; Samen leest hoogstens {limit} items per feed."
            )
    if not items:
        raise FeedError(NO_EVENTS + (f"; {broken_message(broken)}." if broken else "."))
    return items


# Markup or an entity left after one pass: the source escaped its HTML once more.
ESCAPED = re.compile(r"</?[a-zA-Z][^<>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def words(text: str, *, paragraphs: bool = True, limit: int = DESCRIPTION_MAX) -> str:
    """`feeds.plain_text`, twice when the source escaped its HTML (The Events Calendar
    writes `&lt;p&gt;` into its JSON-LD)."""
    once = plain_text(text, paragraphs=paragraphs, limit=len(text) + 1)
    if ESCAPED.search(once):
        once = plain_text(once, paragraphs=paragraphs, limit=len(once) + 1)
    return once[:limit]


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return str(value or "")


def _place(page: _Page, value) -> str:
    value = page.resolve(_as_list(value)[0] if _as_list(value) else None)
    if value is None:
        return ""
    if not isinstance(value, dict):
        return plain_text(str(value), paragraphs=False, limit=200)
    if "VirtualLocation" in _types(value):
        return "Online"
    address = _as_list(value.get("address"))
    address = page.resolve(address[0] if address else "")
    if isinstance(address, dict):
        address = " ".join(
            filter(
                None,
                [
                    _text(address.get("streetAddress")),
                    _text(address.get("postalCode")),
                    _text(address.get("addressLocality")),
                ],
            )
        )
    parts = [
        plain_text(_text(value.get("name")), paragraphs=False),
        plain_text(str(address or ""), paragraphs=False),
    ]
    return ", ".join(filter(None, parts))[:200]


def image_url(page: _Page | None, value) -> str:
    """The first http(s) address in a schema.org `image` (a URL, a list, an ImageObject or
    a reference to one); "" when there is none (a cut address would be another one)."""
    for candidate in _as_list(value)[:20]:
        if page is not None:
            candidate = page.resolve(candidate)
        if isinstance(candidate, dict):
            candidate = candidate.get("contentUrl") or candidate.get("url") or ""
        url = calendar.safe_url(_text(candidate))
        if url and len(url) <= URL_MAX:
            return url
    return ""


def _price(value) -> float | None:
    if str(value).strip().lower() in ("gratis", "free", "vrij"):
        return 0.0
    text = re.sub(r"[^\d,.\-]", "", str(value)).replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _is_free(node: dict, offers) -> bool:
    prices = []
    for offer in _as_list(offers):
        if isinstance(offer, dict):
            for name in ("price", "lowPrice", "highPrice"):
                if offer.get(name) not in (None, ""):
                    prices.append(_price(offer[name]))
    if prices:
        return all(price == 0 for price in prices)
    free = node.get("isAccessibleForFree")
    return free not in (False, "false", "False")


def _when(value, zone=AMSTERDAM) -> tuple[dt.datetime | None, bool]:
    """(moment, date only) of a schema.org Date or DateTime; floating times on `zone`."""
    text = _text(value).strip()
    if not text:
        return None, False
    if len(text) == 10:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None, False
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone), True
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        return (_when(text[:10], zone)[0] if len(text) > 10 else None), False
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)), False


def _event_items(page: _Page, node: dict, inherited: dict) -> list[Item]:
    status = _text(node.get("eventStatus"))
    if status.endswith(SKIPPED_STATUS):
        return []  # not in the agenda; a stored version goes when the page is read whole
    name = node.get("name") or node.get("headline") or ""
    title = words(_text(name), paragraphs=False, limit=200) or "Activiteit"
    uid = _text(node.get("@id")) or _text(node.get("url"))
    uid = uid or f"{_text(name)}|{_text(node.get('startDate'))}"
    organizer = page.resolve(node.get("organizer") or inherited.get("organizer"))
    organizer = _as_list(organizer)[0] if _as_list(organizer) else None
    base = Item(
        uid=uid[:300],
        title=title,
        description=words(_text(node.get("description"))),
        location=_place(page, node.get("location") or inherited.get("location")),
        url=calendar.safe_url(_text(node.get("url")))[:500],
        is_free=_is_free(node, node.get("offers") or inherited.get("offers")),
        image_url=image_url(page, node.get("image") or inherited.get("image")),
        extra={"organizer": plain_text(_text(page.resolve(organizer)), paragraphs=False, limit=200)}
        if organizer
        else {},
    )
    schedules = [page.resolve(s) for s in _as_list(node.get("eventSchedule"))]
    schedules = [s for s in schedules if isinstance(s, dict)]
    if schedules:
        items = []
        for number, schedule in enumerate(schedules[:20], start=1):
            suffix = f"#rooster-{number}" if len(schedules) > 1 else ""
            items.append(_schedule_item(base, node, schedule, (uid + suffix)[:300]))
        return items
    starts, all_day = _when(node.get("startDate"))
    ends, end_is_date = _when(node.get("endDate"))
    if all_day and ends is not None and end_is_date:
        ends += dt.timedelta(days=1)  # schema.org's last day; the end is exclusive here
    if starts is not None and ends is None and node.get("duration"):
        length = parse_duration(_text(node.get("duration")))
        ends = starts + length if length else None
    base.starts_at, base.ends_at, base.all_day = starts, ends, all_day
    return [base]


def _frequency(value) -> tuple[str, int] | str:
    """(FREQ, INTERVAL) of a repeatFrequency, or the reason it cannot be a rule."""
    text = _text(value).strip()
    if text.lower() in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[text.lower()]
    match = ISO_PERIOD.match(text.upper())
    if not match or text.upper() in ("P", "PT"):
        return UNREADABLE_SCHEDULE
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    if len(parts) != 1:
        return UNREADABLE_SCHEDULE
    [(unit, amount)] = parts.items()
    if unit in "hms":
        return TOO_FREQUENT
    if amount < 1 or amount != int(amount) or amount > 1000:
        return UNREADABLE_SCHEDULE
    number = int(amount)
    if unit == "D" and number % 7 == 0:
        return "WEEKLY", number // 7
    return {"Y": "YEARLY", "M": "MONTHLY", "W": "WEEKLY", "D": "DAILY"}[unit], number


def _days(schedule: dict, freq: str) -> list[str] | None:
    """BYDAY of a schedule (schema.org day URLs or names, or iCal's own syntax), with
    byMonthWeek as the ordinal; None when a day cannot be read."""
    days = []
    weeks = [w for w in _as_list(schedule.get("byMonthWeek")) if str(w).lstrip("-").isdigit()]
    for value in _as_list(schedule.get("byDay"))[:14]:
        if isinstance(value, dict):
            value = value.get("@id") or value.get("name") or ""
        text = re.split(r"[/:#]", str(value).strip())[-1]
        code = DAYS.get(text.lower())
        if code is None:
            match = ICAL_DAY.match(text.upper())
            if not match:
                return None
            code = text.upper() if freq in ("MONTHLY", "YEARLY") else match.group(2)
        if freq in ("MONTHLY", "YEARLY") and weeks and len(code) == 2:
            days += [f"{int(week)}{code}" for week in weeks if 1 <= abs(int(week)) <= 5]
        else:
            days.append(code)
    return list(dict.fromkeys(days))


def _numbers(value, low: int, high: int) -> list[int] | None:
    numbers = []
    for item in _as_list(value)[:31]:
        if not str(item).lstrip("-").isdigit() or not low <= abs(int(item)) <= high:
            return None
        numbers.append(int(item))
    return list(dict.fromkeys(numbers))


def _clock(value) -> dt.time | None:
    match = TIME.match(_text(value).strip())
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _zone(value):
    name = _text(value).strip()
    if not name or len(name) > 60:
        return AMSTERDAM
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return AMSTERDAM


def _schedule_item(base: Item, event: dict, schedule: dict, uid: str) -> Item:
    item = replace(base, uid=uid, extra=dict(base.extra))
    frequency = _frequency(schedule.get("repeatFrequency"))
    if isinstance(frequency, str):
        item.refused = frequency
        return item
    freq, interval = frequency
    zone = _zone(schedule.get("scheduleTimezone"))
    days = _days(schedule, freq)
    months = _numbers(schedule.get("byMonth"), 1, 12)
    month_days = _numbers(schedule.get("byMonthDay"), 1, 31)
    if days is None or months is None or month_days is None:
        item.refused = UNREADABLE_SCHEDULE
        return item
    start, start_is_date = _when(schedule.get("startDate") or event.get("startDate"), zone)
    if start is None:  # "every Wednesday", no first date: from the start of this year
        start = dt.datetime(timezone.now().astimezone(zone).year, 1, 1, tzinfo=zone)
        start_is_date = True
    start = start.astimezone(zone)
    clock = _clock(schedule.get("startTime"))
    all_day = clock is None and start_is_date
    if clock is not None:
        start = dt.datetime.combine(start.date(), clock, tzinfo=zone)
    if start.year < EARLIEST_SERIES:
        item.refused = TOO_OLD
        return item
    length = _length(schedule, event, start, all_day)
    rule = f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
    if days:
        rule += ";BYDAY=" + ",".join(days)
    if months:
        rule += ";BYMONTH=" + ",".join(map(str, months))
    if month_days:
        rule += ";BYMONTHDAY=" + ",".join(map(str, month_days))
    until, until_is_date = _when(schedule.get("endDate"), zone)
    count = _text(schedule.get("repeatCount"))
    if until is not None:
        if until_is_date:
            until = until.replace(hour=23, minute=59, second=59)
        rule += f";UNTIL={until.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    elif count.isdigit() and int(count) > 0:
        rule += f";COUNT={min(int(count), 100_000)}"
    first = _first(rule, start)
    if first is None:
        item.refused = UNREADABLE_SCHEDULE
        return item
    item.starts_at, item.all_day, item.rrule = first, all_day, rule
    item.ends_at = first + length if length else None
    item.ical = _vcalendar(item, _except_dates(schedule, first, zone, all_day))
    return item


def _length(schedule: dict, event: dict, start: dt.datetime, all_day: bool):
    for value in (schedule.get("duration"), event.get("duration")):
        length = parse_duration(_text(value)) if value else None
        if length and length > dt.timedelta(0):
            return length
    end = _clock(schedule.get("endTime"))
    if end is not None and not all_day:
        ends = dt.datetime.combine(start.date(), end)
        ends += dt.timedelta(days=1) if ends <= start.replace(tzinfo=None) else dt.timedelta(0)
        return ends - start.replace(tzinfo=None)
    return dt.timedelta(days=1) if all_day else None


def _first(rule: str, start: dt.datetime) -> dt.datetime | None:
    """The first date of the rule on or after `start` (within two years): DTSTART is always
    a date of the series in iCalendar, so it must be one the schedule means."""
    naive = start.replace(tzinfo=None)
    try:
        dates = rrulestr(rule, dtstart=naive, ignoretz=True)
        for days in (45, 731):  # a daily rule's first date is near: expand a few weeks
            found = dates.between(naive, naive + dt.timedelta(days=days), inc=True)
            if found:
                return found[0].replace(tzinfo=start.tzinfo)
    except (ValueError, TypeError, OverflowError):
        return None
    return None


def _except_dates(schedule: dict, first: dt.datetime, zone, all_day: bool) -> list:
    dates = []
    for value in _as_list(schedule.get("exceptDate"))[:MAX_EXCEPT_DATES]:
        moment, is_date = _when(value, zone)
        if moment is None:
            continue
        if all_day:
            dates.append(moment.astimezone(zone).date())
        elif is_date:
            dates.append(dt.datetime.combine(moment.date(), first.timetz()))
        else:
            dates.append(moment.astimezone(zone))
    return dates


def _vcalendar(item: Item, exdates: list) -> str:
    """The VEVENT the agenda expands (as an imported iCalendar event would be)."""
    event = icalendar.Event()
    event.add("uid", hashlib.sha256(item.uid.encode()).hexdigest()[:40] + "@jsonld")
    event.add("summary", item.title)
    event.add("dtstamp", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # no change of its own
    assert item.starts_at is not None
    event.add("dtstart", item.starts_at.date() if item.all_day else item.starts_at)
    if item.ends_at:
        event.add("dtend", item.ends_at.date() if item.all_day else item.ends_at)
    event.add("rrule", icalendar.vRecur.from_ical(item.rrule))
    for exdate in exdates:
        event.add("exdate", exdate)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Samen//NL\r\n"
        + event.to_ical().decode()
        + "END:VCALENDAR\r\n"
    )
