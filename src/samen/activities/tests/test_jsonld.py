"""Issue #14, JSON-LD as event pages really carry it: an `eventSchedule` becomes the
activity's RRULE (so the agenda shows each date), events nested under an organisation's or
place's `event` or as `subEvent` are read, a date without a time is a whole day, the
schema.org image is kept as a link, and one broken block does not stop the others."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from samen.activities import feeds, services
from samen.activities.models import Activity, Occurrence
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def page(*blocks) -> bytes:
    scripts = "".join(
        '<script type="application/ld+json">'
        + (block if isinstance(block, str) else json.dumps(block).replace("</", "<\\/"))
        + "</script>"
        for block in blocks
    )
    return f"<!doctype html><html><head>{scripts}</head><body></body></html>".encode()


def read(*blocks) -> list[feeds.Item]:
    return feeds.parse(page(*blocks), "jsonld")


def dates(item: feeds.Item, start: dt.datetime, days: int) -> list[dt.datetime]:
    activity = Activity(kind=item.kind, starts_at=item.starts_at, ends_at=item.ends_at)
    activity.rrule, activity.ical = item.rrule, item.ical
    found = services._all_dates(activity, start, start + dt.timedelta(days=days))
    return [begins.astimezone(AMSTERDAM) for begins, _ends in found]


def event(**extra) -> dict:
    return {"@context": "https://schema.org", "@type": "Event", "name": "Koffieochtend"} | extra


WEEKLY = {
    "@type": "Schedule",
    "startDate": "2027-01-01",  # a Friday: the first Tuesday is 5 January
    "endDate": "2027-03-31",
    "repeatFrequency": "P1W",
    "byDay": "https://schema.org/Tuesday",
    "startTime": "10:00",
    "endTime": "12:00",
    "exceptDate": ["2027-01-19", "2027-02-16"],
}


def test_a_weekly_schedule_becomes_a_weekly_rule_with_every_date_in_the_agenda():
    [item] = read(event(eventSchedule=WEEKLY))
    assert item.refused == ""
    assert item.rrule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")
    assert item.starts_at == dt.datetime(2027, 1, 5, 10, tzinfo=AMSTERDAM)
    assert item.ends_at == dt.datetime(2027, 1, 5, 12, tzinfo=AMSTERDAM)
    found = dates(item, dt.datetime(2027, 1, 1, tzinfo=AMSTERDAM), 365)
    tuesdays = [
        dt.datetime(2027, 1, 5, 10, tzinfo=AMSTERDAM) + dt.timedelta(weeks=n) for n in range(13)
    ]
    cancelled = {
        dt.datetime(2027, 1, 19, 10, tzinfo=AMSTERDAM),
        dt.datetime(2027, 2, 16, 10, tzinfo=AMSTERDAM),
    }
    assert found == [day for day in tuesdays if day not in cancelled]
    assert all(day.hour == 10 for day in found)  # across daylight saving on 28 March too


@pytest.mark.parametrize(
    ("schedule", "rule", "count"),
    [
        ({"repeatFrequency": "P1D", "repeatCount": 10}, "FREQ=DAILY;COUNT=10", 10),
        (
            {"repeatFrequency": "P2W", "byDay": ["Monday", "schema:Thursday"]},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            52,
        ),
        ({"repeatFrequency": "P1M", "byDay": "2MO"}, "FREQ=MONTHLY;BYDAY=2MO", 12),
        (
            {
                "repeatFrequency": "P1M",
                "byDay": "https://schema.org/Wednesday",
                "byMonthWeek": [1, 3],
            },
            "FREQ=MONTHLY;BYDAY=1WE,3WE",
            24,
        ),
        ({"repeatFrequency": "P1M", "byMonthDay": [1, 15]}, "FREQ=MONTHLY;BYMONTHDAY=1,15", 24),
        ({"repeatFrequency": "P7D"}, "FREQ=WEEKLY", 53),
    ],
)
def test_schedule_forms_of_schema_org_become_rules(schedule, rule, count):
    schedule = {"@type": "Schedule", "startDate": "2027-01-01", "startTime": "14:00"} | schedule
    [item] = read(event(eventSchedule=schedule))
    assert (item.refused, item.rrule) == ("", rule)
    assert len(dates(item, dt.datetime(2027, 1, 1, tzinfo=AMSTERDAM), 365)) == count


def test_a_schedule_in_another_time_zone_keeps_its_own_clock():
    schedule = {
        "repeatFrequency": "P1W",
        "startDate": "2027-01-06",
        "startTime": "19:00",
        "scheduleTimezone": "Europe/London",
        "repeatCount": 20,
    }
    [item] = read(event(eventSchedule=schedule))
    london = ZoneInfo("Europe/London")
    found = dates(item, dt.datetime(2027, 1, 1, tzinfo=AMSTERDAM), 365)
    assert len(found) == 20 and {day.astimezone(london).hour for day in found} == {19}


def test_a_schedule_without_a_start_date_runs_from_the_start_of_this_year(time_machine):
    time_machine.move_to(dt.datetime(2027, 6, 10, 12, tzinfo=AMSTERDAM))
    [item] = read(
        event(
            eventSchedule={
                "repeatFrequency": "P1W",
                "byDay": "Wednesday",
                "startTime": "19:00",
                "endTime": "20:00",
            }
        )
    )
    assert item.starts_at == dt.datetime(2027, 1, 6, 19, tzinfo=AMSTERDAM)
    assert item.ends_at - item.starts_at == dt.timedelta(hours=1)


def test_two_schedules_of_one_event_are_two_activities():
    morning = {"repeatFrequency": "P1D", "byDay": ["Monday", "Friday"], "startTime": "09:00"}
    afternoon = morning | {"startTime": "14:00"}
    items = read(event(**{"@id": "https://x.example/e", "eventSchedule": [morning, afternoon]}))
    assert [item.starts_at.hour for item in items] == [9, 14]
    assert len({item.uid for item in items}) == 2


@pytest.mark.parametrize(
    ("schedule", "refused"),
    [
        ({"repeatFrequency": "PT1H", "startDate": "2027-01-01"}, feeds.TOO_FREQUENT),
        ({"repeatFrequency": "PT15M", "startDate": "2027-01-01"}, feeds.TOO_FREQUENT),
        ({"repeatFrequency": "elke week", "startDate": "2027-01-01"}, "rooster"),
        ({"repeatFrequency": "P1W", "byDay": "Maandag", "startDate": "2027-01-01"}, "rooster"),
        ({"repeatFrequency": "P1D", "startDate": "0001-01-01"}, feeds.TOO_OLD),
    ],
)
def test_a_schedule_that_cannot_be_kept_is_refused_with_a_reason(schedule, refused):
    [item] = read(event(eventSchedule=schedule))
    assert refused in item.refused


def test_events_nested_under_an_organisation_a_place_and_as_sub_events_are_read():
    block = {
        "@context": "https://schema.org",
        "@type": "Library",
        "name": "Bibliotheek Samenstad",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Markt 1",
            "postalCode": "9501 AB",
            "addressLocality": "Samenstad",
        },
        "event": [
            {"@type": "Event", "name": "Voorleesuurtje", "startDate": "2027-01-06T10:00"},
            {
                "@type": "Festival",
                "name": "Week van de eenzaamheid",
                "image": {"@type": "ImageObject", "url": "https://bieb.example/week.jpg"},
                "subEvent": [
                    {"@type": "Event", "name": "Koffie", "startDate": "2027-10-01T10:00"},
                    {
                        "@type": "Event",
                        "name": "Film",
                        "startDate": "2027-10-02T20:00",
                        "location": {"@type": "Place", "name": "Filmhuis"},
                    },
                ],
            },
        ],
    }
    items = {item.title: item for item in read(block)}
    assert set(items) == {"Voorleesuurtje", "Koffie", "Film"}  # the festival is its dates
    assert items["Voorleesuurtje"].location == "Bibliotheek Samenstad, Markt 1 9501 AB Samenstad"
    assert items["Film"].location == "Filmhuis"
    assert items["Koffie"].image_url == "https://bieb.example/week.jpg"
    assert items["Koffie"].extra["organizer"] == "Bibliotheek Samenstad"


def test_a_graph_with_references_by_id_is_read():
    block = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": "https://x.example/#page",
                "mainEntity": {"@id": "https://x.example/#event"},
            },
            {
                "@type": "Event",
                "@id": "https://x.example/#event",
                "name": "Taalcafé",
                "startDate": "2027-02-03T19:30:00+01:00",
                "location": {"@id": "https://x.example/#place"},
                "organizer": {"@id": "https://x.example/#org"},
                "image": {"@id": "https://x.example/#img"},
            },
            {
                "@type": "Place",
                "@id": "https://x.example/#place",
                "name": "Buurthuis De Wissel",
                "address": "Wisselstraat 5, 9502 CD Samenstad",
            },
            {"@type": "Organization", "@id": "https://x.example/#org", "name": "Welzijn Samenstad"},
            {
                "@type": "ImageObject",
                "@id": "https://x.example/#img",
                "contentUrl": "https://x.example/taalcafe.png",
            },
        ],
    }
    [item] = read(block)
    assert item.location == "Buurthuis De Wissel, Wisselstraat 5, 9502 CD Samenstad"
    assert item.image_url == "https://x.example/taalcafe.png"
    assert item.extra["organizer"] == "Welzijn Samenstad"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("https://x.example/a.jpg", "https://x.example/a.jpg"),
        (["https://x.example/a.jpg", "https://x.example/b.jpg"], "https://x.example/a.jpg"),
        ({"@type": "ImageObject", "url": "http://x.example/a.jpg"}, "http://x.example/a.jpg"),
        (
            [
                {"@type": "ImageObject", "contentUrl": "javascript:alert(1)"},
                "https://x.example/b.jpg",
            ],
            "https://x.example/b.jpg",
        ),
        ("data:image/png;base64,AAAA", ""),
        ("/uploads/a.jpg", ""),  # relative: no host to link to
        ("https://x.example/" + "a" * 600 + ".jpg", ""),  # cut would be another address
    ],
)
def test_the_image_is_an_http_address_or_nothing(image, expected):
    [item] = read(event(startDate="2027-01-06T10:00", image=image))
    assert item.image_url == expected


def test_a_date_without_a_time_is_a_whole_day():
    [day, timed] = read(
        event(startDate="2027-04-27", endDate="2027-04-27", name="Koningsdag"),
        event(startDate="2027-04-28T10:00", name="Koffie"),
    )
    assert day.all_day and not timed.all_day
    assert day.starts_at == dt.datetime(2027, 4, 27, tzinfo=AMSTERDAM)
    assert day.ends_at == dt.datetime(2027, 4, 28, tzinfo=AMSTERDAM)  # the end is exclusive


@pytest.mark.parametrize(
    ("offers", "free"),
    [
        ({"@type": "Offer", "price": 0}, True),
        ({"@type": "Offer", "price": "0,00", "priceCurrency": "EUR"}, True),
        ([{"@type": "Offer", "price": "0"}, {"@type": "Offer", "price": "5"}], False),
        ({"@type": "AggregateOffer", "lowPrice": "2.50"}, False),
        ({"@type": "Offer", "price": "€ 2,50"}, False),
        (None, True),
    ],
)
def test_offers_decide_whether_it_is_free(offers, free):
    [item] = read(event(startDate="2027-01-06T10:00", offers=offers))
    assert item.is_free is free


def test_a_cancelled_or_postponed_event_is_left_out():
    items = read(
        event(name="Gaat door", startDate="2027-01-06T10:00"),
        event(
            name="Afgelast",
            startDate="2027-01-07T10:00",
            eventStatus="https://schema.org/EventCancelled",
        ),
        event(name="Uitgesteld", startDate="2027-01-08T10:00", eventStatus="EventPostponed"),
    )
    assert [item.title for item in items] == ["Gaat door"]


def test_texts_of_nested_events_go_through_the_one_sanitiser():
    block = {
        "@type": "Organization",
        "name": "X",
        "event": [
            event(
                name="<b>Bingo</b> &amp; thee",
                startDate="2027-01-06T10:00",
                description="<p>Eerste alinea.</p><p>Tweede <script>alert(1)</script>alinea.</p>",
            )
        ],
    }
    [item] = read(block)
    assert item.title == "Bingo & thee"
    assert item.description == "Eerste alinea.\n\nTweede alinea."


BROKEN = '{"@context": "https://schema.org", "@type": "Event", "name": "Kapot"'


def test_a_broken_block_is_skipped_and_the_others_are_read():
    body = page(
        event(name="Eén", startDate="2027-01-06T10:00"),
        BROKEN,
        event(name="Twee", startDate="2027-01-07T10:00"),
    )
    assert [item.title for item in feeds.parse(body, "jsonld")] == ["Eén", "Twee"]
    assert feeds.incomplete(body, "jsonld") == (
        "1 blok op deze pagina kon niet worden gelezen; de rest is ingelezen en er is niets "
        "verwijderd."
    )
    two = page(event(name="Eén", startDate="2027-01-06T10:00"), BROKEN, BROKEN)
    assert feeds.incomplete(two, "jsonld").startswith(
        "2 blokken op deze pagina konden niet worden gelezen"
    )


def test_a_page_with_only_broken_blocks_says_so():
    with pytest.raises(feeds.FeedError) as error:
        feeds.parse(page(BROKEN), "jsonld")
    assert str(error.value) == (
        "Op deze pagina staan geen evenementen (schema.org Event); 1 blok op deze pagina kon "
        "niet worden gelezen."
    )


def test_deep_nesting_and_too_many_events_stay_bounded(settings):
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(feeds.FeedError):
        feeds.parse(page(deep), "jsonld")
    settings.SAMEN_FEED_MAX_ITEMS = 10
    many = {
        "@type": "Organization",
        "event": [event(name=f"E{n}", startDate="2027-01-06T10:00") for n in range(11)],
    }
    with pytest.raises(feeds.FeedError) as error:
        feeds.parse(page(many), "jsonld")
    assert "hoogstens 10 items" in str(error.value)


@pytest.fixture
def buurthuis(db, unscoped):
    return OrganisationFactory(
        municipality=MunicipalityFactory(slug="samenstad"), postcode="9502 CD", name="De Wissel"
    )


def test_an_imported_schedule_fills_the_agenda_and_keeps_the_image(
    buurthuis, tmp_path, time_machine
):
    time_machine.move_to(dt.datetime(2027, 1, 1, 9, tzinfo=AMSTERDAM))
    path = tmp_path / "agenda.html"
    path.write_bytes(
        page(
            event(
                **{
                    "@id": "https://wissel.example/koffie",
                    "eventSchedule": WEEKLY,
                    "image": "https://wissel.example/koffie.jpg",
                }
            )
        )
    )
    feed = services.add_feed(organisation=buurthuis, url=str(path))
    assert services.import_feed(feed=feed, local_files=True).created == 1
    activity = Activity.objects.get(feed=feed)
    assert activity.image_url == "https://wissel.example/koffie.jpg"
    assert activity.rrule.startswith("FREQ=WEEKLY;BYDAY=TU")
    assert Occurrence.objects.filter(activity=activity).count() == 11
    again = services.import_feed(feed=feed, local_files=True)  # the same page: not rewritten
    assert (again.created, again.updated) == (0, 0)


def test_a_broken_block_shows_in_the_feed_status_and_deletes_nothing(buurthuis, tmp_path):
    path = tmp_path / "agenda.html"
    one = event(**{"@id": "https://wissel.example/1", "startDate": "2027-01-06T10:00"})
    two = event(**{"@id": "https://wissel.example/2", "startDate": "2027-01-07T10:00"})
    path.write_bytes(page(one, two))
    feed = services.add_feed(organisation=buurthuis, url=str(path))
    services.import_feed(feed=feed, local_files=True)
    path.write_bytes(page(one, BROKEN))
    result = services.import_feed(feed=feed, local_files=True)
    feed.refresh_from_db()
    assert result.deleted == 0 and Activity.objects.filter(feed=feed).count() == 2
    assert feed.suspicious.startswith("1 blok op deze pagina kon niet worden gelezen")


def test_markup_escaped_once_more_is_still_read_as_markup():
    """The Events Calendar writes the description's HTML escaped into the JSON-LD."""
    [item] = read(
        event(
            name="Koffie &amp;amp; thee",
            startDate="2027-01-06T10:00",
            description="&lt;p&gt;Elke dinsdag.&lt;/p&gt;\n&lt;p&gt;Kom langs!&lt;/p&gt;\n",
        )
    )
    assert item.description == "Elke dinsdag.\n\nKom langs!"
    assert item.title == "Koffie & thee"
    [plain] = read(event(startDate="2027-01-06T10:00", description="Kinderen &lt; 12 jaar gratis"))
    assert plain.description == "Kinderen < 12 jaar gratis"


