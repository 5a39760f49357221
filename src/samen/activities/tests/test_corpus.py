"""Issue #14, "every valid calendar in": real exports (Google, SabreDAV/Nextcloud, Cyrus,
iCalcreator, Calendar Labs; see corpus/README.md) read by Samen give, per file, the number
of activities and the dates recurring-ical-events gives over the same window (with
X-WR-TIMEZONE applied, as a calendar app does)."""

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import x_wr_timezone

from samen.activities import calendar, feeds, services
from samen.activities.models import Activity, Feed
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory

CORPUS = Path(__file__).parent / "corpus"

# file: (activities, dates in the 400 days from the first event)
EXPECTED = {
    "Germany_Holidays.ics": (34, 19),  # all-day, X-WR-TIMEZONE, empty RRULE:, DTEND = DTSTART
    "daylight_saving_time.ics": (58, 177),  # Google, all-day and timed, edited instances
    "machbar_16_feb_2019.ics": (58, 177),  # Google
    "issue_44_double_event.ics": (1, 1),  # Google, all-day under X-WR-TIMEZONE
    "issue_48_dst.ics": (13, 718),  # Google, across daylight saving
    "issue_62_moved_event.ics": (1, 14),  # Google, a moved instance
    "x_wr_timezone_simple_events_issue_59.ics": (2, 2),  # Google, UTC under X-WR-TIMEZONE
    "issue_86_x_wr_timezone_without_time_zone_in_dt.ics": (1, 1),
    "fablab_cottbus.ics": (28, 13),  # iCalcreator
    "discourse_no_dtend.ics": (4, 4),  # no DTEND
    "duration.ics": (3, 3),  # DURATION instead of DTEND
    "each_week_but_two_deleted.ics": (1, 6),  # SabreDAV (Nextcloud), EXDATE
    "one_day_event_repeat_every_day.ics": (1, 400),  # SabreDAV
    "multiple_rrule.ics": (1, 22),  # Cyrus (Fastmail): two RRULE properties
    "rdate.ics": (3, 435),  # RDATE
    "issue_113_period_in_rdate.ics": (1, 9),  # RDATE as PERIOD
}


def window(body: bytes) -> tuple[dt.datetime, dt.datetime]:
    parsed = icalendar.Calendar.from_ical(body)
    first = min(calendar.as_aware(e.decoded("DTSTART")) for e in parsed.walk("VEVENT"))
    return first - dt.timedelta(days=1), first + dt.timedelta(days=400)


def reference(body: bytes, start, end) -> list[dt.datetime]:
    standard = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(body))
    return sorted(
        calendar.as_aware(event.decoded("DTSTART")).astimezone(dt.UTC)
        for event in recurring_ical_events.of(standard).between(start, end)
    )


def samen_dates(items: list[feeds.Item], start, end) -> list[dt.datetime]:
    found = []
    for item in items:
        activity = Activity(kind=item.kind, starts_at=item.starts_at, ends_at=item.ends_at)
        activity.rrule = item.rrule
        activity.ical = item.ical if item.rrule or calendar.has_extra_dates(item.ical) else ""
        found += [begins.astimezone(dt.UTC) for begins, _ends in
                  services._all_dates(activity, start, end)]  # fmt: skip
    return sorted(found)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_valid_calendar_in(name):
    body = (CORPUS / name).read_bytes()
    items = feeds.parse(body, feeds.detect(body))
    assert [item.refused for item in items if item.refused] == []
    start, end = window(body)
    expected = reference(body, start, end)
    assert (len(items), len(expected)) == EXPECTED[name]
    assert samen_dates(items, start, end) == expected


def test_an_end_before_the_start_is_refused_for_that_item():
    body = (CORPUS / "end_before_start_event.ics").read_bytes()
    [item] = feeds.parse(body, "ical")
    assert item.refused == feeds.ENDS_BEFORE_START


def test_a_calendar_without_events_is_read_as_empty():
    assert feeds.parse((CORPUS / "no_events.ics").read_bytes(), "ical") == []


def variant(name: str, change) -> bytes:
    return change((CORPUS / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("fablab_cottbus.ics", lambda body: b"\xef\xbb\xbf" + body),  # byte-order mark
        (  # Exchange escapes the ; inside a rule
            "each_week_but_two_deleted.ics",
            lambda body: body.replace(b"RRULE:FREQ=WEEKLY;", b"RRULE:FREQ=WEEKLY\\;"),
        ),
        (  # an empty EXDATE beside the real ones
            "each_week_but_two_deleted.ics",
            lambda body: body.replace(b"RRULE:", b"EXDATE:\r\nRRULE:", 1),
        ),
    ],
)
def test_what_servers_write_beside_the_standard_is_read(name, change):
    body = variant(name, change)
    items = feeds.parse(body, feeds.detect(body))
    original = (CORPUS / name).read_bytes()
    start, end = window(original)
    assert [item.refused for item in items if item.refused] == []
    assert samen_dates(items, start, end) == reference(original, start, end)


def test_events_without_a_uid_keep_their_identity_across_downloads(db, unscoped, tmp_path):
    organisation = OrganisationFactory(municipality=MunicipalityFactory(slug="corpusstad"))
    text = (CORPUS / "discourse_no_dtend.ics").read_text()
    without = "".join(line for line in text.splitlines(True) if not line.startswith("UID:"))
    path = tmp_path / "agenda.ics"
    path.write_text(without)
    feed = services.add_feed(organisation=organisation, url=str(path))
    assert services.import_feed(feed=feed, local_files=True).created == 4
    path.write_text(without.replace("DTSTAMP:2019", "DTSTAMP:2027"))  # a new download
    again = services.import_feed(feed=feed, local_files=True)
    assert (again.created, again.deleted, again.unchanged) == (0, 0, 4)
    assert Feed.objects.get(pk=feed.pk).suspicious == ""
