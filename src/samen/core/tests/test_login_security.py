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
