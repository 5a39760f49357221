"""Sign-ups by anonymous visitors, for every app: nothing exists before the address is
confirmed, one confirmation mail per address per hour, and a sign-up that looks like an
existing organisation never attaches itself to it but waits for the coordinator.

An app starts a sign-up with `start()` (it stores a `Signup` row, not an organisation or a
volunteer, and mails a link), turns the clicked link into the real thing after `confirm()`,
and calls `hold()` when the sign-up resembles an organisation that exists. Apps whose
sign-ups can be held register how to merge or create them (`register()`, from their
AppConfig.ready()); the coordinator decides on the page `core:signups` through `decide()`.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from . import audit
from .models import Municipality, Organisation, Signup, User

CONFIRM_WITHIN = dt.timedelta(days=7)
# A held sign-up nobody decided on (often spam) is deleted this long after it came in.
HELD_AT_MOST = dt.timedelta(days=30)
ONE_MAIL_PER = dt.timedelta(hours=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _absolute(view: str, municipality: Municipality, token: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse(view, args=[municipality.slug, token])


def normal_email(email: str) -> str:
    return email.strip().lower()


def start(
    *,
    municipality: Municipality,
    purpose: str,
    email: str,
    data: dict[str, Any],
    confirm_view: str,
    subject: str,
    body: str,
) -> bool:
    """Keep what the visitor entered and mail `body % {"link": ...}` to `email`, the link
    being `confirm_view` (a URL name taking the municipality's slug and the token).
    False, and nothing stored or sent, when this address got a confirmation mail within the
    hour (for any form, in any municipality): the visitor sees the same page either way.
    `subject` is fixed text of ours, never what the visitor typed."""
    email = normal_email(email)
    since = timezone.now() - ONE_MAIL_PER
    with transaction.atomic():
        with scopes_disabled():
            if Signup.objects.filter(email=email, created_at__gte=since).exists():
                return False
        token = secrets.token_urlsafe(32)
        Signup.objects.create(
            municipality=municipality,
            purpose=purpose,
            email=email,
            data=data,
            token_hash=_hash(token),
        )
    send_mail(
        subject=subject,
        message=body % {"link": _absolute(confirm_view, municipality, token)},
        from_email=None,
        recipient_list=[email],
    )
    return True


@dataclass(frozen=True)
class Confirmed:
    signup: Signup
    first: bool  # False when the link had been clicked before


def pending(*, municipality: Municipality, purpose: str, token: str) -> Signup | None:
    """The sign-up behind a link, without confirming it: the link in the mail opens a page
    with a button (POST), because mail scanners open every link they see."""
    signup = Signup.objects.filter(
        municipality=municipality, purpose=purpose, token_hash=_hash(token[:200])
    ).first()
    if signup is None or signup.created_at < timezone.now() - CONFIRM_WITHIN:
        return None
    return signup


def confirm(*, municipality: Municipality, purpose: str, token: str) -> Confirmed | None:
    """The visitor clicked the link: the sign-up, or None for an unknown or expired link.
    Call inside the transaction that creates what the sign-up asked for."""
    signup = (
        Signup.objects.select_for_update()
        .filter(municipality=municipality, purpose=purpose, token_hash=_hash(token[:200]))
        .first()
    )
    if signup is None or signup.created_at < timezone.now() - CONFIRM_WITHIN:
        return None
    first = signup.confirmed_at is None
    if first:
        signup.confirmed_at = timezone.now()
        signup.save(update_fields=["confirmed_at"])
    return Confirmed(signup, first)


def personal_token(token: str, purpose: str) -> str:
    """A second secret derived from the confirmation link (e.g. a volunteer's personal page),
    so clicking the link twice finds the same thing again without storing the secret."""
    from django.utils.crypto import salted_hmac

    return salted_hmac(f"samen.signup.{purpose}", token[:200]).hexdigest()[:43]


def matching_organisation(
    *, municipality: Municipality, name: str, email: str = ""
) -> Organisation | None:
    """An existing organisation this sign-up might be: the same name, short name or e-mail."""
    name = name.strip()
    query = Q(name__iexact=name)
    if slugify(name):
        query |= Q(slug=slugify(name)[:100])
    if email.strip():
        query |= Q(email__iexact=email.strip())
    return Organisation.objects.filter(query, municipality=municipality).order_by("pk").first()


def hold(*, signup: Signup, match: Organisation) -> Signup:
    """A confirmed sign-up that resembles `match` waits for the coordinator."""
    signup.match = match
    signup.held_at = timezone.now()
    signup.save(update_fields=["match", "held_at"])
    audit.record(action="signup.held", obj=match, signup=signup.pk, purpose=signup.purpose)
    municipality = signup.municipality
    if municipality.contact_email:
        from django.conf import settings
        from django.urls import reverse

        url = settings.SITE_URL + reverse("core:signups", args=[municipality.slug])
        send_mail(
            subject=_("Samen: een aanmelding wacht op uw besluit"),
            message=_(
                "Goedendag,\n\nEen aanmelding via de website lijkt op een organisatie die al "
                "meedoet. Kies of u haar samenvoegt, als nieuwe organisatie goedkeurt of weigert:"
                "\n\n%(url)s\n\nSamen"
            )
            % {"url": url},
            from_email=None,
            recipient_list=[municipality.contact_email],
            fail_silently=True,
        )
    return signup


# --- the coordinator decides -----------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    label: Any  # a lazily translated name
    # merge(signup, organisation, actor): add what the sign-up brought to the organisation,
    # without changing its name or contact details
    merge: Callable[[Signup, Organisation, User], None]
    # create(signup, actor) -> the new organisation
    create: Callable[[Signup, User], Organisation]


HANDLERS: dict[str, Handler] = {}


def register(purpose: str, handler: Handler) -> None:
    HANDLERS[purpose] = handler


MERGE, CREATE, REJECT = "merged", "created", "rejected"


def held() -> list[Signup]:
    """Sign-ups waiting for the coordinator (in the active municipality scope)."""
    return list(
        Signup.objects.filter(held_at__isnull=False, decided_at__isnull=True)
        .select_related("match")
        .order_by("held_at")
    )


def decide(*, signup: Signup, decision: str, actor: User) -> Organisation | None:
    """Merge a held sign-up into the organisation it resembles, approve it as a new one, or
    reject it. Coordinators only; recorded in the audit log."""
    if not actor.has_samen_perm(signup.municipality, "organisations.manage"):
        raise PermissionDenied
    if signup.held_at is None or signup.decided_at is not None:
        raise ValidationError(_("Over deze aanmelding is al beslist."))
    if decision not in (MERGE, CREATE, REJECT):
        raise ValidationError(_("Kies samenvoegen, als nieuwe organisatie goedkeuren of weigeren."))
    if decision == MERGE and signup.match is None:
        raise ValidationError(_("De organisatie om mee samen te voegen bestaat niet meer."))
    handler = HANDLERS[signup.purpose]
    with transaction.atomic():
        organisation = None
        if decision == MERGE and signup.match is not None:  # checked above
            handler.merge(signup, signup.match, actor)
            organisation = signup.match
        elif decision == CREATE:
            organisation = handler.create(signup, actor)
        signup.decision = decision
        signup.decided_at = timezone.now()
        signup.decided_by = actor
        signup.result = organisation
        signup.save(update_fields=["decision", "decided_at", "decided_by", "result"])
        audit.record(
            action=f"signup.{decision}",
            actor=actor,
            obj=organisation or signup.match,
            municipality=signup.municipality,
            signup=signup.pk,
            purpose=signup.purpose,
        )
    return organisation


def purge() -> int:
    """Daily: sign-ups never confirmed, and confirmed ones nobody has to decide on (rejected
    ones included), are gone after a week (what they asked for exists by then, or was never
    wanted); one still waiting for the coordinator after `HELD_AT_MOST` is deleted too."""
    now = timezone.now()
    with scopes_disabled():
        waiting = Q(held_at__isnull=False, decided_at__isnull=True)
        old = Q(created_at__lt=now - CONFIRM_WITHIN) & ~waiting
        forgotten = waiting & Q(created_at__lt=now - HELD_AT_MOST)
        deleted, _rows = Signup.objects.filter(old | forgotten).delete()
    return deleted
