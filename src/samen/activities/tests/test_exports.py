"""What Samen publishes: iCalendar, RSS and Atom, schema.org, and conditional GET."""

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import icalendar
import pytest
import vobject
from django.utils import timezone

from samen.activities.models import Activity

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parent


def both_parsers(body: bytes) -> tuple[icalendar.Calendar, list]:
    """icalendar and vobject (an independent implementation) each read the whole file."""
    cal = icalendar.Calendar.from_ical(body)
    parsed = vobject.readOne(body.decode())
    return cal, list(parsed.vevent_list) if hasattr(parsed, "vevent_list") else []


def test_the_agenda_ics_has_amsterdam_time_and_unique_uids(client, samenstad, settings):
    settings.SITE_URL = "https://samen.example.nl"
    body = client.get("/samenstad/agenda.ics").content
    cal, vevents = both_parsers(body)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    events = cal.walk("VEVENT")
    assert events and len(vevents) == len(events)
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    uids = [str(e["UID"]) for e in masters]
    assert len(set(uids)) == len(uids)
    assert all(uid.startswith("activity-") and uid.endswith("@samen.example.nl") for uid in uids)
    # vobject resolves the VTIMEZONE: a 10:00 start in Amsterdam stays 10:00 there.
    coffee = next(e for e in vevents if e.summary.value == "Koffieochtend in de bibliotheek")
    assert coffee.dtstart.value.tzinfo is not None
    mine = next(e for e in events if str(e["SUMMARY"]) == "Koffieochtend in de bibliotheek")
    assert coffee.dtstart.value.utcoffset() == mine.decoded("DTSTART").utcoffset()
    assert coffee.dtstart.value.replace(tzinfo=None) == mine.decoded("DTSTART").replace(tzinfo=None)


def test_every_activity_ics_reads_in_both_parsers(client, samenstad, unscoped):
    for activity in Activity.objects.filter(municipality=samenstad):
        body = client.get(f"/samenstad/activiteiten/{activity.pk}.ics").content
        cal, vevents = both_parsers(body)
        assert cal.walk("VTIMEZONE"), activity.title
        uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
        assert uids == {f"activity-{activity.pk}@127.0.0.1"} or not uids, activity.title
        assert len(vevents) == len(cal.walk("VEVENT"))


def test_the_same_calendar_twice_is_the_same_bytes(client, samenstad):
    first = client.get("/samenstad/agenda.ics").content
    assert client.get("/samenstad/agenda.ics").content == first


def read_feed(client, path, params=None):
    response = client.get(path, params or {})
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


@pytest.mark.parametrize(
    ("path", "content_type", "version"),
    [("/samenstad/agenda.rss", "application/rss+xml", "rss20"),
     ("/samenstad/agenda.atom", "application/atom+xml", "atom10")],
)  # fmt: skip
def test_rss_and_atom_are_dated_when_published_in_samen(
    client, samenstad, unscoped, path, content_type, version
):
    coffee = Activity.objects.get(title="Koffieochtend in de bibliotheek")
    published = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    Activity.objects.filter(pk=coffee.pk).update(created_at=published, updated_at=published)
    response, parsed = read_feed(client, path, {"category": "meeting"})
    assert response["Content-Type"].startswith(content_type)
    assert parsed.version == version
    assert parsed.namespaces.get("ev") == "http://purl.org/rss/1.0/modules/event/"
    assert b"xmlns:ev=" in response.content.split(b">", 2)[1]  # on <rss> or <feed>
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"http://testserver{path}?category=meeting"]
    items = [e for e in parsed.entries if "Koffieochtend" in e.title]
    assert items
    occurrences = list(coffee.occurrences.order_by("starts_at"))
    for item in items:
        assert item.published_parsed[:5] == (2026, 11, 2, 9, 30)
        start = dt.datetime.fromisoformat(item.ev_startdate)
        assert start in [o.starts_at for o in occurrences]
        # the date in words is in the text too ("dinsdag 8 december 2026, 10:00–12:00 uur")
        assert f"{start.day} " in item.summary and f"{start:%H:%M}" in item.summary
    assert len({item.id for item in parsed.entries}) == len(parsed.entries)


def test_an_empty_feed_is_valid_and_stable(client, samenstad):
    params = {"q": "bestaatniet-xyz"}
    for path in ("/samenstad/agenda.rss", "/samenstad/agenda.atom"):
        first, parsed = read_feed(client, path, params)
        assert parsed.entries == []
        assert client.get(path, params).content == first.content


