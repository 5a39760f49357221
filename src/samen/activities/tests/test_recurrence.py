import datetime as dt

import pytest

from samen.activities.calendar import (
    AMSTERDAM,
    build_vevent,
    cancelled_dates,
    describe,
    expand,
    expand_plain,
    is_plain,
)

NOV = dt.datetime(2026, 11, 1, tzinfo=AMSTERDAM)
FEB = dt.datetime(2027, 2, 1, tzinfo=AMSTERDAM)

EDITED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:test
BEGIN:VEVENT
UID:u1
DTSTART;TZID=Europe/Amsterdam:20261103T100000
DTEND;TZID=Europe/Amsterdam:20261103T120000
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4
EXDATE;TZID=Europe/Amsterdam:20261110T100000
SUMMARY:Koffie
END:VEVENT
BEGIN:VEVENT
UID:u1
RECURRENCE-ID;TZID=Europe/Amsterdam:20261117T100000
DTSTART;TZID=Europe/Amsterdam:20261118T140000
DTEND;TZID=Europe/Amsterdam:20261118T160000
SUMMARY:Koffie (verzet)
END:VEVENT
END:VCALENDAR
"""


def local(pairs):
    return [start.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") for start, _end in pairs]


def test_exdate_and_edited_instance_are_respected():
    assert local(expand(EDITED, NOV, FEB)) == [
        "2026-11-03 10:00",
        "2026-11-18 14:00",
        "2026-11-24 10:00",
    ]


def test_x_wr_timezone_places_utc_times_in_amsterdam():
    text = EDITED.replace("PRODID:test", "PRODID:test\nX-WR-TIMEZONE:Europe/Amsterdam").replace(
        "DTSTART;TZID=Europe/Amsterdam:20261103T100000", "DTSTART:20261103T090000Z"
    )
    assert local(expand(text, NOV, FEB))[0] == "2026-11-03 10:00"


def test_weekly_series_crosses_daylight_saving_at_the_same_local_hour():
    event = build_vevent(
        uid="x",
        title="Wandelen",
        starts_at=dt.datetime(2026, 10, 20, 10, tzinfo=AMSTERDAM),
        ends_at=None,
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    hours = {
        start.astimezone(AMSTERDAM).hour
        for start, _ in expand(
            event,
            dt.datetime(2026, 10, 1, tzinfo=AMSTERDAM),
            dt.datetime(2026, 11, 30, tzinfo=AMSTERDAM),
        )
    }
    assert hours == {10}


def test_plain_dutch_descriptions():
    start = dt.datetime(2026, 11, 10, 10, tzinfo=AMSTERDAM)
    end = dt.datetime(2026, 11, 10, 12, tzinfo=AMSTERDAM)
    assert (
        describe("FREQ=MONTHLY;BYDAY=2TU", start, end)
        == "elke 2e dinsdag van de maand, 10:00–12:00 uur"
    )
    assert describe("FREQ=WEEKLY;BYDAY=TU", start, end) == "elke dinsdag, 10:00–12:00 uur"
    assert (
        describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", start, None)
        == "om de 2 weken op vrijdag, 10:00 uur"
    )
    assert (
        describe("FREQ=MONTHLY;BYDAY=-1FR", start, None)
        == "elke laatste vrijdag van de maand, 10:00 uur"
    )
    assert describe("", start, end) == "dinsdag 10 november 2026, 10:00–12:00 uur"


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
        "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=WEEKLY;BYDAY=WE;COUNT=5",
    ],
)
def test_plain_rules_expand_the_same_with_dateutil_across_daylight_saving(rrule):
    # Starts in summer time, runs through the change to winter time (25 October 2026)
    # and on into the spring change (28 March 2027); the window opens mid-event.
    starts = dt.datetime(2026, 9, 8, 23, 30, tzinfo=AMSTERDAM)
    ends = starts + dt.timedelta(hours=2)
    window = (dt.datetime(2026, 9, 30, 0, 30, tzinfo=AMSTERDAM), FEB.replace(month=4))
    event = build_vevent(uid="x", title="Soos", starts_at=starts, ends_at=ends, rrule=rrule)
    assert is_plain(rrule, "")
    with_dateutil = expand_plain(rrule, starts, ends, *window)
    assert with_dateutil == expand(event, *window)
    assert {b.astimezone(AMSTERDAM).strftime("%H:%M") for b, _e in with_dateutil} == {"23:30"}


def test_cancelled_dates_in_amsterdam_time_are_expanded_the_same_with_dateutil():
    starts = dt.datetime(2026, 10, 13, 10, tzinfo=AMSTERDAM)
    cancelled = [dt.datetime(2026, 10, 27, 10, tzinfo=AMSTERDAM), FEB.replace(day=2, hour=10)]
    event = build_vevent(
        uid="x",
        title="Koffie",
        starts_at=starts,
        ends_at=None,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        exdates=cancelled,
    )
    assert is_plain("FREQ=WEEKLY;BYDAY=TU", event)
    with_dateutil = expand_plain(
        "FREQ=WEEKLY;BYDAY=TU", starts, None, NOV, FEB.replace(month=3),
        cancelled=cancelled_dates(event),
    )  # fmt: skip
    assert with_dateutil == expand(event, NOV, FEB.replace(month=3))
    assert not {c.date() for c in cancelled} & {b.date() for b, _e in with_dateutil}


def test_edited_instances_and_utc_starts_are_left_to_recurring_ical_events():
    assert not is_plain("FREQ=WEEKLY;BYDAY=TU;COUNT=4", EDITED)  # edited instance
    utc = "BEGIN:VEVENT\r\nDTSTART:20261103T090000Z\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
    assert not is_plain("FREQ=WEEKLY", utc)  # X-WR-TIMEZONE may move it
    assert not is_plain("FREQ=WEEKLY;UNTIL=20270101T000000Z", "")
    utc_exdate = utc.replace("RRULE", "DTSTART;TZID=Europe/Amsterdam:20261103T100000\r\nRRULE")
    assert is_plain("FREQ=WEEKLY", utc_exdate.replace("DTSTART:20261103T090000Z\r\n", ""))
    assert not is_plain("FREQ=WEEKLY", utc_exdate + "EXDATE:20261110T090000Z\r\n")
