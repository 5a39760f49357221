"""Issue #14: an event on a date without a time (iCalendar VALUE=DATE) is a whole day:
every page, the print agenda, the API, the .ics and RSS exports and schema.org show a date
and "hele dag", never "00:00–00:00"; several days read "vr 5 t/m zo 7 juni"."""

import datetime as dt
import json
import re

import icalendar
import pytest
from django.utils import timezone, translation

from samen.activities import feeds, services
from samen.activities.calendar import AMSTERDAM
from samen.activities.models import Activity, Feed
from samen.activities.templatetags.activity_dates import time_text, when_text
from samen.core.models import Organisation

from .test_feed_safety import serve


def day(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_dates_in_words():
    assert when_text(day(2026, 6, 5), day(2026, 6, 6), True) == "vrijdag 5 juni, hele dag"
    assert when_text(day(2026, 6, 5), day(2026, 6, 8), True) == "vr 5 t/m zo 7 juni"
    assert when_text(day(2026, 5, 29), day(2026, 6, 8), True) == "vr 29 mei t/m zo 7 juni"
    assert when_text(day(2026, 6, 5), None, True) == "vrijdag 5 juni, hele dag"
    timed = day(2026, 6, 5).replace(hour=10)
    assert when_text(timed, timed + dt.timedelta(hours=2), False) == "vrijdag 5 juni, 10:00–12:00"
    assert (
        when_text(timed, timed + dt.timedelta(days=2, hours=6), False)
        == "vr 5 juni 10:00 t/m zo 7 juni 16:00"
    )
    assert time_text(day(2026, 6, 5), day(2026, 6, 6), True) == "hele dag"
    assert time_text(day(2026, 6, 5), day(2026, 6, 8), True) == "vr 5 t/m zo 7 juni"


def vevent(uid, title, first: dt.date, end: dt.date | None, rrule="") -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
             f"DTSTART;VALUE=DATE:{first:%Y%m%d}"]  # fmt: skip
    if end:
        lines.append(f"DTEND;VALUE=DATE:{end:%Y%m%d}")
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines += [f"SUMMARY:{title}", "END:VEVENT"]
    return "\r\n".join(lines) + "\r\n"


def calendar_of(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def test_parse_ical_marks_a_date_as_a_whole_day():
    first = dt.date(2026, 6, 5)
    items = feeds.parse(
        calendar_of(
            vevent("a", "Markt", first, None),
            vevent("b", "Festival", first, first + dt.timedelta(days=3)),
        ).encode(),
        "ical",
    )
    market, festival = items
    assert market.all_day and festival.all_day
    assert market.ends_at - market.starts_at == dt.timedelta(days=1)
    assert festival.ends_at == day(2026, 6, 8)


def test_a_json_ld_date_without_an_end_is_that_whole_day():
    body = (
        b'<script type="application/ld+json">{"@type": "Event", "name": "Markt", '
        b'"startDate": "2026-06-05"}</script>'
    )
    (item,) = feeds.parse(body, "jsonld")
    assert item.all_day and item.starts_at == day(2026, 6, 5)
    assert item.ends_at == day(2026, 6, 6)


@pytest.fixture
def imported(samenstad, unscoped, tmp_path):
    """Tomorrow a whole-day market, from yesterday to tomorrow a festival (running), and
    every week a whole-day walk."""
    today = timezone.localdate()
    feed = Feed.objects.get(organisation__slug="bibliotheek-samenstad")
    serve(
        feed,
        tmp_path,
        calendar_of(
            vevent("markt@x", "Boekenmarkt", today + dt.timedelta(days=1), None),
            vevent(
                "feest@x",
                "Buurtfeest",
                today - dt.timedelta(days=1),
                today + dt.timedelta(days=2),
            ),
            vevent("wandel@x", "Wandeldag", today + dt.timedelta(days=2), None, "FREQ=WEEKLY"),
        ),
    )
    result = services.import_feed(feed=feed, local_files=True)
    assert not result.error, result.error
    return {a.title: a for a in Activity.objects.filter(feed=feed)}


def test_imported_dates_are_whole_days(imported):
    assert all(a.all_day for a in imported.values())
    assert not Activity.objects.filter(all_day=True, feed__isnull=True).exists()


# A time of midnight as words show it ("00:00", "00:00–00:00"), not inside an ISO timestamp.
MIDNIGHT = re.compile(r"(?<![\d:])00:00(?!:)")


def no_midnight(body: str) -> bool:
    return MIDNIGHT.search(body) is None


def test_the_agenda_and_embed_show_hele_dag(client, imported):
    for url in ("/samenstad/agenda/", "/samenstad/agenda/embed/"):
        body = client.get(url, {"when": "month"}).content.decode()
        assert "hele dag" in body, url
        assert " t/m " in body  # the festival: several days
        assert no_midnight(body), url


def test_the_print_agenda_shows_hele_dag(client, imported):
    body = client.get("/samenstad/agenda/print/").content.decode()
    assert "hele dag" in body and "Buurtfeest" in body
    assert no_midnight(body)


def test_the_activity_page_and_its_schema_org_give_a_date(client, imported):
    market = imported["Boekenmarkt"]
    body = client.get(f"/samenstad/activiteiten/{market.pk}/").content.decode()
    assert "hele dag" in body and no_midnight(body)
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', body, re.S).group(1))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert data["startDate"] == tomorrow and data["endDate"] == tomorrow
    walk = imported["Wandeldag"]
    body = client.get(f"/samenstad/activiteiten/{walk.pk}/").content.decode()
    assert "hele dag" in body and no_midnight(body)


def test_the_api_says_all_day(client, imported):
    rows = client.get("/api/v1/activities", {"municipality": "samenstad"}).json()["results"]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Boekenmarkt"]["all_day"] is True
    assert "hele dag" in by_title["Boekenmarkt"]["schedule"]
    assert by_title["Buurtfeest"]["all_day"] is True  # running: began yesterday
    assert not any(row["all_day"] for t, row in by_title.items() if t not in imported)


def test_the_ics_export_has_dates(client, imported):
    for activity in imported.values():
        body = client.get(f"/samenstad/activiteiten/{activity.pk}.ics").content
        event = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
        start = event.decoded("DTSTART")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime), activity.title
        assert b"DTSTART;VALUE=DATE:" in body
    body = client.get("/samenstad/agenda.ics", {"when": "month"}).content
    assert body.count(b"DTSTART;VALUE=DATE:") >= 3


def test_the_rss_feed_has_no_midnight(client, imported):
    body = client.get("/samenstad/agenda.rss", {"when": "month"}).content.decode()
    assert "Boekenmarkt" in body and "hele dag" in body
    assert no_midnight(body)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert f"<ev:startdate>{tomorrow}</ev:startdate>" in body


def test_hand_entered_activities_stay_timed(samenstad, unscoped):
    library = Organisation.objects.get(slug="bibliotheek-samenstad")
    assert Activity.objects.filter(organisation=library, all_day=False).exists()
