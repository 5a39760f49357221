"""Issue #14: "events that began before the window but are still running are shown" — in
the agenda, the API, agenda.ics/.rss and the activity page; and the horizon task keeps the
running date of a series."""

import datetime as dt

import pytest
from django.utils import timezone

from samen.activities import calendar, selectors, services
from samen.activities.models import Activity, Occurrence
from samen.activities.tests.factories import ActivityFactory
from samen.core.tests.factories import MunicipalityFactory

API = "/api/v1/activities"


@pytest.fixture
def town(db):
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


@pytest.fixture
def running(town, unscoped):
    """A three-day festival that began yesterday, an exhibition of three weeks that began
    ten days ago, and a coffee morning that began an hour ago; one that ended yesterday and
    one that begins later today."""
    now = timezone.now()
    return {
        "festival": ActivityFactory(
            municipality=town,
            title="Buurtfeest drie dagen",
            starts_at=now - hours(30),
            ends_at=now + hours(40),
        ),
        "exhibition": ActivityFactory(
            municipality=town,
            title="Tentoonstelling oude foto's",
            starts_at=now - dt.timedelta(days=10),
            ends_at=now + dt.timedelta(days=11),
        ),
        "coffee": ActivityFactory(
            municipality=town, title="Koffie nu", starts_at=now - hours(1), ends_at=now + hours(1)
        ),
        "over": ActivityFactory(
            municipality=town,
            title="Al voorbij",
            starts_at=now - hours(28),
            ends_at=now - hours(26),
        ),
        "later": ActivityFactory(
            municipality=town, title="Straks", starts_at=now + hours(3), ends_at=now + hours(4)
        ),
    }


SHOWN = ["Buurtfeest drie dagen", "Tentoonstelling oude foto's", "Koffie nu"]


def test_the_agenda_shows_what_is_still_running(client, running):
    for when in ("today", "week", "month"):
        body = client.get("/samenstad/agenda/", {"when": when}).content.decode()
        body = body.replace("&#x27;", "'")
        for title in SHOWN:
            assert title in body, (when, title)
        assert "Al voorbij" not in body


def test_the_api_lists_running_occurrences_first(client, running):
    response = client.get(API, {"municipality": "samenstad"})
    titles = [row["title"] for row in response.json()["results"]]
    assert titles[:3] == ["Tentoonstelling oude foto's", "Buurtfeest drie dagen", "Koffie nu"]
    assert "Straks" in titles and "Al voorbij" not in titles
    assert response.json()["count"] == 4


def test_the_ics_and_rss_feeds_hold_what_is_running(client, running):
    for url in ("/samenstad/agenda.ics", "/samenstad/agenda.rss"):
        body = client.get(url).content.decode()
        for title in SHOWN:
            assert title in body.replace("&#x27;", "'"), url
        assert "Al voorbij" not in body


def test_the_activity_page_lists_the_running_date(client, running):
    festival = running["festival"]
    page = client.get(f"/samenstad/activiteiten/{festival.pk}/").content.decode()
    started = festival.starts_at.astimezone(calendar.AMSTERDAM).isoformat()
    assert f'"startDate": "{started}"' in page  # schema.org: the date under way
    assert [o.starts_at for o in selectors.upcoming_dates(festival)] == [festival.starts_at]


def test_a_long_running_occurrence_is_flagged_for_its_index(running):
    flags = dict(Occurrence.objects.values_list("activity__title", "is_long"))
    assert flags["Tentoonstelling oude foto's"] and flags["Buurtfeest drie dagen"]
    coffee = running["coffee"]  # long only when the hour around now spans midnight
    assert flags["Koffie nu"] == calendar.crosses_midnight(coffee.starts_at, coffee.ends_at)
    ten = dt.datetime(2026, 6, 5, 10, tzinfo=calendar.AMSTERDAM)
    assert not calendar.crosses_midnight(ten, ten + hours(13))  # till 23:00
    assert calendar.crosses_midnight(ten, ten + hours(15))  # till 01:00
    midnight = ten.replace(hour=0)
    assert not calendar.crosses_midnight(midnight, midnight + dt.timedelta(days=1))  # a day
    assert calendar.crosses_midnight(midnight, midnight + dt.timedelta(days=2))


def test_the_horizon_keeps_the_running_date_of_a_series(town, unscoped):
    """A weekend camp every week (Friday 18:00 to Sunday 16:00), imported as iCalendar
    (recurring-ical-events) and entered by hand (dateutil): the weekend under way stays."""
    now = timezone.now().replace(microsecond=0)
    began = now - hours(20)
    rule = "FREQ=WEEKLY"
    plain = ActivityFactory(
        municipality=town, title="Kamp", starts_at=began, ends_at=began + hours(46), rrule=rule
    )
    stamp = began.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = (began + hours(46)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    ical = ActivityFactory(
        municipality=town,
        title="Kamp (feed)",
        starts_at=began,
        ends_at=began + hours(46),
        rrule=rule,
        ical=(
            "BEGIN:VEVENT\r\nUID:kamp@example\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{stamp}\r\nDTEND:{end}\r\nRRULE:{rule}\r\nRDATE:{stamp}\r\n"
            "SUMMARY:Kamp\r\nEND:VEVENT\r\n"
        ),
    )
    Occurrence.objects.all().delete()
    services.extend_horizon()
    for activity in (plain, ical):
        first = Occurrence.objects.filter(activity=activity).order_by("starts_at").first()
        assert first is not None and first.starts_at == began, activity.title
    search = selectors.parse_search({"when": "today"})
    found = {m.pk for m in selectors.matches(search, town)}
    assert Occurrence.objects.filter(starts_at=began, pk__in=found).count() == 2
    assert Activity.objects.count() == 2


def test_a_schedule_over_several_days_reads_right():
    friday = dt.datetime(2026, 6, 5, 18, tzinfo=calendar.AMSTERDAM)
    sunday = friday + hours(46)
    assert calendar.describe("", friday, sunday) == (
        "vrijdag 5 juni 2026 18:00 t/m zondag 7 juni 2026 16:00 uur"
    )
    assert calendar.describe("FREQ=WEEKLY", friday, sunday) == (
        "elke vrijdag, 18:00 tot zondag 16:00 uur"
    )
    assert (
        calendar.describe("", friday, friday + hours(2)) == "vrijdag 5 juni 2026, 18:00–20:00 uur"
    )
