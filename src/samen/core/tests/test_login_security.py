"""Logging in: where a login may send the browser, the throttle on password guessing, and
two-factor enrolment that a stolen password alone cannot complete."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def lands_on_this_site(response) -> bool:
    """A path of this site: no scheme, no host, and nothing a browser reads as a host."""
    location = response["Location"].replace("\\", "/")
    parts = urlsplit(location)
    return location.startswith("/") and not location.startswith("//") and not parts.netloc


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_second_factor_sends_nowhere_but_this_site(client, samenstad, user, settings, target):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    device = TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    client.force_login(user("caseworker"))
    response = client.post(f"/account/code/?next={target}", {"token": code(device)})
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


def test_the_second_factor_goes_back_to_the_page_asked_for(client, samenstad, user, settings):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    device = TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    client.force_login(user("caseworker"))
    asked = client.get("/samenstad/beheer/signalen/")
    assert asked["Location"] == "/account/code/?next=/samenstad/beheer/signalen/"
    response = client.post(asked["Location"], {"token": code(device)})
    assert response["Location"] == "/samenstad/beheer/signalen/"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_login_sends_nowhere_but_this_site(client, samenstad, target):
    response = client.post(
        "/inloggen/", {"username": "coordinator", "password": "samen-demo", "next": target}
    )
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_language_switch_sends_nowhere_but_this_site(samenstad, target):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response), response["Location"]


# --- Login throttle (django-axes, counters in the database) --------------------------------


def fail(client: Client, username: str, path: str = "/inloggen/", **extra):
    return client.post(path, {"username": username, "password": "fout"}, **extra)


def log_in(client: Client, username: str, path: str = "/inloggen/", **extra):
    return client.post(path, {"username": username, "password": "samen-demo"}, **extra)


def test_spellings_of_one_username_count_as_one(samenstad, settings):
    """Trailing space, capitals and fullwidth letters are the same account to the limit."""
    settings.AXES_FAILURE_LIMIT = 3
    for spelling in ("Caseworker ", "CASEWORKER", "ｃａｓｅｗｏｒｋｅｒ"):
        fail(Client(), spelling)
    response = log_in(Client(), "caseworker")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Te veel inlogpogingen" in body and 'name="username"' in body
    assert "_auth_user_id" not in response.client.session


def test_only_failed_attempts_count_and_a_login_resets_them(samenstad, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        fail(client, "coordinator")
        fail(client, "coordinator")
        assert log_in(client, "coordinator").status_code == 302
        client.logout()


def test_the_counters_are_not_in_the_cache(samenstad, settings):
    """An evicted or cleared cache entry must not hand the guesser a fresh set of tries."""
    from django.core.cache import cache

    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        fail(Client(), "coordinator")
    cache.clear()
    assert log_in(Client(), "coordinator").status_code == 429


def test_the_admin_login_is_throttled_like_the_site_login(samenstad, settings):
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
