"""API tokens: they expire (90 days unless told otherwise), every use is noted, and their owner
lists, creates and revokes them on the account page."""

import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.core.models import ApiToken

CASES = "/api/v1/municipalities/samenstad/cases"
KEYS = "/account/sleutels/"


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_expires_after_90_days_by_default(client, samenstad, user):
    _token, raw = ApiToken.issue(user("caseworker"))
    assert client.get(CASES, **bearer(raw)).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(days=90, minutes=1)):
        response = client.get(CASES, **bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_command_takes_days_and_prints_the_token_alone_last(client, samenstad, capsys):
    call_command("token", "caseworker", "--days", "7")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"samen_[\w-]+", raw)
    token = ApiToken.objects.get(user__username="caseworker")
    assert (
        abs(token.expires_at - (timezone.now() + timezone.timedelta(days=7))).total_seconds() < 60
    )
    with time_machine.travel(timezone.now() + timezone.timedelta(days=7, minutes=1)):
        assert client.get(CASES, **bearer(raw)).status_code == 401


@pytest.mark.parametrize("days", ["0", "-1", "100000"])
def test_the_command_refuses_a_senseless_lifetime(samenstad, days):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("token", "caseworker", "--days", days)


def test_every_use_is_noted_at_most_once_a_minute(client, samenstad, user):
    token, raw = ApiToken.issue(user("caseworker"))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(CASES, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        client.get(CASES, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start  # no write on every request
    later = start + timezone.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        client.get(CASES, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_owner_lists_creates_and_revokes_tokens(client, samenstad, user):
    old, old_raw = ApiToken.issue(user("partner"), name="Koppeling agenda")
    ApiToken.issue(user("coordinator"), name="Van iemand anders")
    client.force_login(user("partner"))
    page = client.get(KEYS)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Koppeling agenda" in body and "Van iemand anders" not in body
    assert old_raw not in body and old.key_hash not in body
    # Create one: shown once, then only its name.
    created = client.post(KEYS, {"action": "create", "name": "Website", "days": "30"})
    (raw,) = re.findall(r"samen_[\w-]{20,}", created.content.decode())
    assert "no-store" in created["Cache-Control"]
    assert client.get("/api/v1/activities", **bearer(raw)).status_code == 200
    assert raw not in client.get(KEYS).content.decode()
    new = ApiToken.objects.get(name="Website")
    assert new.user == user("partner")
    # Revoke the old one: it stops working at once.
    response = client.post(KEYS, {"action": "revoke", "token": old.pk})
    assert response.status_code == 302
    assert Client().get(CASES, **bearer(old_raw)).status_code == 401
    old.refresh_from_db()
    assert old.revoked_at is not None


def test_nobody_revokes_anothers_token(client, samenstad, user):
    theirs, _raw = ApiToken.issue(user("coordinator"))
    client.force_login(user("partner"))
    assert client.post(KEYS, {"action": "revoke", "token": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_token_page_needs_login(client, samenstad):
    response = client.get(KEYS)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_a_password_alone_does_not_make_a_token_for_a_two_factor_account(
    client, samenstad, user, settings
):
    """Otherwise a stolen caseworker password buys API access to the cases past the 2FA."""
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)
    client.post("/inloggen/", {"username": "caseworker", "password": "samen-demo"})
    assert client.get(KEYS)["Location"].startswith("/account/code/")
    client.post(KEYS, {"action": "create", "name": "Buit", "days": "90"})
    assert not ApiToken.objects.filter(user=user("caseworker")).exists()


def test_the_key_page_is_for_logged_in_users_only(client, samenstad):
    for response in (client.get(KEYS), client.post(KEYS, {"action": "create", "name": "x"})):
        assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert not ApiToken.objects.exists()
