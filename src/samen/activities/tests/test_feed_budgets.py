"""Issue #14: an event that ends before it begins is skipped with the reason, a calendar of
100,000 events is refused before it is parsed, and one import has a memory budget
(SAMEN_FEED_IMPORT_MB) as well as a time budget. What was stored stays in every case."""

import json

import pytest

from samen.activities import feeds, services
from samen.activities.models import Activity, Feed
from samen.core.models import Organisation

from .test_feed_safety import FIXTURE, serve, state, with_events

NEGATIVE_DURATION = (
    "BEGIN:VEVENT\nUID:negatief@example\nDTSTART:20261210T100000Z\n"
    "DURATION:-PT2H\nSUMMARY:Negatieve duur\nEND:VEVENT\n"
)
BACKWARDS_DATES = (
    "BEGIN:VEVENT\nUID:datum-achteruit@example\nDTSTART;VALUE=DATE:20261212\n"
    "DTEND;VALUE=DATE:20261210\nSUMMARY:Datum achteruit\nEND:VEVENT\n"
)


@pytest.fixture
def library_feed(samenstad, unscoped):
    library = Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")
    return Feed.objects.get(organisation=library)


def test_an_event_with_a_negative_duration_is_skipped_with_the_reason(library_feed, tmp_path):
    serve(library_feed, tmp_path, with_events(NEGATIVE_DURATION, BACKWARDS_DATES))
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert not result.error
    assert "“Negatieve duur”: einde ligt vóór het begin" in library_feed.last_error
    assert "“Datum achteruit”: einde ligt vóór het begin" in library_feed.last_error
    assert not Activity.objects.filter(feed=library_feed, title__contains="achteruit").exists()
    assert not Activity.objects.filter(feed=library_feed, title="Negatieve duur").exists()
    assert Activity.objects.filter(feed=library_feed).count() == 3  # the others import


def test_a_json_ld_event_that_ends_before_it_begins_is_refused_on_the_common_path():
    events = [
        {"@type": "Event", "name": "Achterstevoren", "startDate": "2026-12-10T10:00:00+01:00",
         "endDate": "2026-12-10T09:00:00+01:00"},
        {"@type": "Event", "name": "Goed", "startDate": "2026-12-10T10:00:00+01:00",
         "endDate": "2026-12-10T12:00:00+01:00"},
    ]  # fmt: skip
    body = f'<script type="application/ld+json">{json.dumps(events)}</script>'.encode()
    items = {item.title: item for item in feeds.parse(body, "jsonld")}
    assert items["Achterstevoren"].refused == feeds.ENDS_BEFORE_START
    assert not items["Goed"].refused


def hundred_thousand_events() -> bytes:
    event = "BEGIN:VEVENT\r\nUID:e{i}@x\r\nDTSTART:20270101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + "".join(event.format(i=i) for i in range(100_000))
        + "END:VCALENDAR\r\n"
    ).encode()


def test_a_calendar_of_100000_events_is_refused_before_parsing(
    library_feed, tmp_path, settings, monkeypatch
):
    services.import_feed(feed=library_feed, local_files=True)
    before = state(library_feed)
    assert before[0]
    settings.SAMEN_FEED_MAX_BYTES = 50_000_000  # the file is about 7 MB
    serve(library_feed, tmp_path, hundred_thousand_events())

    def no_parser(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(feeds.icalendar.Calendar, "from_ical", no_parser)
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    expected = (
        "De agenda bevat 100.000 activiteiten (VEVENT); Samen leest er hoogstens 5.000 per "
        "feed. Er is niets gewijzigd."
    )
    assert result.error == expected
    assert library_feed.last_error == expected
    assert state(library_feed) == before


def test_an_import_over_its_memory_budget_is_refused_and_changes_nothing(
    library_feed, tmp_path, settings
):
    services.import_feed(feed=library_feed, local_files=True)
    before = state(library_feed)
    serve(library_feed, tmp_path, FIXTURE.read_text().replace("Koffie", "Thee"))
    settings.SAMEN_FEED_IMPORT_MB = 0  # the file itself needs more than that to parse
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert result.error.startswith(
        "Het inlezen van deze feed vraagt te veel geheugen (meer dan 0 MB); er is niets gewijzigd."
    )
    assert library_feed.last_error == result.error
    assert state(library_feed) == before


def test_memory_that_grows_during_an_import_stops_it(settings, monkeypatch):
    """The growth of the process's memory is checked where the time is: a feed whose
    events cost more than their bytes suggest is stopped too."""
    settings.SAMEN_FEED_IMPORT_MB = 10
    held = [100 * 2**20]
    monkeypatch.setattr(feeds, "resident_bytes", lambda: held[0])
    budget = feeds.Budget()
    budget.check()
    held[0] += 11 * 2**20
    with pytest.raises(feeds.FeedError, match="te veel geheugen"):
        for _ in range(feeds.MEMORY_CHECK_EVERY):
            budget.check()


def test_the_memory_budget_leaves_an_ordinary_feed_alone(library_feed, tmp_path):
    serve(library_feed, tmp_path, FIXTURE.read_text())
    assert feeds.resident_bytes() > 0
    result = services.import_feed(feed=library_feed, local_files=True)
    assert not result.error
