"""Issue #14's Done-when, part B: real-world calendars, feeds and event pages (exports of the
big calendar servers and CMS plugins, the public test corpora of calendar, feed and
structured-data libraries, and a few Dutch ones recorded by hand; see corpus/*/README.md).
Per file what a user would see: how many activities are imported, what the organisation is
told when (part of) it is refused, for iCalendar the dates against recurring-ical-events
over the same window, and for schema.org schedules the dates they mean."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from samen.activities import feeds, services
from samen.activities.models import Activity, Feed
from samen.activities.tests.test_corpus import reference, samen_dates, window
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory

CORPUS = Path(__file__).parent / "corpus"
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
NO_EVENTS = "Op deze pagina staan geen evenementen (schema.org Event); "
ONE_BLOCK = "1 blok op deze pagina kon niet worden gelezen"

# file: (activities imported, what the organisation is told — its start — or "")
CASES = {
    # iCalendar: icalendar 7.3.2's test calendars and one recorded by hand
    "icalendar/alarm_etar_future.ics": (1, ""),  # Etar (Android), VALARMs
    "icalendar/alarm_google_future.ics": (1, ""),  # Google, VALARM
    "icalendar/alarm_thunderbird_future.ics": (1, ""),  # Thunderbird, X-MOZ-*
    "icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics": (1, ""),  # khal, RDATE PERIOD
    "icalendar/issue_350.ics": (1, ""),  # Podio
    "icalendar/issue_836_do_not_quote_tzid.ics": (1, ""),  # Exchange 2010, Windows zone
    "icalendar/timezone_same_start.ics": (1, ""),  # Exchange 2010, "Pacific Standard Time"
    "icalendar/timezoned.ics": (1, ""),  # Plone (plone.app.event)
    "icalendar/x_location.ics": (1, ""),  # Google with Apple's structured location
    "icalendar/handmade_buurthuis_google.ics": (3, ""),  # series, moved date, whole day
    # Outlook's published calendar (icalevents' tests): "W. Europe Standard Time", whole days
    "icalevents/recurrenceid_ms.ics": (1, ""),
    # Microsoft CDO writes "BYDAY=MO, TU, ..." (spaces), which recurring-ical-events refuses
    "icalendar/issue_165_missing_event.ics": (1, ""),
    # RFC 7529 calendars (Chinese, Ethiopic, Hebrew): no library here computes them
    "icalendar/rfc_7529.ics": (
        0,
        "4 van 4 items overgeslagen: “Chinese New Year” heeft een herhaling die niet te "
        "berekenen is",
    ),
    # schema.org JSON-LD: schema.org's own Schedule examples, extruct's test pages, by hand
    "jsonld/schemaorg_schedule_taichi.html": (1, ""),
    "jsonld/schemaorg_schedule_meetup.html": (1, ""),
    "jsonld/schemaorg_schedule_count.html": (1, ""),
    "jsonld/schemaorg_schedule_twice_a_day.html": (2, ""),
    "jsonld/schemaorg_schedule_second_monday.html": (1, ""),
    "jsonld/songkick_years_and_years.html": (13, ""),
    "jsonld/extruct_JSONLD_mixed_valid_invalid.html": (0, NO_EVENTS + ONE_BLOCK + "."),
    "jsonld/extruct_JSONLD_valid_and_invalid.html": (0, NO_EVENTS + ONE_BLOCK + "."),
    "jsonld/extruct_schema.org_Event.001.html": (  # microdata, not JSON-LD
        0,
        "Op dit adres staat geen agenda (iCalendar), RSS-feed of pagina met evenementen.",
    ),
    "jsonld/handmade_bibliotheek_the_events_calendar.html": (3, ""),  # one is cancelled
    "jsonld/handmade_buurthuis_yoast_graph.html": (1, ONE_BLOCK + "; de rest is ingelezen"),
    "jsonld/handmade_wijkcentrum_schedule.html": (2, ""),
    # RSS and Atom: a Dutch WordPress feed, feedparser's test files, Mastodon by hand
    "feeds/appsemble_wordpress_nl.rss": (2, ""),
    "feeds/handmade_mastodon_buurtvereniging.rss": (2, ""),
    "feeds/handmade_welzijn_wordpress.rss": (2, ""),
    "feedparser/sanitize_large_atom_feed_that_needs_css_sanitisation.xml": (15, ""),  # MT
    "feedparser/rss_item_enclosure_multiple.xml": (1, ""),
}


@pytest.fixture
def organisation(db, unscoped, time_machine):
    time_machine.move_to(NOW, tick=False)
    return OrganisationFactory(
        municipality=MunicipalityFactory(slug="wereldstad"), postcode="9501 AB"
    )


def test_every_file_of_the_corpus_is_in_the_table():
    files = {
        str(path.relative_to(CORPUS))
        for folder in ("icalendar", "icalevents", "jsonld", "feeds")
        for path in (CORPUS / folder).iterdir()
        if path.suffix in (".ics", ".html", ".rss", ".xml")
    }
    assert files <= set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_what_the_organisation_sees(organisation, name):
    imported, told = CASES[name]
    feed = services.add_feed(organisation=organisation, url=str(CORPUS / name))
    result = services.import_feed(feed=feed, local_files=True)
    feed = Feed.objects.get(pk=feed.pk)
    message = " ".join(filter(None, [result.error, feed.last_error, feed.suspicious]))
    assert Activity.objects.filter(feed=feed).count() == imported
    assert message.startswith(told) if told else message == ""


ICAL_COMPARED = sorted(
    name for name, (_imported, told) in CASES.items() if name.endswith(".ics") and not told
)


REPAIRED = {
    "icalendar/issue_165_missing_event.ics": lambda body: body.replace(b", ", b","),
}


@pytest.mark.parametrize("name", ICAL_COMPARED)
def test_ical_dates_equal_recurring_ical_events(name):
    body = (CORPUS / name).read_bytes()
    items = feeds.parse(body, feeds.detect(body))
    start, end = window(body)
    if name in REPAIRED:  # compared with the same calendar as the standard writes it
        body = REPAIRED[name](body)
    assert samen_dates(items, start, end) == reference(body, start, end)


# file: (title, image) of each post, as the agenda lists them
POSTS = {
    "feeds/appsemble_wordpress_nl.rss": [("low-code", ""), ("Laatste nieuws – Juni", "")],
    "feeds/handmade_mastodon_buurtvereniging.rss": [
        (
            "Zaterdag 12 december is er weer soep in het buurthuis! Iedereen is welkom, van…",
            "https://files.mastodon.example/media_attachments/files/113/581/237/original/soep.jpg",
        ),
        ("Dank aan alle vrijwilligers van de bladveegactie! 🍂", ""),
    ],
    "feeds/handmade_welzijn_wordpress.rss": [
        (
            "Maatjes gezocht voor de Kerstperiode",
            "https://welzijn-samenstad.example/wp-content/uploads/2026/11/maatjes-1024x683.jpg",
        ),
        (
            "Terugblik: Week tegen Eenzaamheid – ‘Wat een week!’",
            "https://welzijn-samenstad.example/wp-content/uploads/2026/10/week.png",
        ),
    ],
    "feedparser/rss_item_enclosure_multiple.xml": [("Bericht", "http://example.com/1")],
}


@pytest.mark.parametrize("name", sorted(POSTS))
def test_posts_have_a_title_in_words_and_their_image(name):
    body = (CORPUS / name).read_bytes()
    items = feeds.parse(body, feeds.detect(body))
    assert [(item.title, item.image_url) for item in items] == POSTS[name]
    assert all(item.kind == "post" for item in items)


# file: (title, first date on the schedule's own clock, dates in the year from the first)
SCHEDULES = {
    "jsonld/schemaorg_schedule_taichi.html": [  # Wednesdays of 2017 (the 1st is a Sunday)
        ("Tai chi Class", "2017-01-04T19:00:00+00:00", 52)
    ],
    "jsonld/schemaorg_schedule_count.html": [("Count Example", "2016-12-24T09:00:00+00:00", 10)],
    "jsonld/schemaorg_schedule_meetup.html": [  # no start date: from 1 January this year
        ("Example Meetup", "2026-01-01T09:00:00-04:00", 24)
    ],
    "jsonld/schemaorg_schedule_twice_a_day.html": [
        ("Example", "2026-01-01T09:00:00-04:00", 261),
        ("Example", "2026-01-01T14:00:00-04:00", 261),
    ],
    "jsonld/schemaorg_schedule_second_monday.html": [("Example", "2026-01-12T18:00:00+08:00", 13)],
    "jsonld/handmade_wijkcentrum_schedule.html": [  # two cancelled Thursdays at Christmas
        ("Koffie-inloop", "2026-09-01T10:00:00+02:00", 2 * 52 + 1 - 2),
        ("Repair Café", "2026-09-12T13:00:00+02:00", 13),  # the 2nd Saturday
    ],
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_give_the_dates_they_mean(time_machine, name):
    time_machine.move_to(NOW, tick=False)
    items = feeds.parse((CORPUS / name).read_bytes(), "jsonld")
    found = []
    for item in items:
        assert item.starts_at is not None
        activity = Activity(kind=item.kind, starts_at=item.starts_at, ends_at=item.ends_at)
        activity.rrule, activity.ical = item.rrule, item.ical
        start = item.starts_at - dt.timedelta(days=1)
        dates = services._all_dates(activity, start, start + dt.timedelta(days=366))
        assert all(
            begins.astimezone(item.starts_at.tzinfo).time() == item.starts_at.time()
            for begins, _ends in dates
        )  # the same hour all year, summer and winter
        found.append((item.title, item.starts_at.isoformat(), len(dates)))
    assert found == SCHEDULES[name]


@pytest.mark.parametrize(
    ("name", "change"),
    [
        (  # Exchange escapes the ; inside a rule
            "each_week_but_two_deleted.ics",
            lambda body: body.replace(b"RRULE:FREQ=WEEKLY;", b"RRULE:FREQ=WEEKLY\\;"),
        ),
        (  # Microsoft CDO puts a space after each comma of a list
            "issue_48_dst.ics",
            lambda body: body.replace(b"BYDAY=MO,TU,TH,FR", b"BYDAY=MO, TU, TH, FR"),
        ),
    ],
)
def test_repairs_of_server_quirks_hold_with_the_standards_crlf_line_ends(name, change):
    """RFC 5545 ends lines with CRLF, as Exchange writes them."""
    original = (CORPUS / name).read_bytes()
    body = change(original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert b"\r\n" in body and body.replace(b"\r\n", b"\n") != original.replace(b"\r\n", b"\n")
    items = feeds.parse(body, "ical")
    start, end = window(original)
    assert [item.refused for item in items if item.refused] == []
    assert samen_dates(items, start, end) == reference(original, start, end)
