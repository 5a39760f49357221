"""What a feed says is rebuilt from an allowlist before anything is re-served; recurrence
finer than daily is refused; a feed stores at most so many occurrences; what is cut is
reported to the organisation; a hostile feed never deletes what was stored. On hostile
variants of the recorded real exports."""

import datetime as dt
from pathlib import Path

import pytest

from samen.activities import services
from samen.activities.models import Activity, Feed, Occurrence
from samen.core.models import Organisation
from samen.core.roles import Role
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, member

HERE = Path(__file__).parent
FIXTURE = HERE.parents[0] / "fixtures" / "bibliotheek-samenstad.ics"
HOSTILE = HERE / "recorded" / "hostile-bibliotheek-samenstad.ics"
FORBIDDEN = ["ORGANIZER", "ATTENDEE", "VALARM", "ATTACH", "X-ALT-DESC", "javascript:", "data:",
             "file:", "mailto:", "FREQ=MINUTELY", "FREQ=HOURLY", "FREQ=SECONDLY"]  # fmt: skip


@pytest.fixture
def library(db, unscoped):
    """The library of Samenstad, without the demo (whose import of its real feed would mix
    with the hostile one)."""
    return OrganisationFactory(
        municipality=MunicipalityFactory(slug="samenstad", name="Samenstad"),
        slug="bibliotheek-samenstad",
        name="Bibliotheek Samenstad",
        kind=Organisation.Kind.LIBRARY,
    )


@pytest.fixture
def hostile_feed(library):
    feed = services.add_feed(organisation=library, url=str(HOSTILE))
    result = services.import_feed(feed=feed, local_files=True)
    feed.refresh_from_db()
    return feed, result


def test_nothing_outside_the_allowlist_reaches_agenda_ics(client, hostile_feed):
    feed, _result = hostile_feed
    body = client.get("/samenstad/agenda.ics", {"when": "month"}).content.decode()
    assert "Koffieochtend in de bibliotheek" in body
    for word in FORBIDDEN:
        assert word not in body, word
    for activity in Activity.objects.filter(feed=feed):
        single = client.get(f"/samenstad/activiteiten/{activity.pk}.ics").content.decode()
        for word in FORBIDDEN:
            assert word not in single, (activity.title, word)
        assert "BEGIN:VEVENT" in single
        assert [word for word in FORBIDDEN if word in activity.ical] == []  # nor stored


def test_the_schedule_survives_the_rebuild(hostile_feed):
    feed, _result = hostile_feed
    coffee = Activity.objects.get(feed=feed, title="Koffieochtend in de bibliotheek")
    assert coffee.rrule == "FREQ=WEEKLY;BYDAY=TU" and "EXDATE" in coffee.ical
    digicafe = Activity.objects.get(feed=feed, source_uid__startswith="digicafe")
    assert "RECURRENCE-ID" in digicafe.ical
    moved = Occurrence.objects.filter(activity=digicafe, starts_at__date=dt.date(2026, 12, 15))
    cancelled = Occurrence.objects.filter(activity=coffee, starts_at__date=dt.date(2026, 12, 29))
    assert moved.exists() and not cancelled.exists()


def test_links_from_a_feed_are_http_only(client, hostile_feed):
    feed, _result = hostile_feed
    assert set(Activity.objects.filter(feed=feed).values_list("url", flat=True)) == {""}
    coffee = Activity.objects.get(feed=feed, title="Koffieochtend in de bibliotheek")
    page = client.get(f"/samenstad/activiteiten/{coffee.pk}/").content.decode()
    assert "javascript:" not in page and "data:text" not in page


@pytest.mark.parametrize("name", ["hostile-news.rss", "hostile-events.html"])
def test_links_in_rss_and_json_ld_are_http_only(client, library, name):
    feed = services.add_feed(organisation=library, url=str(HERE / "recorded" / name))
    assert services.import_feed(feed=feed, local_files=True).created >= 1
    for activity in Activity.objects.filter(feed=feed):
        assert activity.url == ""
        page = client.get(f"/samenstad/activiteiten/{activity.pk}/").content.decode()
        assert "javascript:" not in page and "data:text" not in page


def test_recurrence_finer_than_daily_is_refused_and_reported(hostile_feed):
    feed, result = hostile_feed
    titles = set(Activity.objects.filter(feed=feed).values_list("title", flat=True))
    assert "Elke minuut" not in titles and "Elk uur" not in titles
    assert "Elke seconde" not in titles and "Dagelijks elk kwartier" not in titles
    assert "Lezing" in titles
    assert "vaker dan eens per dag" in feed.last_error
    assert "Elke minuut" in feed.last_error and "Dagelijks elk kwartier" in feed.last_error
    assert result.created == 4


