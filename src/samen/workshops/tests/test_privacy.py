"""Invitees' addresses: gone six months after the meeting, and on request."""

import datetime as dt

from django.utils import timezone
from django_scopes import scopes_disabled

from samen.core import privacy_requests
from samen.core.roles import Role
from samen.core.tests.factories import member
from samen.workshops import services
from samen.workshops.models import Invitation

from .factories import InvitationFactory, MeetingFactory


def test_addresses_go_six_months_after_the_meeting(town, other_town):
    old = MeetingFactory(municipality=town, starts_at=timezone.now() - dt.timedelta(days=190))
    recent = MeetingFactory(
        municipality=other_town, starts_at=timezone.now() - dt.timedelta(days=30)
    )
    gone = InvitationFactory(municipality=town, meeting=old, status="accepted")
    kept = InvitationFactory(municipality=other_town, meeting=recent)
    assert services.forget_invitees() == 1
    with scopes_disabled():
        gone.refresh_from_db()
        kept.refresh_from_db()
    assert gone.email == gone.name == gone.token_hash == "" and gone.status == "accepted"
    assert kept.email and kept.erased_at is None
    assert services.forget_invitees() == 0


def test_the_daily_task_is_registered():
    from samen.core import capabilities

    assert "samen.workshops.tasks.forget_invitees" in capabilities.daily_tasks()


def test_the_privacy_officer_finds_exports_and_erases_an_invitee(town, other_town):
    officer = member(town, Role.PRIVACY_OFFICER)
    mine = InvitationFactory(municipality=town, email="jan@voorbeeld.nl", name="Jan Smit")
    InvitationFactory(
        municipality=town,
        email="jan@voorbeeld.nl",
        meeting=MeetingFactory(municipality=town, title="Werksessie"),
        token_hash="1" * 64,
    )
    elsewhere = InvitationFactory(municipality=other_town, email="jan@voorbeeld.nl")
    kind = privacy_requests.kind("invitee")
    (found,) = kind.find(town, "Jan@Voorbeeld.nl")
    assert "2 bijeenkomst" in found.title and "jan@" not in found.ref
    export = privacy_requests.export(municipality=town, actor=officer, kind=kind, ref=found.ref)
    assert len(export["Uitnodigingen"]) == 2 and export["Uitnodigingen"][0]["Naam"] == "Jan Smit"
    assert privacy_requests.erase(
        municipality=town, actor=officer, kind=kind, ref=found.ref, ground="request"
    )
    with scopes_disabled():
        assert not Invitation.objects.filter(municipality=town, email="jan@voorbeeld.nl").exists()
        elsewhere.refresh_from_db()
        mine.refresh_from_db()
    assert elsewhere.email == "jan@voorbeeld.nl" and mine.name == ""
    assert kind.find(town, "jan@voorbeeld.nl") == []
