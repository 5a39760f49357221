"""Logging in: where a login may send the browser, the throttle on password guessing, and
two-factor enrolment that a stolen password alone cannot complete."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.core.roles import Role

from .factories import MunicipalityFactory, member

HOSTILE_TARGETS = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https://evil.example/",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "/%2F%2Fevil.example/",
]


def code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.fixture
def staff(db, settings):
    """Samenstad with only a coordinator and a caseworker, under the demo's names and password:
    for the tests that need no more of the demo."""
    town = MunicipalityFactory(slug="samenstad", name="Samenstad")
    return {
        username: member(town, role, username=username, password=settings.SAMEN_DEMO_PASSWORD)
        for username, role in (("coordinator", Role.COORDINATOR), ("caseworker", Role.CASEWORKER))
    }


def lands_on_this_site(response) -> bool:
    """A path of this site: no scheme, no host, and nothing a browser reads as a host."""
    location = response["Location"].replace("\\", "/")
    parts = urlsplit(location)
    return location.startswith("/") and not location.startswith("//") and not parts.netloc


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_second_factor_sends_nowhere_but_this_site(client, staff, settings, target):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    device = TOTPDevice.objects.create(user=staff["caseworker"], name="app", confirmed=True)
    client.force_login(staff["caseworker"])
    response = client.post(f"/account/code/?next={target}", {"token": code(device)})
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


def test_the_second_factor_goes_back_to_the_page_asked_for(client, staff, settings):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    device = TOTPDevice.objects.create(user=staff["caseworker"], name="app", confirmed=True)
    client.force_login(staff["caseworker"])
    asked = client.get("/samenstad/beheer/signalen/")
    assert asked["Location"] == "/account/code/?next=/samenstad/beheer/signalen/"
    response = client.post(asked["Location"], {"token": code(device)})
    assert response["Location"] == "/samenstad/beheer/signalen/"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_login_sends_nowhere_but_this_site(client, staff, target):
    response = client.post(
        "/inloggen/", {"username": "coordinator", "password": "samen-demo", "next": target}
    )
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_language_switch_sends_nowhere_but_this_site(db, target):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


# --- Login throttle (django-axes, counters in the database) --------------------------------


def fail(client: Client, username: str, path: str = "/inloggen/", **extra):
    return client.post(path, {"username": username, "password": "fout"}, **extra)


def log_in(client: Client, username: str, path: str = "/inloggen/", **extra):
    return client.post(path, {"username": username, "password": "samen-demo"}, **extra)


def test_spellings_of_one_username_count_as_one(staff, settings):
    """Trailing space, capitals and fullwidth letters are the same account to the limit."""
    settings.AXES_FAILURE_LIMIT = 3
    for spelling in ("Caseworker ", "CASEWORKER", "ｃａｓｅｗｏｒｋｅｒ"):
        fail(Client(), spelling)
    response = log_in(Client(), "caseworker")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Te veel inlogpogingen" in body and 'name="username"' in body
    assert "_auth_user_id" not in response.client.session


def test_only_failed_attempts_count_and_a_login_resets_them(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        fail(client, "coordinator")
        fail(client, "coordinator")
        assert log_in(client, "coordinator").status_code == 302
        client.logout()


def test_the_counters_are_not_in_the_cache(staff, settings):
    """An evicted or cleared cache entry must not hand the guesser a fresh set of tries."""
    from django.core.cache import cache

    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        fail(Client(), "coordinator")
    cache.clear()
    assert log_in(Client(), "coordinator").status_code == 429


def test_the_admin_login_is_throttled_like_the_site_login(db, settings):
    from samen.core.models import User

    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_superuser("beheer", "beheer@samen.example", "samen-demo")
    for _ in range(3):
        fail(Client(), "beheer", "/admin/login/")
    response = log_in(Client(), "beheer", "/admin/login/?next=/admin/")
    assert response.status_code == 429
    assert "Te veel inlogpogingen" in response.content.decode()
    # And one limit for both doors: the site login is closed for that name too.
    assert log_in(Client(), "beheer").status_code == 429


# --- Two-factor enrolment: a code handed out by the coordinator, not the password alone -----

ACCOUNTS = "/samenstad/beheer/accounts/"
SETUP = "/account/tweestapsverificatie/"


@pytest.fixture
def required(settings):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True


def password_only(username: str) -> Client:
    client = Client()
    assert log_in(client, username).status_code == 302
    return client


def issue_code(user, username: str) -> str:
    """The coordinator makes an enrolment code for `username` on the accounts page."""
    coordinator = Client()
    coordinator.force_login(user("coordinator"))
    verified_with_app(coordinator, user("coordinator"))
    response = coordinator.post(ACCOUNTS, {"action": "code", "user": user(username).pk})
    assert response.status_code == 200
    import re

    (found,) = re.findall(
        r'<code class="enrolment-code">([A-Z0-9-]+)</code>', response.content.decode()
    )
    return found


def verified_with_app(client: Client, account) -> None:
    """The session as after the second step of login with a confirmed authenticator app."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device, _new = TOTPDevice.objects.get_or_create(
        user=account, name="app", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_a_coordinators_password_alone_hands_out_no_enrolment_codes(samenstad, user, required):
    """Whoever hands out enrolment codes and resets devices needs the second factor too:
    otherwise two stolen passwords (the coordinator's and a caseworker's) open the case files."""
    from samen.core.models import EnrolmentCode

    attacker = password_only("coordinator")
    response = attacker.post(ACCOUNTS, {"action": "code", "user": user("caseworker").pk})
    assert response.status_code == 302 and "/account/" in response["Location"]
    assert not EnrolmentCode.objects.exists()
    TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    attacker.post(ACCOUNTS, {"action": "reset", "user": user("caseworker").pk})
    assert TOTPDevice.objects.filter(user=user("caseworker")).exists()


