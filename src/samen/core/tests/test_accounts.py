"""The coordinator's accounts pages (issue #15): invite, who has access, change a role,
deactivate and reactivate, reset a password; and what an attacker gets out of them."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from samen.core.models import (
    ApiToken,
    AuditEvent,
    DeactivatedMembership,
    Invitation,
    Membership,
    User,
)
from samen.core.roles import Role

from .factories import (
    PASSWORD,
    MunicipalityFactory,
    OrganisationFactory,
    bearer,
    member,
)

INVITE = "/samenstad/beheer/accounts/uitnodigen/"
ACCOUNTS = "/samenstad/beheer/accounts/"


@pytest.fixture
def town(db):
    """Samenstad with a coordinator, a caseworker and a library; Tweestad with a coordinator."""
    samenstad = MunicipalityFactory(slug="samenstad", name="Samenstad")
    tweestad = MunicipalityFactory(slug="tweestad", name="Tweestad")
    library = OrganisationFactory(municipality=samenstad, name="Bibliotheek", slug="bieb")
    other_library = OrganisationFactory(municipality=tweestad, name="Bieb Tweestad", slug="bieb")
    return {
        "samenstad": samenstad,
        "tweestad": tweestad,
        "library": library,
        "other_library": other_library,
        "coordinator": member(samenstad, Role.COORDINATOR, username="regisseur"),
        "caseworker": member(samenstad, Role.CASEWORKER, username="mw"),
        "partner": member(samenstad, Role.PARTNER, organisation=library, username="bieb"),
        "other_coordinator": member(tweestad, Role.COORDINATOR, username="regisseur-twee"),
    }


def as_(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(client: Client, capture, **fields):
    data = {"email": "a.smit@samenstad.nl", "first_name": "Anna", "last_name": "Smit"}
    data.update({"role": "caseworker", **fields})
    with capture(execute=True):
        return client.post(INVITE, data)


def link_in(mail) -> str:
    return urlsplit(re.search(r"https?://\S+/account/uitnodiging/\S+/", mail.body).group(0)).path


def test_the_coordinator_invites_and_the_invitee_sets_a_password(
    town, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://samen.samenstad.nl"
    response = invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["a.smit@samenstad.nl"]
    assert "https://samen.samenstad.nl/account/uitnodiging/" in mail.body
    assert "Maatschappelijk werker" in mail.body
    invitation = Invitation.objects.get()
    assert not invitation.sso and invitation.token_hash not in mail.body
    path = link_in(mail)
    visitor = Client()
    assert "Kies een wachtwoord" in visitor.get(path).content.decode()
    weak = visitor.post(path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    done = visitor.post(
        path,
        {"new_password1": "lange-zin-als-wachtwoord", "new_password2": "lange-zin-als-wachtwoord"},
    )
    assert done.status_code == 302
    user = User.objects.get(email="a.smit@samenstad.nl")
    assert user.username == "a.smit@samenstad.nl" and user.check_password(
        "lange-zin-als-wachtwoord"
    )
    assert user.role_in(town["samenstad"]) == Role.CASEWORKER
    assert AuditEvent.objects.filter(action="account.invited", actor=town["coordinator"]).exists()
    assert AuditEvent.objects.filter(action="account.invitation_accepted", actor=user).exists()
    # The link worked once.
    again = Client().post(path, {"new_password1": "x-y-z-w-v-u", "new_password2": "x-y-z-w-v-u"})
    assert again.status_code == 404 and User.objects.filter(email__iexact=user.email).count() == 1


def test_an_expired_invitation_does_not_work(town, mailoutbox, django_capture_on_commit_callbacks):
    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        page = Client().get(path)
        assert page.status_code == 404
        assert "werkt niet" in page.content.decode()
        post = Client().post(
            path, {"new_password1": "lange-zin-1234", "new_password2": "lange-zin-1234"}
        )
        assert post.status_code == 404
    assert not User.objects.filter(email="a.smit@samenstad.nl").exists()


def test_a_guessed_token_finds_nothing(town):
    assert Client().get("/account/uitnodiging/niet-echt/").status_code == 404
    assert Client().get("/account/uitnodiging/" + "a" * 300 + "/").status_code == 404


def test_an_existing_user_gets_the_membership_not_a_second_account(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    """The coordinator of Tweestad invites Samenstad's caseworker (same e-mail address)."""
    caseworker = town["caseworker"]
    client = as_(town["other_coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/tweestad/beheer/accounts/uitnodigen/",
            {"email": caseworker.email.upper(), "first_name": "Sam", "role": "caseworker"},
        )
    path = link_in(mailoutbox[0])
    # Not logged in: to the login form first.
    first = Client().get(path)
    assert first.status_code == 302 and first["Location"].startswith("/inloggen/")
    # Logged in as someone else: refused, nothing changes.
    wrong = as_(town["partner"]).post(path)
    assert wrong.status_code == 403
    assert caseworker.role_in(town["tweestad"]) is None
    accepted = as_(caseworker).post(path)
    assert accepted.status_code == 302
    assert User.objects.filter(email__iexact=caseworker.email).count() == 1
    assert (
        Membership.objects.get(user=caseworker, municipality=town["tweestad"]).role == "caseworker"
    )


def test_a_coordinator_of_tweestad_cannot_invite_into_samenstad(town, mailoutbox):
    response = as_(town["other_coordinator"]).post(
        INVITE, {"email": "x@y.nl", "first_name": "X", "role": "coordinator"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists() and mailoutbox == []


def test_a_partner_cannot_use_the_accounts_pages(town):
    partner = as_(town["partner"])
    for url in (ACCOUNTS, INVITE, f"{ACCOUNTS}{town['caseworker'].pk}/"):
        assert partner.get(url).status_code == 403
    assert (
        partner.post(
            INVITE, {"email": "x@y.nl", "first_name": "X", "role": "coordinator"}
        ).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_an_organisation_of_another_municipality_is_refused(
    town, django_capture_on_commit_callbacks
):
    response = invite(
        as_(town["coordinator"]),
        django_capture_on_commit_callbacks,
        role="partner",
        organisation=town["other_library"].pk,
    )
    assert response.status_code == 200
    assert "Kies een organisatie van uw gemeente" in response.content.decode()
    assert not Invitation.objects.exists()


def test_municipal_staff_have_no_organisation(town, django_capture_on_commit_callbacks):
    response = invite(
        as_(town["coordinator"]),
        django_capture_on_commit_callbacks,
        role="caseworker",
        organisation=town["library"].pk,
    )
    assert response.status_code == 200 and not Invitation.objects.exists()


def test_the_privacy_officer_can_be_invited(town, mailoutbox, django_capture_on_commit_callbacks):
    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks, role="privacy_officer")
    assert Invitation.objects.get().role == Role.PRIVACY_OFFICER


def test_one_invitation_mail_per_address_per_hour(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    # Another municipality's coordinator, the same address: not another mail within the hour.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(town["other_coordinator"]).post(
            "/tweestad/beheer/accounts/uitnodigen/",
            {"email": "A.Smit@samenstad.nl", "first_name": "Anna", "role": "caseworker"},
        )
    assert response.status_code == 200 and "afgelopen uur" in response.content.decode()
    # Re-sending straight away is refused too.
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        as_(town["coordinator"]).post(ACCOUNTS, {"action": "resend", "invitation": invitation.pk})
    assert len(mailoutbox) == 1


def test_invitations_per_coordinator_are_limited(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    from samen.core.account_services import INVITES_PER_HOUR

    client = as_(town["coordinator"])
    for n in range(INVITES_PER_HOUR):
        invite(client, django_capture_on_commit_callbacks, email=f"persoon{n}@samenstad.nl")
    response = invite(client, django_capture_on_commit_callbacks, email="een-te-veel@samenstad.nl")
    assert response.status_code == 200 and "Probeer het later" in response.content.decode()
    assert len(mailoutbox) == INVITES_PER_HOUR


def test_resend_gives_a_new_link_and_withdraw_ends_it(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    client = as_(town["coordinator"])
    invite(client, django_capture_on_commit_callbacks)
    first = link_in(mailoutbox[0])
    invitation = Invitation.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                client.post(ACCOUNTS, {"action": "resend", "invitation": invitation.pk}).status_code
                == 302
            )
        second = link_in(mailoutbox[1])
        assert Client().get(first).status_code == 404
        assert Client().get(second).status_code == 200
        assert (
            client.post(ACCOUNTS, {"action": "withdraw", "invitation": invitation.pk}).status_code
            == 302
        )
        assert Client().get(second).status_code == 404
    assert AuditEvent.objects.filter(action="account.invitation_withdrawn").exists()


def test_tweestad_cannot_withdraw_samenstads_invitation(town, django_capture_on_commit_callbacks):
    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    response = as_(town["other_coordinator"]).post(
        "/tweestad/beheer/accounts/", {"action": "withdraw", "invitation": invitation.pk}
    )
    assert response.status_code == 404 and Invitation.objects.exists()


def test_the_accounts_page_shows_who_has_access(town, django_capture_on_commit_callbacks):
    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    page = as_(town["coordinator"]).get(ACCOUNTS).content.decode()
    for text in (
        "mw",
        "Bibliotheek",
        "nog nooit",
        "a.smit@samenstad.nl",
        "Opnieuw sturen",
        "actief",
    ):
        assert text in page
    assert "regisseur-twee" not in page


def test_the_coordinator_changes_a_role(town):
    client = as_(town["coordinator"])
    url = f"{ACCOUNTS}{town['caseworker'].pk}/"
    response = client.post(
        url, {"action": "role", "role": "partner", "organisation": town["library"].pk}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=town["caseworker"])
    assert membership.role == "partner" and membership.organisation == town["library"]
    event = AuditEvent.objects.get(action="account.role_changed")
    assert event.detail["before"] == "caseworker" and event.detail["after"] == "partner"


def test_the_last_coordinator_stays(town):
    client = as_(town["coordinator"])
    own = f"{ACCOUNTS}{town['coordinator'].pk}/"
    client.post(own, {"action": "role", "role": "caseworker"})
    client.post(own, {"action": "deactivate"})
    assert town["coordinator"].role_in(town["samenstad"]) == Role.COORDINATOR
    # A second coordinator may not take the first one's role away if it is the last either.
    second = member(town["samenstad"], Role.COORDINATOR, username="regisseur-2")
    as_(second).post(own, {"action": "deactivate"})
    assert not Membership.objects.filter(user=town["coordinator"]).exists()
    response = as_(second).post(f"{ACCOUNTS}{second.pk}/", {"action": "deactivate"})
    assert Membership.objects.filter(user=second).exists() and response.status_code == 302


def test_deactivation_ends_access_tokens_and_sessions_and_can_be_undone(town):
    caseworker = town["caseworker"]
    headers = bearer(caseworker)
    session = as_(caseworker)
    assert session.get("/samenstad/beheer/").status_code == 200
    assert Client().get("/api/v1/municipalities/samenstad/cases", **headers).status_code == 200
    response = as_(town["coordinator"]).post(
        f"{ACCOUNTS}{caseworker.pk}/", {"action": "deactivate"}
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active  # no other membership: the account is off
    assert session.get("/samenstad/beheer/").status_code == 302  # logged out
    assert Client().get("/api/v1/municipalities/samenstad/cases", **headers).status_code == 401
    refused = Client().post("/inloggen/", {"username": "mw", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.detail["user_switched_off"] and event.detail["sessions_ended"] == 1
    page = as_(town["coordinator"]).get(ACCOUNTS).content.decode()
    assert "Weer toegang geven" in page
    as_(town["coordinator"]).post(ACCOUNTS, {"action": "reactivate", "user": caseworker.pk})
    caseworker.refresh_from_db()
    assert caseworker.is_active and caseworker.role_in(town["samenstad"]) == Role.CASEWORKER
    assert not DeactivatedMembership.objects.exists()
    # Tokens revoked at deactivation stay revoked.
    assert not ApiToken.objects.filter(user=caseworker, revoked_at__isnull=True).exists()


def test_a_user_with_another_municipality_keeps_that_one(town):
    caseworker = town["caseworker"]
    Membership.objects.create(user=caseworker, municipality=town["tweestad"], role="caseworker")
    as_(town["coordinator"]).post(f"{ACCOUNTS}{caseworker.pk}/", {"action": "deactivate"})
    caseworker.refresh_from_db()
    assert caseworker.is_active
    assert caseworker.role_in(town["tweestad"]) == Role.CASEWORKER
    assert not Membership.objects.filter(user=caseworker, municipality=town["samenstad"]).exists()


def test_tweestad_cannot_touch_samenstads_members(town):
    client = as_(town["other_coordinator"])
    pk = town["caseworker"].pk
    for action in ("deactivate", "password", "role"):
        response = client.post(
            f"/tweestad/beheer/accounts/{pk}/", {"action": action, "role": "coordinator"}
        )
        assert response.status_code == 404
    assert (
        client.post("/tweestad/beheer/accounts/", {"action": "reactivate", "user": pk}).status_code
        == 404
    )
    assert town["caseworker"].role_in(town["samenstad"]) == Role.CASEWORKER


def test_the_coordinator_resets_a_password_by_email(
    town, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://samen.samenstad.nl"
    partner = town["partner"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(town["coordinator"]).post(f"{ACCOUNTS}{partner.pk}/", {"action": "password"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == [partner.email]
    assert "https://samen.samenstad.nl/account/wachtwoord-vergeten/" in mail.body
    partner.refresh_from_db()
    assert partner.check_password(PASSWORD)  # nothing set: the old one works until changed
    assert AuditEvent.objects.filter(
        action="account.password_reset_sent", actor=town["coordinator"]
    ).exists()
    link = urlsplit(re.search(r"https://\S+/wachtwoord-vergeten/\S+/\S+/", mail.body).group(0)).path
    visitor = Client()
    form = visitor.get(link, follow=True)
    assert "Nieuw wachtwoord kiezen" in form.content.decode()
    done = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "nieuwe-lange-zin-42", "new_password2": "nieuwe-lange-zin-42"},
    )
    assert done.status_code == 302
    partner.refresh_from_db()
    assert partner.check_password("nieuwe-lange-zin-42")


def test_sso_only_accounts_have_no_password_to_reset(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    caseworker = town["caseworker"]
    caseworker.set_unusable_password()
    caseworker.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_(town["coordinator"]).post(f"{ACCOUNTS}{caseworker.pk}/", {"action": "password"})
    assert mailoutbox == []


def test_invitations_lapse_and_are_purged(town, django_capture_on_commit_callbacks):
    from samen.core.account_services import purge_invitations

    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        assert purge_invitations() == 0
        page = as_(town["coordinator"]).get(ACCOUNTS).content.decode()
        assert "verlopen" in page
    with time_machine.travel(timezone.now() + dt.timedelta(days=38)):
        assert purge_invitations() == 1
    assert not Invitation.objects.exists()


def test_the_privacy_officer_finds_exports_and_erases_an_invitation(
    town, django_capture_on_commit_callbacks
):
    from samen.core import privacy_requests
    from samen.core.privacy_requests import Ground

    invite(as_(town["coordinator"]), django_capture_on_commit_callbacks)
    fg = member(town["samenstad"], Role.PRIVACY_OFFICER, username="fg")
    kind = privacy_requests.kind("invitation")
    (found,) = kind.find(town["samenstad"], "A.Smit@samenstad.nl")
    assert kind.find(town["tweestad"], "a.smit@samenstad.nl") == []
    exported = kind.export(town["samenstad"], found.ref, fg)
    assert "a.smit@samenstad.nl" in exported.values()
    with pytest.raises(PermissionDenied):
        kind.erase(town["samenstad"], found.ref, town["caseworker"], Ground.values[0])
    assert kind.erase(town["samenstad"], found.ref, fg, Ground.values[0])
    assert not Invitation.objects.exists()


def test_someone_whose_access_was_ended_is_given_it_back_not_invited(
    town, django_capture_on_commit_callbacks
):
    caseworker = town["caseworker"]
    as_(town["coordinator"]).post(f"{ACCOUNTS}{caseworker.pk}/", {"action": "deactivate"})
    response = invite(
        as_(town["coordinator"]), django_capture_on_commit_callbacks, email=caseworker.email
    )
    assert response.status_code == 200 and "Toegang beëindigd" in response.content.decode()
    assert not Invitation.objects.exists()