def test_the_organisation_sees_what_was_cut(client, library, hostile_feed):
    client.force_login(member(library.municipality, Role.PARTNER, organisation=library))
    page = client.get("/samenstad/beheer/activiteiten/").content.decode()
    assert "Elke minuut" in page and "vaker dan eens per dag" in page


def test_a_hostile_feed_never_deletes_what_was_stored(library):
    feed = services.add_feed(organisation=library, url=str(FIXTURE))
    services.import_feed(feed=feed, local_files=True)
    before = Occurrence.objects.filter(activity__feed=feed).count()
    feed.url = str(HOSTILE).replace("hostile-bibliotheek-samenstad.ics", "x.ics")
    hostile = FIXTURE.read_text().replace("RRULE:FREQ=WEEKLY;BYDAY=TU", "RRULE:FREQ=MINUTELY")
    path = Path(feed.url)
    try:
        path.write_text(hostile)
        feed.save()
        services.import_feed(feed=feed, local_files=True)
    finally:
        path.unlink()
    coffee = Activity.objects.get(feed=feed, title="Koffieochtend in de bibliotheek")
    assert coffee.rrule == "FREQ=WEEKLY;BYDAY=TU"  # the stored version stays
    assert Occurrence.objects.filter(activity__feed=feed).count() == before


@pytest.mark.parametrize("rule", ["", "RRULE:FREQ=DAILY\n"])
def test_at_most_so_many_occurrences_per_activity(library, settings, tmp_path, rule):
    settings.SAMEN_MAX_OCCURRENCES_PER_ACTIVITY = 50
    today = dt.date.today()
    rdates = ",".join(f"{today + dt.timedelta(days=n):%Y%m%d}T100000" for n in range(1, 100))
    path = tmp_path / "veel.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//NL\nBEGIN:VEVENT\nUID:veel@x\n"
        f"DTSTAMP:20260101T000000Z\nDTSTART;TZID=Europe/Amsterdam:{today:%Y%m%d}T100000\n"
        f"{rule}RDATE;TZID=Europe/Amsterdam:{rdates}\nSUMMARY:Veel data\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    feed = services.add_feed(organisation=library, url=str(path))
    services.import_feed(feed=feed, local_files=True)
    activity = Activity.objects.get(feed=feed)
    assert Occurrence.objects.filter(activity=activity).count() == 50
    feed.refresh_from_db()
    assert "Veel data" in feed.last_error and "50" in feed.last_error
    services.extend_horizon()  # the daily run keeps the limit too
    assert Occurrence.objects.filter(activity=activity).count() == 50


def test_at_most_so_many_occurrences_per_feed(library, settings, tmp_path):
    settings.SAMEN_MAX_OCCURRENCES_PER_FEED = 20
    copy = tmp_path / "agenda.ics"
    copy.write_bytes(FIXTURE.read_bytes())
    feed = services.add_feed(organisation=library, url=str(copy))
    services.import_feed(feed=feed, local_files=True)
    assert Occurrence.objects.filter(activity__feed=feed).count() == 20
    feed.refresh_from_db()
    assert "20" in feed.last_error and "niet alle data" in feed.last_error.lower()
    assert Feed.objects.get(pk=feed.pk).last_success_at is not None
    services.extend_horizon()  # the daily run keeps the limit too
    assert Occurrence.objects.filter(activity__feed=feed).count() == 20
    assert services.import_feed(feed=feed, local_files=True).not_modified
    feed.refresh_from_db()
    assert "niet alle data" in feed.last_error.lower()  # still said while it still holds


def test_a_series_from_the_year_one_is_refused_quickly(library, tmp_path):
    """Expanding a daily rule from the year 1 takes seconds per event."""
    events = "".join(
        f"BEGIN:VEVENT\nUID:oud-{n}@x\nDTSTAMP:20260101T000000Z\n"
        "DTSTART;TZID=Europe/Amsterdam:00010101T100000\nRRULE:FREQ=DAILY\n"
        f"SUMMARY:Sinds het jaar 1 ({n})\nEND:VEVENT\n"
        for n in range(20)
    )
    path = tmp_path / "oud.ics"
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//NL\n{events}END:VCALENDAR\n")
    feed = services.add_feed(organisation=library, url=str(path))
    started = dt.datetime.now()
    result = services.import_feed(feed=feed, local_files=True)
    assert (dt.datetime.now() - started).total_seconds() < 5
    assert result.created == 0 and not Activity.objects.filter(feed=feed).exists()
    feed.refresh_from_db()
    assert "vóór 1970 begint" in feed.last_error
