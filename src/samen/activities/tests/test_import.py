"""Import: idempotent upserts, removals, broken feeds, conditional GET, RSS and JSON-LD."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samen.activities import feeds, services
from samen.activities.models import Activity, Feed, Occurrence
from samen.core.models import Organisation

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bibliotheek-samenstad.ics"
RECORDED = Path(__file__).parent / "recorded"


@pytest.fixture
def library(samenstad, unscoped):
    return Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")


@pytest.fixture
def library_feed(library):
    return Feed.objects.get(organisation=library)


def state(organisation):
    return sorted(
        Activity.objects.filter(organisation=organisation).values_list(
            "source_uid", "source_hash", "updated_at"
        )
    ), Occurrence.objects.filter(activity__organisation=organisation).count()


def test_demo_imported_the_library_feed(library):
    titles = set(Activity.objects.filter(organisation=library).values_list("title", flat=True))
    assert {
        "Koffieochtend in de bibliotheek",
        "Taalcafé: Nederlands oefenen",
        "Digicafé: hulp bij uw telefoon en DigiD",
    } <= titles
    assert Occurrence.objects.filter(activity__organisation=library).count() > 20


def test_importing_the_same_feed_twice_changes_nothing(library, library_feed):
    before = state(library)
    result = services.import_feed(feed=library_feed, local_files=True)
    assert result.not_modified and result.writes == 0 and result.unchanged == 3
    assert state(library) == before


def copy_of_the_feed(feed, tmp_path, change=lambda text: text):
    path = tmp_path / "feed.ics"
    path.write_text(change(FIXTURE.read_text()))
    feed.url = str(path)
    feed.save()
    return path


def test_an_unchanged_feed_is_not_parsed_again(library, library_feed, tmp_path, monkeypatch):
    copy_of_the_feed(library_feed, tmp_path)  # the same bytes at another address
    before = state(library)

    def parse(body, kind):
        raise AssertionError("parsed again")

    monkeypatch.setattr(feeds, "parse", parse)
    result = services.import_feed(feed=library_feed, local_files=True)
    assert result.not_modified and result.writes == 0 and not result.error
    assert state(library) == before


def test_a_new_dtstamp_alone_rewrites_nothing(library, library_feed, tmp_path):
    before = state(library)
    copy_of_the_feed(
        library_feed, tmp_path, lambda text: text.replace("DTSTAMP:20260101", "DTSTAMP:20261130")
    )
    result = services.import_feed(feed=library_feed, local_files=True)
    assert not result.not_modified  # read and parsed: the body changed
    assert result.writes == 0 and result.unchanged == 3
    assert state(library) == before


def test_a_changed_feed_is_imported_again(client, library, library_feed, tmp_path):
    path = copy_of_the_feed(library_feed, tmp_path)
    path.write_text(
        FIXTURE.read_text().replace(
            "SUMMARY:Koffieochtend in de bibliotheek", "SUMMARY:Theeochtend"
        )
    )
    result = services.import_feed(feed=library_feed, local_files=True)
    assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 1, 0, 2)
    page = client.get("/samenstad/agenda/", {"q": "Theeochtend", "when": "month"})
    assert "Theeochtend" in page.content.decode()
    assert services.import_feed(feed=library_feed, local_files=True).not_modified


def test_the_daily_refresh_imports_every_active_feed(library, library_feed, fake_server):
    fake_server.routes["/agenda.ics"] = (
        "text/calendar",
        FIXTURE.read_bytes().replace(
            b"SUMMARY:Taalcaf\xc3\xa9: Nederlands oefenen", b"SUMMARY:Taalmaatje"
        ),
    )
    library_feed.url = fake_server.url + "/agenda.ics"
    library_feed.save()
    queued = services.refresh_all_feeds()  # one task per feed; run at once in tests
    assert queued == Feed.objects.filter(is_active=True, url__startswith="http").count() == 1
    assert Activity.objects.filter(organisation=library, title="Taalmaatje").exists()
    assert Occurrence.objects.filter(activity__title="Taalmaatje").exists()


def test_import_command_accepts_slug_or_id(library, capsys):
    call_command(
        "import-feed",
        "--municipality",
        "samenstad",
        "--organisation",
        "bibliotheek-samenstad",
        str(FIXTURE),
    )
    assert "0 created, 0 updated, 0 deleted, 3 unchanged" in capsys.readouterr().out
    call_command(
        "import-feed",
        "--municipality",
        "samenstad",
        "--organisation",
        str(library.pk),
        str(FIXTURE),
    )
    with pytest.raises(CommandError):
        call_command(
            "import-feed",
            "--municipality",
            "tweestad",
            "--organisation",
            "bibliotheek-samenstad",
            str(FIXTURE),
        )


def test_events_removed_from_the_feed_disappear(library, library_feed, tmp_path):
    text = FIXTURE.read_text()
    start = text.index("BEGIN:VEVENT\nUID:taalcafe")
    end = text.index("END:VEVENT", start) + len("END:VEVENT\n")
    smaller = tmp_path / "feed.ics"
    smaller.write_text(text[:start] + text[end:])
    library_feed.url = str(smaller)
    library_feed.save()
    result = services.import_feed(feed=library_feed, local_files=True)
    assert result.deleted == 1
    assert not Activity.objects.filter(organisation=library, title__startswith="Taalcafé").exists()
    assert not Occurrence.objects.filter(activity__title__startswith="Taalcafé").exists()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\n",
        "<html>geen agenda</html>",
        "\x00\x01binary",
    ],
)
def test_a_broken_feed_never_deletes_what_was_imported(library, library_feed, tmp_path, content):
    before = state(library)
    broken = tmp_path / "broken.ics"
    broken.write_text(content)
    library_feed.url = str(broken)
    library_feed.save()
    result = services.import_feed(feed=library_feed, local_files=True)
    assert result.error
    assert state(library) == before
    library_feed.refresh_from_db()
    assert library_feed.last_error == result.error


def test_the_organisation_sees_why_its_feed_failed(login, library, library_feed, tmp_path):
    library_feed.url = str(tmp_path / "missing.ics")
    library_feed.save()
    services.import_feed(feed=library_feed, local_files=True)
    page = login("partner").get("/samenstad/beheer/activiteiten/").content.decode()
    assert "Bestand niet gevonden" in page


def test_conditional_get_skips_unchanged_feeds(library, fake_server):
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    feed = services.add_feed(
        organisation=library, url=fake_server.url.replace("http://", "webcal://") + "/agenda.ics"
    )
    assert feed.url.startswith("https://")  # webcal:// is https://
    feed.url = fake_server.url + "/agenda.ics"
    feed.save()
    first = services.import_feed(feed=feed)
    assert first.created == 3  # same UIDs as the demo feed, but another feed of the library
    feed.refresh_from_db()
    assert feed.etag
    second = services.import_feed(feed=feed)
    assert second.not_modified and second.writes == 0
    assert fake_server.requests[-1]["headers"].get("If-None-Match") == feed.etag


def test_http_errors_are_explained(library, fake_server):
    feed = services.add_feed(organisation=library, url=fake_server.url + "/bestaat-niet.ics")
    result = services.import_feed(feed=feed)
    assert result.error == "De website antwoordde met foutcode 404."


def test_rss_items_become_information_posts(library):
    feed = services.add_feed(organisation=library, url=str(RECORDED / "news.rss"))
    result = services.import_feed(feed=feed, local_files=True)
    assert result.created == 2
    post = Activity.objects.get(feed=feed, title="Nieuwe maatjes gezocht")
    assert post.kind == "post" and post.description == "Wij zoeken maatjes voor ouderen."
    assert "buddy" in post.categories


def test_json_ld_events_are_read_from_a_web_page(library):
    feed = services.add_feed(organisation=library, url=str(RECORDED / "events.html"))
    assert services.import_feed(feed=feed, local_files=True).created == 1
    bingo = Activity.objects.get(feed=feed)
    assert bingo.title == "Bingo-middag" and not bingo.is_free and bingo.postcode == "9502CD"
    assert bingo.latitude is not None and "games" in bingo.categories


def test_the_same_activity_from_two_organisations_is_shown_once(client, library, samenstad):
    welfare = Organisation.objects.get(municipality=samenstad, slug="welzijn-samenstad")
    feed = services.add_feed(organisation=welfare, url=str(FIXTURE))
    services.import_feed(feed=feed, local_files=True)
    page = client.get("/samenstad/agenda/?q=Koffieochtend").content.decode()
    assert page.count("Koffieochtend in de bibliotheek</a>") == 1
    assert "ook vermeld door" in page and "Welzijn Samenstad" in page
