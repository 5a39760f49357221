"""What anonymous visitors entered is kept a week at most, unless the coordinator still has
to decide on it."""

import datetime as dt

from django.utils import timezone

from samen.core import signup
from samen.core.models import Organisation, Signup


def _signup(municipality, n, **fields):
    return Signup.objects.create(
        municipality=municipality,
        purpose="agenda",
        email=f"x{n}@example.org",
        data={"name": f"X{n}"},
        token_hash=f"{n:064d}",
        **fields,
    )


def test_old_sign_ups_are_purged_but_undecided_ones_wait(samenstad, unscoped):
    old = timezone.now() - dt.timedelta(days=8)
    match = Organisation.objects.filter(municipality=samenstad).first()
    _signup(samenstad, 1, created_at=old)
    _signup(samenstad, 2, created_at=old, confirmed_at=old)
    waiting = _signup(samenstad, 3, created_at=old, confirmed_at=old, held_at=old, match=match)
    fresh = _signup(samenstad, 4)
    assert signup.purge() == 2
    assert set(Signup.objects.values_list("pk", flat=True)) == {waiting.pk, fresh.pk}


def test_an_expired_link_confirms_nothing(samenstad, unscoped):
    import hashlib

    token = "t" * 43
    Signup.objects.create(
        municipality=samenstad,
        purpose="agenda",
        email="laat@example.org",
        data={"name": "Laat"},
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=timezone.now() - dt.timedelta(days=8),
    )
    assert signup.confirm(municipality=samenstad, purpose="agenda", token=token) is None


def test_only_the_coordinator_decides(samenstad, user, unscoped):
    import pytest
    from django.core.exceptions import PermissionDenied

    match = Organisation.objects.filter(municipality=samenstad).first()
    held = _signup(samenstad, 5, confirmed_at=timezone.now(), held_at=timezone.now(), match=match)
    with pytest.raises(PermissionDenied):
        signup.decide(signup=held, decision=signup.REJECT, actor=user("partner"))
    signup.decide(signup=held, decision=signup.REJECT, actor=user("coordinator"))
    held.refresh_from_db()
    assert held.decision == "rejected" and held.decided_by == user("coordinator")


def test_one_confirmation_mail_per_address_per_hour_whatever_the_form(client, samenstad, unscoped):
    """The newsletter, the agenda, the partner and the volunteer sign-up are four forms but
    one inbox: together they send an address one confirmation mail an hour."""
    from django.core import mail

    victim = "victim@example.org"
    client.post("/samenstad/nieuwsbrief/", {"email": victim})
    client.post("/samenstad/meedoen/", {"name": "Club", "email": victim, "step": "confirm"})
    client.post(
        "/api/v1/municipalities/samenstad/newsletter-subscriptions",
        {"email": victim.upper()},
        content_type="application/json",
    )
    assert [m.to for m in mail.outbox] == [[victim]]
    assert Signup.objects.filter(email=victim).count() == 1


def test_held_and_rejected_sign_ups_are_deleted_after_30_days(samenstad, unscoped):
    """Issue #12: spam or undecided organisation sign-ups do not wait forever."""
    match = Organisation.objects.filter(municipality=samenstad).first()
    day = dt.timedelta(days=1)
    now = timezone.now()
    old, recent = now - signup.HELD_AT_MOST - day, now - signup.HELD_AT_MOST + day
    forgotten = _signup(samenstad, 6, created_at=old, confirmed_at=old, held_at=old, match=match)
    waiting = _signup(
        samenstad, 7, created_at=recent, confirmed_at=recent, held_at=recent, match=match
    )
    rejected = _signup(
        samenstad, 8, created_at=recent, held_at=recent, decision="rejected", decided_at=now
    )
    assert signup.HELD_AT_MOST == dt.timedelta(days=30)
    assert signup.purge() == 2
    assert list(Signup.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not Signup.objects.filter(pk__in=[forgotten.pk, rejected.pk]).exists()


def test_the_review_page_says_how_long_a_sign_up_waits(login, samenstad):
    page = login("coordinator").get("/samenstad/beheer/aanmeldingen/nakijken/")
    assert "na 30 dagen" in page.content.decode()