def json_ld(client, activity) -> dict:
    body = client.get(f"/samenstad/activiteiten/{activity.pk}/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_every_activity_page_is_a_schema_org_event(client, samenstad, unscoped):
    activities = Activity.objects.filter(municipality=samenstad).select_related("organisation")
    assert activities
    for activity in activities:
        data = json_ld(client, activity)
        assert data["@type"] == "Event" and data["name"] == activity.title
        assert data["eventStatus"] == "https://schema.org/EventScheduled"
        assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
        address = data["location"]["address"]
        assert address["@type"] == "PostalAddress"
        assert address["addressLocality"] == "Samenstad" and address["addressCountry"] == "NL"
        assert data["organizer"]["name"] == activity.organisation.name
        assert data["organizer"]["url"].startswith(("http://", "https://"))
        if activity.is_free:
            assert data["offers"]["price"] == "0" and data["offers"]["priceCurrency"] == "EUR"
        dt.datetime.fromisoformat(data["startDate"])


def test_a_recurring_activity_is_dated_by_its_next_occurrence(client, samenstad, unscoped):
    coffee = Activity.objects.get(title="Koffieochtend in de bibliotheek")
    assert coffee.rrule
    coffee.organisation.website = "https://bibliotheek.example.nl/"
    coffee.organisation.save()
    data = json_ld(client, coffee)
    upcoming = coffee.occurrences.filter(starts_at__gte=timezone.now()).order_by("starts_at")[0]
    assert dt.datetime.fromisoformat(data["startDate"]) == upcoming.starts_at
    assert data["organizer"]["url"] == "https://bibliotheek.example.nl/"
    assert data["location"]["address"]["postalCode"] == coffee.postcode


def test_paid_and_cancelled_activities(client, samenstad, unscoped):
    activity = Activity.objects.filter(municipality=samenstad, ical__contains="BEGIN:VEVENT")[0]
    cancelled = activity.ical.replace("BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nSTATUS:CANCELLED\r\n", 1)
    if cancelled == activity.ical:
        cancelled = activity.ical.replace("BEGIN:VEVENT\n", "BEGIN:VEVENT\nSTATUS:CANCELLED\n", 1)
    Activity.objects.filter(pk=activity.pk).update(ical=cancelled, is_free=False, cost="3.50")
    data = json_ld(client, activity)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["offers"]["price"] == "3.50"
    Activity.objects.filter(pk=activity.pk).update(ical="STATUS:CANCELLED but not a calendar")
    assert json_ld(client, activity)["eventStatus"] == "https://schema.org/EventScheduled"


FEEDS = ["/samenstad/agenda.ics", "/samenstad/agenda.rss", "/samenstad/agenda.atom"]


def test_an_unchanged_feed_is_a_304(client, samenstad, unscoped):
    coffee = Activity.objects.get(title="Koffieochtend in de bibliotheek")
    for path in [*FEEDS, f"/samenstad/activiteiten/{coffee.pk}.ics"]:
        first = client.get(path)
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag.startswith('"') and modified.endswith("GMT"), path
        again = client.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert again["ETag"] == etag
        since = client.get(path, headers={"if-modified-since": modified})
        assert since.status_code == 304, path
        assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200
        earlier = "Mon, 02 Nov 2020 09:30:00 GMT"
        assert client.get(path, headers={"if-modified-since": earlier}).status_code == 200


def test_a_changed_activity_changes_every_feed_it_is_in(client, samenstad, unscoped):
    coffee = Activity.objects.get(title="Koffieochtend in de bibliotheek")
    paths = [*FEEDS, f"/samenstad/activiteiten/{coffee.pk}.ics"]
    before = {path: client.get(path) for path in paths}
    later = timezone.now() + dt.timedelta(minutes=5)
    Activity.objects.filter(pk=coffee.pk).update(
        title="Koffieochtend (nieuwe tijd)", updated_at=later
    )
    for path, response in before.items():
        etag, modified = response["ETag"], response["Last-Modified"]
        changed = client.get(path, headers={"if-none-match": etag})
        assert changed.status_code == 200 and b"nieuwe tijd" in changed.content, path
        assert changed["ETag"] != etag
        assert client.get(path, headers={"if-modified-since": modified}).status_code == 200


def test_an_activity_that_leaves_the_feed_changes_its_etag(client, samenstad, unscoped):
    first = client.get("/samenstad/agenda.ics")
    Activity.objects.get(title="Koffieochtend in de bibliotheek").delete()
    assert (
        client.get("/samenstad/agenda.ics", headers={"if-none-match": first["ETag"]}).status_code
        == 200
    )


OUTLOOK = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16011028T030000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010325T020000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000\r
DTSTAMP:20261101T120000Z\r
DTSTART;TZID=W. Europe Standard Time:20261210T193000\r
DTEND;TZID=W. Europe Standard Time:20261210T210000\r
SUMMARY:Ledenavond\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize("source", ["recorded/hostile-bibliotheek-samenstad.ics", "outlook"])
def test_imported_calendars_are_served_readable_to_both_parsers(client, unscoped, source, tmp_path):
    from samen.activities import services
    from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory

    town = MunicipalityFactory(slug="samenstad", name="Samenstad")
    organisation = OrganisationFactory(municipality=town)
    path = HERE / source if source != "outlook" else tmp_path / "outlook.ics"
    if source == "outlook":
        path.write_text(OUTLOOK, newline="")
    feed = services.add_feed(organisation=organisation, url=str(path))
    assert services.import_feed(feed=feed, local_files=True).created >= 1
    for activity in Activity.objects.filter(feed=feed):
        body = client.get(f"/samenstad/activiteiten/{activity.pk}.ics").content
        cal, vevents = both_parsers(body)
        assert len(vevents) == len(cal.walk("VEVENT")) >= 1
        used = {str(e["DTSTART"].params.get("TZID")) for e in cal.walk("VEVENT")} - {"None"}
        assert used <= {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
        for ours, theirs in zip(cal.walk("VEVENT"), vevents, strict=True):
            assert ours.decoded("DTSTART") == theirs.dtstart.value
