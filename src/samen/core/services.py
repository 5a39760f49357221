"""Account workflows of the core: two-factor enrolment codes, enrolment and device reset, API
tokens. Each checks its own permission and leaves a row in the audit log. Invitations, roles,
deactivation, password resets and single sign-on are in account_services.py."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import ApiToken, EnrolmentCode, Municipality, User


def _may_manage(actor: User | None, user: User, municipality: Municipality | None) -> None:
    """A coordinator for a member of their municipality, or an administrator (a superuser, or
    None: the command line). Others' users are not found (404); a coordinator leaves
    superusers' accounts to the administrators."""
    if actor is None or actor.is_superuser:
        return
    if municipality is None or not actor.has_samen_perm(municipality, "accounts.manage"):
        raise PermissionDenied
    if user.membership_in(municipality) is None:
        raise Http404
    if user.is_superuser:
        raise PermissionDenied


def _mail(address: str, subject: str, message: str) -> None:
    """Send after the transaction commits (nothing is mailed about what was rolled back)."""
    if address:
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=message,
                from_email=None,
                recipient_list=[address],
                fail_silently=True,
            )
        )


def _tell(user: User, subject: str, message: str) -> None:
    _mail(user.email, subject, message)


@transaction.atomic
def issue_enrolment_code(
    *, actor: User | None, user: User, municipality: Municipality | None = None
) -> str:
    """A new one-time enrolment code for `user` (valid 7 days); earlier unused codes lapse.
    Returns the code itself, which is not stored and shown only this once."""
    _may_manage(actor, user, municipality)
    now = timezone.now()
    user.enrolment_codes.filter(used_at__isnull=True).delete()
    raw = EnrolmentCode.new_code()
    code = EnrolmentCode.objects.create(
        user=user,
        municipality=municipality,
        code_hash=EnrolmentCode.hash(raw),
        created_by=actor,
        expires_at=now + dt.timedelta(days=EnrolmentCode.VALID_DAYS),
    )
    audit.record(
        action="otp.code_issued",
        actor=actor,
        obj=user,
        municipality=municipality,
        expires_at=code.expires_at.isoformat(),
    )
    return raw


def usable_enrolment_code(user: User, raw: str) -> EnrolmentCode | None:
    """The user's own unused, unexpired code that `raw` spells, or None."""
    if not EnrolmentCode.normalise(raw):
        return None
    code = user.enrolment_codes.filter(code_hash=EnrolmentCode.hash(raw)).first()
    return code if code is not None and code.usable else None


@transaction.atomic
def start_enrolment(*, user: User, code: EnrolmentCode) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the QR code: any earlier unconfirmed one (whose
    key may have been seen) is thrown away."""
    if code.user_id != user.pk:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def complete_enrolment(*, user: User, code_id: int, device: TOTPDevice) -> bool:
    """Confirm the device with the code still usable; the code is spent. The user is told by
    e-mail that an authenticator was added (so a stranger's enrolment does not go unseen)."""
    code = EnrolmentCode.objects.select_for_update().filter(pk=code_id, user=user).first()
    if code is None or not code.usable or device.user_id != user.pk:
        return False
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(action="otp.device_added", actor=user, obj=user, municipality=code.municipality)
    _tell(
        user,
        _("Samen: tweestapsverificatie ingesteld"),
        _(
            "Beste %(name)s,\n\nOp %(when)s is een authenticator-app gekoppeld aan uw "
            "Samen-account (%(username)s). Was u dit niet? Neem dan direct contact op met de "
            "regisseur van uw gemeente.\n\n%(site)s\n\nSamen"
        )
        % {
            "name": user.get_full_name() or user.username,
            "when": timezone.localtime(code.used_at).strftime("%d-%m-%Y %H:%M"),
            "username": user.username,
            "site": settings.SITE_URL,
        },
    )
    return True


@transaction.atomic
def reset_second_factor(
    *, actor: User | None, user: User, municipality: Municipality | None = None
) -> int:
    """Remove the user's authenticators (a lost or stolen phone) and unused codes: the user
    enrols again with a new code. Returns how many devices were removed."""
    _may_manage(actor, user, municipality)
    count, _deleted = TOTPDevice.objects.filter(user=user).delete()
    user.enrolment_codes.filter(used_at__isnull=True).delete()
    audit.record(
        action="otp.device_reset", actor=actor, obj=user, municipality=municipality, devices=count
    )
    _tell(
        user,
        _("Samen: tweestapsverificatie uitgezet"),
        _(
            "Beste %(name)s,\n\nDe authenticator-app van uw Samen-account (%(username)s) is "
            "ontkoppeld. Om weer in te loggen hebt u een nieuwe inschakelcode nodig van de "
            "regisseur van uw gemeente.\n\nSamen"
        )
        % {"name": user.get_full_name() or user.username, "username": user.username},
    )
    return count


@transaction.atomic
def create_api_token(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A personal API token of the actor, shown once (the raw token is returned)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    token, raw = ApiToken.issue(actor, name=name, days=days)
    audit.record(
        action="api_token.created", actor=actor, obj=token, expires_at=token.expires_at.isoformat()
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; another's token is not found."""
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    token.revoke()
    audit.record(action="api_token.revoked", actor=actor, obj=token)
    return token
