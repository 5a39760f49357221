"""Issue #14: a feed marked "verdacht" kept its stored activities. Its organisation and the
coordinator choose: "Wijziging accepteren" (the download's removals are applied, once) or
"Behouden" (the mark goes, the activities stay). Audited; nobody else may choose."""

import pytest

from samen.activities.models import Activity, Feed
from samen.core.models import AuditEvent, Organisation
from samen.core.roles import Role
from samen.core.tests.factories import member

from .test_feed_safety import FIXTURE, serve

ONE_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:enige@example\r\n"
    "DTSTART:20270105T100000Z\r\nSUMMARY:Enige activiteit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def suspicious_feed(samenstad, unscoped, tmp_path, settings):
    """The library's feed, imported whole, then a download with one event: kept, marked."""
    from samen.activities import services

    library = Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")
    feed = Feed.objects.get(organisation=library)
    serve(feed, tmp_path, FIXTURE.read_text())
    services.import_feed(feed=feed, local_files=True)
    serve(feed, tmp_path, ONE_EVENT)
    services.import_feed(feed=feed, local_files=True)
    feed.refresh_from_db()
    assert feed.suspicious and Activity.objects.filter(feed=feed).count() > 2
    # The buttons re-read the feed as the web does: served over HTTP.
    return feed


@pytest.fixture
def served(suspicious_feed, fake_server):
    fake_server.routes["/agenda.ics"] = ("text/calendar", ONE_EVENT.encode())
    suspicious_feed.url = fake_server.url + "/agenda.ics"
    suspicious_feed.save(update_fields=["url"])
    return suspicious_feed


def url(feed, action, slug="samenstad"):
    return f"/{slug}/beheer/activiteiten/feeds/{feed.pk}/{action}/"


def test_the_feed_pages_offer_the_choice(login, suspicious_feed):
    for username, page in (("partner", "activiteiten"), ("coordinator", "aanmeldingen")):
        body = login(username).get(f"/samenstad/beheer/{page}/").content.decode()
        assert "Verdacht" in body
        assert "Wijziging accepteren" in body and "Behouden" in body
        assert url(suspicious_feed, "accepteren") in body


def test_the_organisation_accepts_the_change(login, served):
    stored = Activity.objects.filter(feed=served).count()
    response = login("partner").post(url(served, "accepteren"), {"next": "mine"})
    assert response.status_code == 302
    assert response["Location"] == "/samenstad/beheer/activiteiten/"
    served.refresh_from_db()
    assert served.suspicious == ""
    assert list(Activity.objects.filter(feed=served).values_list("title", flat=True)) == [
        "Enige activiteit"
    ]
    event = AuditEvent.objects.get(action="feed.accept_change")
    assert event.actor.username == "partner" and event.object_id == str(served.pk)
    # the one event of the short download was imported then; the others go now
    assert event.detail["stored_before"] == stored and event.detail["deleted"] == stored - 1


def test_the_coordinator_keeps_what_is_stored(login, suspicious_feed):
    stored = Activity.objects.filter(feed=suspicious_feed).count()
    response = login("coordinator").post(
        url(suspicious_feed, "behouden"), {"next": "registrations"}
    )
    assert response["Location"] == "/samenstad/beheer/aanmeldingen/"
    suspicious_feed.refresh_from_db()
    assert suspicious_feed.suspicious == ""
    assert Activity.objects.filter(feed=suspicious_feed).count() == stored
    assert AuditEvent.objects.filter(action="feed.keep", actor__username="coordinator").exists()


def test_the_coordinator_may_accept_too(login, served):
    login("coordinator").post(url(served, "accepteren"), {"next": "registrations"})
    assert Activity.objects.filter(feed=served).count() == 1


def test_a_coordinator_of_another_municipality_gets_404(client, tweestad, suspicious_feed):
    other = member(tweestad, Role.COORDINATOR, username="coordinator-tweestad")
    client.force_login(other)
    for action in ("accepteren", "behouden"):
        assert client.post(url(suspicious_feed, action)).status_code == 404
        # and through their own municipality's address, the other's feed is not found
        assert client.post(url(suspicious_feed, action, slug="tweestad")).status_code == 404
    suspicious_feed.refresh_from_db()
    assert suspicious_feed.suspicious


def test_a_partner_of_another_organisation_gets_403(client, samenstad, suspicious_feed):
    elsewhere = Organisation.objects.get(municipality=samenstad, slug="welzijn-samenstad")
    other = member(samenstad, Role.PARTNER, organisation=elsewhere, username="partner-welzijn")
    client.force_login(other)
    for action in ("accepteren", "behouden"):
        assert client.post(url(suspicious_feed, action)).status_code == 403
    suspicious_feed.refresh_from_db()
    assert suspicious_feed.suspicious
    assert not AuditEvent.objects.filter(action__startswith="feed.").exists()


def test_only_post(login, suspicious_feed):
    assert login("partner").get(url(suspicious_feed, "accepteren")).status_code == 405
