"""Single sign-on against a real OpenID Connect provider (django-oidc-provider), started in a
subprocess on a free local port: Samen's login redirect, the provider's login form, its consent
page, the callback, and Samen's session with the role the provider's groups map to. No
internet; it takes a few seconds (the provider migrates its SQLite database first)."""

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from samen.core import oidc
from samen.core.models import AuditEvent, DeactivatedMembership, Invitation, Membership, User
from samen.core.roles import Role

from .factories import MembershipFactory, MunicipalityFactory, UserFactory

SRC = Path(__file__).resolve().parents[3]
CALLBACK = "http://testserver/account/sso/callback/"
PEOPLE = [
    # Caseworker of Samenstad's Signaalpunt; her IdP does not do MFA.
    {
        "username": "jdevries",
        "password": "gemeente-wachtwoord-1",
        "email": "j.devries@samenstad.nl",
        "first_name": "Joke",
        "last_name": "de Vries",
        "groups": ["samenstad-signaalpunt"],
    },
    # A coordinator whose login at the provider had a second factor (amr: otp).
    {
        "username": "pbakker",
        "password": "gemeente-wachtwoord-2",
        "email": "p.bakker@samenstad.nl",
        "first_name": "Peter",
        "last_name": "Bakker",
        "groups": ["samenstad-regie", "mfa"],
    },
    # In no group that Samen maps.
    {
        "username": "kjansen",
        "password": "gemeente-wachtwoord-3",
        "email": "k.jansen@samenstad.nl",
        "first_name": "Kees",
        "last_name": "Jansen",
        "groups": ["samenstad-burgerzaken"],
    },
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The running provider: its base URL; ended when the module's tests are done."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "samen.core.tests.oidc_provider.settings",
        "PYTHONPATH": str(SRC),
    }
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "oidc_provider" / "serve.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    spec = {
        "users": PEOPLE,
        "client_id": "samen-test",
        "client_secret": "samen-test-secret",
        "redirect_uris": [CALLBACK],
    }
    assert process.stdin and process.stdout
    process.stdin.write(json.dumps(spec) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    assert line.startswith("READY"), line
    yield f"http://127.0.0.1:{line.split()[1]}"
    process.stdin.close()
    process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    base = provider + "/openid"
    settings.OIDC_RP_CLIENT_ID = "samen-test"
    settings.OIDC_RP_CLIENT_SECRET = "samen-test-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = base + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = base + "/token"
    settings.OIDC_OP_USER_ENDPOINT = base + "/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = base + "/jwks"
    settings.SAMEN_OIDC_ISSUER = base
    settings.SAMEN_OIDC_GROUPS = (
        "samenstad-signaalpunt=samenstad:caseworker,samenstad-regie=samenstad:coordinator"
    )
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    return provider


@pytest.fixture
def samenstad(db):
    municipality = MunicipalityFactory(slug="samenstad", name="Samenstad")
    MembershipFactory(municipality=municipality, role=Role.COORDINATOR)  # someone to invite
    return municipality


def hidden_inputs(page: str) -> dict:
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input name="([^"]+)" type="hidden" value="([^"]*)"', page)
    }


def log_in_at_provider(samen: Client, who: dict, start: str = "/account/sso/authenticate/"):
    """The browser's way: Samen -> provider login -> consent -> back to Samen's callback."""
    redirect = samen.get(start)
    assert redirect.status_code == 302, redirect
    authorize = redirect["Location"]
    browser = requests.Session()
    browser.trust_env = False
    login = browser.get(authorize, timeout=10)  # the provider's login form
    assert "/login/" in login.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', login.text).group(1)
    consent = browser.post(
        login.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": who["username"],
            "password": who["password"],
            "next": html.unescape(next_url),
        },
        timeout=10,
    )
    assert "Request for Permission" in consent.text, consent.text[:500]
    form = hidden_inputs(consent.text)
    form["csrfmiddlewaretoken"] = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', consent.text
    ).group(1)
    form["allow"] = "Authorize"
    back = browser.post(
        urlsplit(authorize)._replace(query="").geturl(),
        data=form,
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302 and back.headers["Location"].startswith(CALLBACK)
    callback = urlsplit(back.headers["Location"])
    return samen.get(f"{callback.path}?{callback.query}")


def test_the_login_page_offers_the_municipality_account(sso, samenstad):
    page = Client().get("/inloggen/").content.decode()
    assert "Inloggen met uw gemeente-account" in page
    assert "Wachtwoord vergeten?" in page


def test_without_configuration_there_is_no_sso(db, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert "gemeente-account" not in Client().get("/inloggen/").content.decode()
    assert Client().get("/account/sso/authenticate/").status_code == 404


def test_a_caseworker_logs_in_with_the_municipality_account_and_gets_the_mapped_role(
    sso, samenstad
):
    samen = Client()
    response = log_in_at_provider(samen, PEOPLE[0])
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = User.objects.get(email="j.devries@samenstad.nl")
    assert user.get_full_name() == "Joke de Vries"
    assert not user.has_usable_password()
    assert user.oidc_subject
    membership = Membership.objects.get(user=user, municipality=samenstad)
    assert membership.role == Role.CASEWORKER and membership.via_sso
    # Her provider did no MFA: Samen's own second factor is still asked for the case files.
    queue = samen.get("/samenstad/beheer/signalen/")
    assert queue.status_code == 302 and "/account/code/" in queue["Location"]
    assert AuditEvent.objects.filter(action="account.sso_membership_set", object_id=str(user.pk))


def test_the_providers_mfa_counts_as_the_second_factor(sso, samenstad):
    samen = Client()
    log_in_at_provider(samen, PEOPLE[1])
    user = User.objects.get(email="p.bakker@samenstad.nl")
    assert user.role_in(samenstad) == Role.COORDINATOR
    assert samen.get("/samenstad/beheer/accounts/").status_code == 200


def test_groups_that_no_longer_map_take_the_membership_away_at_next_login(sso, samenstad):
    log_in_at_provider(Client(), PEOPLE[0])
    user = User.objects.get(email="j.devries@samenstad.nl")
    assert user.role_in(samenstad) == Role.CASEWORKER
    # The municipality renames the group in the provider; Samen's mapping no longer has it.
    from django.conf import settings

    settings.SAMEN_OIDC_GROUPS = "samenstad-regie=samenstad:coordinator"
    samen = Client()
    log_in_at_provider(samen, PEOPLE[0])
    assert not Membership.objects.filter(user=user).exists()
    assert samen.get("/samenstad/beheer/").status_code == 404


def test_unmapped_staff_log_in_without_any_access(sso, samenstad):
    samen = Client()
    log_in_at_provider(samen, PEOPLE[2])
    user = User.objects.get(email="k.jansen@samenstad.nl")
    assert not user.memberships.exists()
    assert "nog niet gekoppeld" in samen.get("/account/").content.decode()


def test_a_deactivated_user_cannot_log_in_with_the_municipality_account(sso, samenstad):
    log_in_at_provider(Client(), PEOPLE[0])
    user = User.objects.get(email="j.devries@samenstad.nl")
    user.is_active = False
    user.save()
    samen = Client()
    response = log_in_at_provider(samen, PEOPLE[0])
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert "_auth_user_id" not in samen.session


def test_a_coordinator_deactivation_is_not_undone_by_the_groups(sso, samenstad):
    log_in_at_provider(Client(), PEOPLE[0])
    user = User.objects.get(email="j.devries@samenstad.nl")
    DeactivatedMembership.objects.create(user=user, municipality=samenstad, role="caseworker")
    Membership.objects.filter(user=user).delete()
    log_in_at_provider(Client(), PEOPLE[0])
    assert not Membership.objects.filter(user=user).exists()


def test_an_invited_caseworker_accepts_by_logging_in_at_the_provider(
    sso, samenstad, mailoutbox, django_capture_on_commit_callbacks
):
    """The Done-when of #15: the coordinator invites, the caseworker follows the e-mail's link
    and logs in through the provider, and is a caseworker of Samenstad."""
    from django.conf import settings

    settings.SAMEN_OIDC_GROUPS = "samenstad-regie=samenstad:coordinator"  # no group for her
    coordinator = User.objects.get(memberships__role=Role.COORDINATOR)
    admin = Client()
    admin.force_login(coordinator)
    session = admin.session
    session[oidc.IDP_MFA_SESSION_KEY] = coordinator.pk  # as after an SSO login with MFA
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/samenstad/beheer/accounts/uitnodigen/",
            {
                "email": "J.deVries@samenstad.nl",
                "first_name": "Joke",
                "last_name": "de Vries",
                "role": "caseworker",
            },
        )
    assert response.status_code == 302
    assert Invitation.objects.get().sso
    (mail,) = mailoutbox
    assert "gemeente-account" in mail.body
    link = re.search(r"http://\S+/account/uitnodiging/\S+/", mail.body).group(0)
    path = urlsplit(link).path
    samen = Client()
    page = samen.get(path)
    assert "Inloggen met uw gemeente-account" in page.content.decode()
    go = samen.post(path)
    assert go.status_code == 302 and go["Location"].startswith("/account/sso/authenticate/")
    log_in_at_provider(samen, PEOPLE[0], start=go["Location"])
    user = User.objects.get(email="j.devries@samenstad.nl")
    membership = Membership.objects.get(user=user, municipality=samenstad)
    assert membership.role == Role.CASEWORKER and not membership.via_sso
    assert not Invitation.objects.exists()
    # The link was used: it works no more.
    assert Client().get(path).status_code == 404


def test_a_token_for_another_client_is_refused(sso, samenstad, settings):
    """The provider signs the ID token for `samen-test`; a Samen configured as another client
    (same provider) must not accept it."""
    backend = oidc.SamenOIDCBackend()
    import jwt as pyjwt

    token = pyjwt.encode({"aud": "someone-else", "sub": "1"}, "k" * 32, algorithm="HS256")
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_RP_CLIENT_SECRET = "k" * 32
    backend = oidc.SamenOIDCBackend()
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=None)


def test_a_wrong_group_mapping_stops_with_a_clear_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SAMEN_OIDC_GROUPS = "partners=samenstad:partner"  # partners keep their password
    with pytest.raises(ImproperlyConfigured):
        oidc.group_mapping()


def test_a_password_user_keeps_the_password_login(sso, samenstad):
    partner = UserFactory(username="bieb", password="een-goed-wachtwoord-9")
    MembershipFactory(user=partner, municipality=samenstad, role=Role.PARTNER)
    client = Client()
    response = client.post("/inloggen/", {"username": "bieb", "password": "een-goed-wachtwoord-9"})
    assert response.status_code == 302


def test_an_administrators_account_is_never_linked_by_email(sso, samenstad):
    admin = UserFactory(username="beheerder", email="p.bakker@samenstad.nl", is_superuser=True)
    log_in_at_provider(Client(), PEOPLE[1])
    admin.refresh_from_db()
    assert admin.oidc_subject is None
    assert User.objects.get(oidc_subject__isnull=False).pk != admin.pk
