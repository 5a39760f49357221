"""Invitations: colleagues by address (the guide's 'betrekken collega's' mail), partners from
the longlist (another mail); sent by the worker, each with its own answer link."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from samen.partners.tests.factories import PartnerFactory
from samen.workshops import services
from samen.workshops.models import Invitation

from .factories import MeetingFactory

BASE = "/samenstad/beheer/bijeenkomsten/"


@pytest.fixture
def exercise(town):
    return MeetingFactory(municipality=town, format="colleagues", title="Oefening met collega's")


def test_colleagues_get_the_guides_mail_with_their_own_link(
    staff, exercise, django_capture_on_commit_callbacks
):
    form = staff.get(f"{BASE}{exercise.pk}/uitnodigen/").content.decode()
    assert "Beste collega&#x27;s," in form and "Werkgeversservicepunt" in form
    assert "Fatima" in form  # the sender under the text
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{BASE}{exercise.pk}/uitnodigen/",
            {
                "emails": "p.devries@samenstad.nl, A.Yilmaz@samenstad.nl\np.devries@samenstad.nl",
                "subject": "Uitnodiging oefening",
                "message": "Beste collega's,\n\nKomen jullie ook?",
            },
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a.yilmaz@samenstad.nl",
        "p.devries@samenstad.nl",
    ]
    links = [re.search(r"/samenstad/uitnodiging/([\w-]+)/", m.body).group(1) for m in mail.outbox]
    assert len(set(links)) == 2
    assert "Beste collega's" in mail.outbox[0].body and "Wanneer:" in mail.outbox[0].body
    with scopes_disabled():
        rows = list(Invitation.objects.all())
    assert {r.kind for r in rows} == {"colleague"} and all(r.sent_at for r in rows)
    stored = {r.token_hash for r in rows}
    assert stored == {Invitation.hash_token(t) for t in links} and not set(links) & stored
    detail = staff.get(f"{BASE}{exercise.pk}/").content.decode()
    assert "p.devries@samenstad.nl" in detail and "nog geen antwoord" in detail


def test_an_address_is_invited_once(staff, exercise, django_capture_on_commit_callbacks):
    data = {"emails": "a@samenstad.nl", "subject": "Uitnodiging", "message": "Welkom"}
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{BASE}{exercise.pk}/uitnodigen/", data)
        again = staff.post(f"{BASE}{exercise.pk}/uitnodigen/", data, follow=True)
    assert "Al eerder uitgenodigd: a@samenstad.nl." in again.content.decode()
    assert len(mail.outbox) == 1


def test_wrong_addresses_get_a_dutch_error(staff, exercise):
    response = staff.post(
        f"{BASE}{exercise.pk}/uitnodigen/",
        {"emails": "goed@samenstad.nl, fout@, <script>", "subject": "U", "message": "M"},
    )
    page = response.content.decode()
    assert (
        response.status_code == 200 and "Deze adressen kloppen niet: fout@, &lt;script&gt;." in page
    )
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_partners_are_picked_from_the_longlist(staff, town, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(municipality=town, format="inspiration")
    shop = PartnerFactory(municipality=town, contact_email="johan@buurtmarkt.nl")
    silent = PartnerFactory(municipality=town, contact_email="")
    silent.organisation.email = ""
    silent.organisation.save()
    form = staff.get(f"{BASE}{meeting.pk}/uitnodigen/").content.decode()
    assert shop.organisation.name in form and "geen e-mailadres" in form
    assert "Geachte heer/mevrouw" in form and "Beste collega" not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{BASE}{meeting.pk}/uitnodigen/",
            {"partners": [shop.pk, silent.pk], "subject": "Uitnodiging", "message": "Welkom"},
            follow=True,
        )
    assert "Geen e-mailadres bekend, niet uitgenodigd" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["johan@buurtmarkt.nl"]]
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert invitation.partner_id == shop.pk and invitation.kind == "partner"


def test_the_colleagues_mail_goes_to_colleagues_not_to_businesses(coordinator, town):
    inspiration = MeetingFactory(municipality=town, format="inspiration")
    exercise = MeetingFactory(municipality=town, format="colleagues")
    with pytest.raises(ValidationError):
        services.invite_colleagues(
            meeting=inspiration, actor=coordinator, emails=["a@b.nl"], subject="U", message="M"
        )
    partner = PartnerFactory(municipality=town, contact_email="x@y.nl")
    with pytest.raises(ValidationError):
        services.invite_partners(
            meeting=exercise, actor=coordinator, partner_ids=[partner.pk], subject="U", message="M"
        )


def test_a_partner_of_another_municipality_cannot_be_invited(
    staff, town, other_town, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(municipality=town, format="working_session")
    theirs = PartnerFactory(municipality=other_town, contact_email="x@tweestad.nl")
    response = staff.post(
        f"{BASE}{meeting.pk}/uitnodigen/",
        {"partners": [theirs.pk], "subject": "U", "message": "M"},
    )
    assert (
        response.status_code == 200
        and "Kies een van de mogelijkheden." in response.content.decode()
    )
    assert mail.outbox == []


def test_no_invitations_after_the_meeting(coordinator, town):
    from django.utils import timezone

    past = MeetingFactory(
        municipality=town,
        format="colleagues",
        starts_at=timezone.now() - timezone.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        services.invite_colleagues(
            meeting=past, actor=coordinator, emails=["a@b.nl"], subject="U", message="M"
        )


def test_a_refused_mail_is_kept_with_its_error(
    staff, exercise, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "samen.workshops.tests.test_invitations.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"{BASE}{exercise.pk}/uitnodigen/",
            {"emails": "a@samenstad.nl", "subject": "U", "message": "M"},
        )
    with scopes_disabled():
        row = Invitation.objects.get()
    assert row.sent_at is None and row.token_hash == "" and "weigert" in row.error
    assert "niet verstuurd" in staff.get(f"{BASE}{exercise.pk}/").content.decode()


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("server weigert")
