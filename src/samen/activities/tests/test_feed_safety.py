"""Issue #14, "never lose what was stored": a download that is not the feed of last time
deletes nothing, a feed that shrinks by more than half is kept and marked "verdacht", one
bad event skips that event only, and no failure reaches a page or the command line as a
traceback. On the recorded real exports (fixtures/, tests/recorded/)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samen.activities import feeds, services
from samen.activities.models import Activity, Feed, Occurrence
from samen.core.models import Organisation

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bibliotheek-samenstad.ics"
RECORDED = Path(__file__).parent / "recorded"
PYTHON_NAMES = re.compile(r"Error|Exception|Traceback|\(\w+\)")

# An event whose rule the expansion (recurring-ical-events) chokes on.
UNEXPANDABLE = (
    "BEGIN:VEVENT\nUID:onberekenbaar@example\nDTSTART:20261201T100000Z\n"
    "RRULE:FREQ=MONTHLY;BYSETPOS=999\nSUMMARY:Onberekenbaar\nEND:VEVENT\n"
)
BACKWARDS = (
    "BEGIN:VEVENT\nUID:achterstevoren@example\nDTSTART:20261210T100000Z\n"
    "DTEND:20261210T090000Z\nSUMMARY:Achterstevoren\nEND:VEVENT\n"
)


@pytest.fixture
def library(samenstad, unscoped):
    return Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")


@pytest.fixture
def library_feed(library):
    return Feed.objects.get(organisation=library)


def state(feed):
    return sorted(
        Activity.objects.filter(feed=feed).values_list("source_uid", "source_hash", "updated_at")
    ), Occurrence.objects.filter(activity__feed=feed).count()


def with_events(*events: str) -> str:
    text = FIXTURE.read_text()
    return text.replace("END:VCALENDAR", "".join(events) + "END:VCALENDAR")


def serve(feed, tmp_path, content: str | bytes, name="feed.ics"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    feed.url = str(path)
    feed.save()


def test_an_unexpandable_rule_in_the_feed_form_is_no_500(login, library, fake_server):
    fake_server.routes["/agenda.ics"] = ("text/calendar", with_events(UNEXPANDABLE).encode())
    page = login("partner").post(
        "/samenstad/beheer/activiteiten/", {"url": fake_server.url + "/agenda.ics"}, follow=True
    )
    assert page.status_code == 200
    feed = Feed.objects.get(organisation=library, url=fake_server.url + "/agenda.ics")
    assert "1 van 4 items overgeslagen" in feed.last_error
    assert "“Onberekenbaar”: heeft een herhaling die niet te berekenen is" in feed.last_error
    assert Activity.objects.filter(feed=feed).count() == 3
    assert not PYTHON_NAMES.search(feed.last_error)


def test_one_bad_event_skips_that_event_not_the_calendar(library_feed, tmp_path):
    broken = "BEGIN:VEVENT\nUID:kapot@example\nDTSTART:20261201T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX\nSUMMARY:Kapot\nEND:VEVENT\n"
    serve(library_feed, tmp_path, with_events(UNEXPANDABLE, BACKWARDS, broken))
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert not result.error and result.unchanged == 3
    assert library_feed.last_error.startswith("3 van 6 items overgeslagen: ")
    assert "“Achterstevoren”: einde ligt vóór het begin" in library_feed.last_error
    assert "“Kapot”: kon niet worden gelezen" in library_feed.last_error
    assert not PYTHON_NAMES.search(library_feed.last_error)
    assert not Activity.objects.filter(feed=library_feed, title__in=["Kapot", "Onberekenbaar"])


def test_importing_twice_writes_nothing(library_feed, tmp_path):
    serve(library_feed, tmp_path, with_events(BACKWARDS))
    services.import_feed(feed=library_feed, local_files=True)
    before = state(library_feed)
    serve(library_feed, tmp_path, with_events(BACKWARDS).replace("DTSTAMP:2026", "DTSTAMP:2027"))
    again = services.import_feed(feed=library_feed, local_files=True)
    assert again.writes == 0 and not again.not_modified
    assert state(library_feed) == before


TRUNCATED_ICS = FIXTURE.read_text()[: FIXTURE.read_text().index("UID:taalcafe") + 40]
EMPTY_CALENDAR = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nX-WR-TIMEZONE:Europe/Amsterdam\nEND:VCALENDAR\n"
XML_ERROR = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>\n'
XHTML_MAINTENANCE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
    'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns='
    '"http://www.w3.org/1999/xhtml"><head><title>Onderhoud</title></head><body><h1>We zijn '
    "zo terug</h1></body></html>\n"
)
HTML_PAGE = "<!DOCTYPE html><html><head><title>Bibliotheek</title></head><body>Welkom</body></html>"
HTML_WITH_AN_EVENT = (RECORDED / "events.html").read_text()


@pytest.mark.parametrize(
    ("content", "error", "suspicious"),
    [
        (XML_ERROR, "Dit is geen geldige RSS- of Atom-feed.", ""),
        (XHTML_MAINTENANCE, "Dit is geen geldige RSS- of Atom-feed.", ""),
        (HTML_PAGE, "Op dit adres staat geen agenda", ""),
        (TRUNCATED_ICS, "Dit is geen geldige iCalendar-agenda.", ""),
        (EMPTY_CALENDAR, "", "De feed heeft nu 0 items, terwijl er 3 zijn opgeslagen"),
        (HTML_WITH_AN_EVENT, "", "Dit adres gaf eerder een iCalendar-agenda en nu een Webpagina"),
    ],
)
def test_a_download_that_is_not_the_calendar_deletes_nothing(
    library_feed, tmp_path, content, error, suspicious
):
    before = state(library_feed)
    serve(library_feed, tmp_path, content)
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert result.deleted == 0
    assert result.error.startswith(error) if error else not result.error
    assert library_feed.suspicious.startswith(suspicious) if suspicious else True
    assert library_feed.kind == "ical"
    uids = {uid for uid, _hash, _at in before[0]}
    assert uids <= set(
        Activity.objects.filter(feed=library_feed).values_list("source_uid", flat=True)
    )


def test_a_truncated_rss_file_after_a_good_one_deletes_nothing(library, tmp_path):
    feed = services.add_feed(organisation=library, url=str(RECORDED / "news.rss"))
    assert services.import_feed(feed=feed, local_files=True).created == 2
    text = (RECORDED / "news.rss").read_text()
    serve(feed, tmp_path, text[: text.rindex("<item>") + 20], name="news.rss")
    result = services.import_feed(feed=feed, local_files=True)
    feed.refresh_from_db()
    assert result.deleted == 0 and Activity.objects.filter(feed=feed).count() == 2
    assert feed.suspicious == "De feed houdt halverwege op (onvolledig gedownload)."


def test_a_feed_that_shrinks_by_more_than_half_is_kept_and_shown(login, library_feed, tmp_path):
    text = FIXTURE.read_text()
    first = text.index("BEGIN:VEVENT")
    last = text.rindex("BEGIN:VEVENT")
    serve(library_feed, tmp_path, text[:first] + text[last:])  # 1 of 3 left
    result = services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert result.deleted == 0 and Activity.objects.filter(feed=library_feed).count() == 3
    assert library_feed.suspicious.startswith("De feed heeft nu 1 items, terwijl er 3")
    for who, page in [("partner", "activiteiten"), ("coordinator", "aanmeldingen")]:
        html = login(who).get(f"/samenstad/beheer/{page}/").content.decode()
        assert "Verdacht" in html and "terwijl er 3 zijn opgeslagen" in html, who
    serve(library_feed, tmp_path, text)  # the whole feed again
    services.import_feed(feed=library_feed, local_files=True)
    library_feed.refresh_from_db()
    assert library_feed.suspicious == ""


def test_no_traceback_reaches_the_command_line(library, monkeypatch, capsys):
    def fails(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "upsert_items", fails)
    with pytest.raises(CommandError) as refused:
        call_command(
            "import-feed", "--municipality", "samenstad", "--organisation",
            "bibliotheek-samenstad", str(RECORDED / "news.rss"),
        )  # fmt: skip
    assert "de opgeslagen activiteiten zijn bewaard" in str(refused.value)
    assert "boom" not in str(refused.value) and "RuntimeError" not in str(refused.value)


# Bounded cost: refused before parsing, with a message; one budget per import.
def laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        '<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title></item>'
        "</channel></rss>\n"
    ).encode()


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (laughs(), "rss", "De feed definieert eigen XML-entiteiten (<!ENTITY>)"),
        (b"<rss>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</rss>", "rss", "te diep genest"),
        (
            b"BEGIN:VCALENDAR\r\n"
            + b"BEGIN:X\r\n" * 1000
            + b"END:X\r\n" * 1000
            + b"END:VCALENDAR\r\n",
            "ical",
            "De agenda is te diep genest om te lezen.",
        ),
        (
            b"BEGIN:VCALENDAR\r\n"
            + b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n" * 100_000
            + b"END:VCALENDAR\r\n",
            "ical",
            "De agenda bevat 100.000 activiteiten (VEVENT); Samen leest er hoogstens 5.000 per feed.",
        ),
        (
            b"<rss><channel>" + b"<item><title>x</title></item>" * 100_000 + b"</channel></rss>",
            "rss",
            "De feed bevat 100000 items",
        ),
    ],
)
def test_hostile_files_are_refused_before_parsing(body, kind, message):
    with pytest.raises(feeds.FeedError) as refused:
        feeds.parse(body, kind)
    assert message in str(refused.value)


def test_an_import_over_its_time_budget_is_refused_and_changes_nothing(
    library_feed, tmp_path, settings
):
    before = state(library_feed)
    serve(library_feed, tmp_path, with_events(BACKWARDS))
    settings.SAMEN_FEED_IMPORT_SECONDS = -1
    result = services.import_feed(feed=library_feed, local_files=True)
    assert result.error.startswith("Het inlezen van deze feed duurt te lang")
    assert state(library_feed) == before


def test_a_description_is_cut_at_the_same_length_for_every_format(library, tmp_path):
    long = "woord " * 2000
    ical = FIXTURE.read_text().replace(
        "SUMMARY:Koffieochtend", f"DESCRIPTION:{long}\nSUMMARY:Koffieochtend", 1
    )
    news = (RECORDED / "news.rss").read_text().replace("Wat een week!", long)
    page = (RECORDED / "events.html").read_text()
    page = re.sub(r'"description":\s*"[^"]*"', f'"description": "{long}"', page, count=1)
    assert long in page
    lengths = set()
    for name, text in [("a.ics", ical), ("b.rss", news), ("c.html", page)]:
        feed = services.add_feed(organisation=library, url=str(tmp_path / name))
        serve(feed, tmp_path, text, name=name)
        services.import_feed(feed=feed, local_files=True)
        lengths.add(
            max(
                len(d)
                for d in Activity.objects.filter(feed=feed).values_list("description", flat=True)
            )
        )
    assert lengths == {feeds.DESCRIPTION_MAX}
