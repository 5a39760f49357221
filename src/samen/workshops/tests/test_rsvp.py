"""The invitee's answer by the link in their mail: no account, a button (a GET changes
nothing), changeable until the meeting, one token for one invitation, limited per client."""

import datetime as dt

from django.utils import timezone
from django_scopes import scopes_disabled

from samen.core.models import AuditEvent

from .factories import InvitationFactory, MeetingFactory


def _url(invitation, slug="samenstad"):
    return f"/{slug}/uitnodiging/token-{invitation.email}/"


def _status(invitation):
    with scopes_disabled():
        invitation.refresh_from_db()
    return invitation.status


def test_the_link_shows_the_meeting_and_a_get_answers_nothing(client, town):
    invitation = InvitationFactory(municipality=town)
    response = client.get(_url(invitation))
    page = response.content.decode()
    assert response.status_code == 200
    assert invitation.meeting.title in page and "Ja, ik kom" in page and "Nee, ik kan niet" in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert _status(invitation) == "invited"


def test_yes_then_no_the_answer_can_be_changed(client, town):
    invitation = InvitationFactory(municipality=town)
    page = client.post(_url(invitation), {"answer": "ja"}).content.decode()
    assert "Fijn dat u komt!" in page and _status(invitation) == "accepted"
    # the same link again: the same answer changes nothing, another one replaces it
    client.post(_url(invitation), {"answer": "ja"})
    client.post(_url(invitation), {"answer": "nee"})
    assert _status(invitation) == "declined"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="workshops.rsvp").count() == 2


def test_once_the_meeting_started_the_link_answers_no_more(client, town):
    meeting = MeetingFactory(municipality=town, starts_at=timezone.now() - dt.timedelta(hours=1))
    invitation = InvitationFactory(municipality=town, meeting=meeting, status="accepted")
    response = client.post(_url(invitation), {"answer": "nee"})
    assert response.status_code == 400
    assert "Deze bijeenkomst is al geweest" in response.content.decode()
    assert _status(invitation) == "accepted"


def test_a_token_answers_only_its_own_invitation(client, town):
    """The same person invited to two meetings has two tokens; one never answers the other."""
    first = InvitationFactory(municipality=town, email="jan@voorbeeld.nl")
    second = InvitationFactory(
        municipality=town,
        email="jan@voorbeeld.nl",
        meeting=MeetingFactory(municipality=town, title="Werksessie"),
        token_hash="0" * 64,
    )
    client.post(_url(first), {"answer": "ja"})
    assert _status(first) == "accepted" and _status(second) == "invited"


def test_unknown_tokens_and_other_municipalities_get_404(client, town, other_town):
    theirs = InvitationFactory(municipality=other_town)
    assert client.get("/samenstad/uitnodiging/verzonnen/").status_code == 404
    assert client.post(_url(theirs, "samenstad"), {"answer": "ja"}).status_code == 404
    assert _status(theirs) == "invited"
    assert client.get(_url(theirs, "tweestad")).status_code == 200
    assert client.get("/samenstad/uitnodiging/" + "x" * 300 + "/").status_code == 404


def test_an_erased_invitation_answers_nothing(client, town):
    invitation = InvitationFactory(municipality=town)
    with scopes_disabled():
        type(invitation).objects.filter(pk=invitation.pk).update(erased_at=timezone.now())
    assert client.get(_url(invitation)).status_code == 404


def test_the_link_is_rate_limited_per_client(client, town, settings):
    settings.SAMEN_CONCERN_RATE = "3/h"
    invitation = InvitationFactory(municipality=town)
    codes = [client.get(f"/samenstad/uitnodiging/raden-{n}/").status_code for n in range(3)]
    assert codes == [404, 404, 404]
    limited = client.post(_url(invitation), {"answer": "ja"})
    assert limited.status_code == 429 and "Te veel pogingen" in limited.content.decode()
    assert _status(invitation) == "invited"


def test_the_coordinator_sees_who_comes(staff, town):
    invitation = InvitationFactory(municipality=town, name="Apotheek De Linde")
    from django.test import Client

    Client().post(_url(invitation), {"answer": "ja"})
    page = staff.get(f"/samenstad/beheer/bijeenkomsten/{invitation.meeting.pk}/").content.decode()
    assert "Apotheek De Linde" in page and "Komt" in page


def test_the_short_link_leads_to_the_municipalitys_page(client, town, other_town):
    invitation = InvitationFactory(municipality=other_town)
    response = client.get(f"/uitnodiging/token-{invitation.email}/")
    assert response.status_code == 302 and response["Location"] == _url(invitation, "tweestad")
    assert client.get("/uitnodiging/verzonnen/").status_code == 404
