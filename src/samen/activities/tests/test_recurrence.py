import datetime as dt

from samen.activities.calendar import AMSTERDAM, build_vevent, describe, expand

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