@pytest.mark.parametrize(
    "odd",
    [
        {"name": [{"@value": "Koffie"}], "startDate": ["2027-01-06T10:00"]},
        {"location": 12, "offers": "gratis", "image": 3, "organizer": [None]},
        {"location": {"address": ["Markt 1, Samenstad"]}, "eventSchedule": "elke week"},
        {"eventSchedule": {"repeatFrequency": "P1W", "byMonthDay": "31", "byMonth": 2}},
        {"eventSchedule": {"repeatFrequency": "P1W", "startTime": "25:99", "exceptDate": 7}},
        {"startDate": "2027-13-45T99:00", "endDate": {"x": 1}, "duration": "eeuwig"},
        {"eventSchedule": {"repeatFrequency": "P1D", "scheduleTimezone": "../../etc/passwd"}},
    ],
)
def test_odd_values_never_break_the_page(odd):
    items = read(event(**odd), event(name="Gewoon", startDate="2027-01-06T10:00"))
    assert len(items) == 2 and items[-1].title == "Gewoon"


def test_an_event_that_cannot_be_read_is_refused_and_the_others_are_read(monkeypatch):
    from samen.activities import jsonld

    place = jsonld._place

    def breaks_on_one(page, value):
        if value == "kapot":
            raise TypeError("a shape nobody foresaw")
        return place(page, value)

    monkeypatch.setattr(jsonld, "_place", breaks_on_one)
    odd, fine = read(
        event(name="Vreemd", startDate="2027-01-06T10:00", location="kapot"),
        event(name="Gewoon", startDate="2027-01-06T10:00"),
    )
    assert (odd.title, odd.refused) == ("Vreemd", feeds.UNREADABLE)
    assert (fine.title, fine.refused) == ("Gewoon", "")