def confirm_with_app(client: Client, user, username: str):
    device = TOTPDevice.objects.get(user=user(username), confirmed=False)
    return client.post(SETUP, {"token": code(device)})


def test_a_stolen_password_alone_cannot_enrol_an_authenticator(samenstad, user, required):
    attacker = password_only("caseworker")
    page = attacker.get(SETUP)
    body = page.content.decode()
    assert page.status_code == 200 and "Inschakelcode" in body
    assert "otpauth" not in body and "data:image/svg" not in body
    assert not TOTPDevice.objects.filter(user=user("caseworker")).exists()
    response = attacker.post(SETUP, {"code": "AAAA-BBBB-CCCC"})
    assert "Deze inschakelcode klopt niet" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user("caseworker")).exists()
    assert attacker.get("/samenstad/beheer/signalen/").status_code == 302


def test_the_coordinator_hands_out_a_code_and_the_caseworker_enrols(
    samenstad, user, required, mailoutbox, django_capture_on_commit_callbacks
):
    from samen.core.models import AuditEvent, EnrolmentCode

    raw = issue_code(user, "caseworker")
    stored = EnrolmentCode.objects.get(user=user("caseworker"))
    assert raw.replace("-", "") not in stored.code_hash  # only its hash is kept
    assert AuditEvent.objects.filter(
        action="otp.code_issued", object_id=str(user("caseworker").pk)
    ).exists()
    caseworker = password_only("caseworker")
    page = caseworker.post(SETUP, {"code": raw.lower()})
    assert "data:image/svg" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_with_app(caseworker, user, "caseworker").status_code == 302
    assert TOTPDevice.objects.get(user=user("caseworker")).confirmed
    assert caseworker.get("/samenstad/beheer/signalen/").status_code == 200
    (mail,) = [m for m in mailoutbox if "caseworker@samen.example" in m.to]
    assert "tweestapsverificatie" in mail.subject.lower()
    assert AuditEvent.objects.filter(action="otp.device_added").exists()
    # Single use: after a reset the same code does not open enrolment again.
    TOTPDevice.objects.filter(user=user("caseworker")).delete()
    again = password_only("caseworker").post(SETUP, {"code": raw})
    assert "Deze inschakelcode klopt niet" in again.content.decode()


def test_an_enrolment_code_expires_after_seven_days(samenstad, user, required):
    import time_machine
    from django.utils import timezone

    raw = issue_code(user, "caseworker")
    with time_machine.travel(timezone.now() + timezone.timedelta(days=7, minutes=1)):
        response = password_only("caseworker").post(SETUP, {"code": raw})
    assert "Deze inschakelcode klopt niet" in response.content.decode()


def test_a_coordinator_hands_out_codes_only_in_their_own_municipality(samenstad, user):
    coordinator = Client()
    coordinator.force_login(user("coordinator"))
    other = user("caseworker-tweestad")
    for action in ("code", "reset"):
        response = coordinator.post(ACCOUNTS, {"action": action, "user": other.pk})
        assert response.status_code == 404
    assert not other.enrolment_codes.exists()
    partner = Client()
    partner.force_login(user("partner"))
    assert (
        partner.post(ACCOUNTS, {"action": "code", "user": user("caseworker").pk}).status_code == 403
    )


def test_the_coordinator_resets_a_lost_device(
    samenstad, user, required, mailoutbox, django_capture_on_commit_callbacks
):
    from samen.core.models import AuditEvent

    TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    coordinator = Client()
    coordinator.force_login(user("coordinator"))
    verified_with_app(coordinator, user("coordinator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(ACCOUNTS, {"action": "reset", "user": user("caseworker").pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user("caseworker")).exists()
    assert AuditEvent.objects.filter(action="otp.device_reset").exists()
    assert any("caseworker@samen.example" in m.to for m in mailoutbox)
    # The caseworker must enrol again, with a new code.
    page = password_only("caseworker").get(SETUP)
    assert "Inschakelcode" in page.content.decode()


def test_the_accounts_page_shows_who_has_two_factor_login(samenstad, user):
    TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    coordinator = Client()
    coordinator.force_login(user("coordinator"))
    body = coordinator.get(ACCOUNTS).content.decode()
    assert "Joost" in body and "Henk" not in body  # Tweestad's caseworker is not listed


def test_an_administrator_issues_a_code_from_the_command_line(samenstad, user, required):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("enrolment_code", "caseworker", stdout=out, stderr=StringIO())
    raw = out.getvalue().strip().splitlines()[-1]
    caseworker = password_only("caseworker")
    assert "data:image/svg" in caseworker.post(SETUP, {"code": raw}).content.decode()
    assert confirm_with_app(caseworker, user, "caseworker").status_code == 302


# --- Superusers: two-factor login everywhere, the admin included ---------------------------


@pytest.fixture
def superuser(db):
    from samen.core.models import User

    return User.objects.create_superuser("beheer", "beheer@samen.example", "samen-demo")


def test_the_admin_needs_a_second_factor(superuser):
    client = password_only("beheer")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # The admin's own login form asks for the code too: the password alone does not open it.
    admin_login = Client().post(
        "/admin/login/?next=/admin/", {"username": "beheer", "password": "samen-demo"}
    )
    assert admin_login.status_code == 200
    assert Client().get("/admin/core/user/").status_code == 302


def test_a_superuser_with_the_second_factor_reaches_the_admin(superuser):
    device = TOTPDevice.objects.create(user=superuser, name="app", confirmed=True)
    client = password_only("beheer")
    assert (
        client.post("/account/code/?next=/admin/", {"token": code(device)})["Location"] == "/admin/"
    )
    assert client.get("/admin/").status_code == 200


def test_a_superuser_needs_the_second_factor_on_staff_pages_too(staff, superuser):
    """Even where caseworkers need none (the demo), a superuser does."""
    TOTPDevice.objects.create(user=superuser, name="app", confirmed=True)
    client = password_only("beheer")
    assert client.get("/samenstad/beheer/")["Location"].startswith("/account/code/")
    api = client.get("/api/v1/municipalities/samenstad/cases")
    assert api.status_code == 403
