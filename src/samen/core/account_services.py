"""The coordinator's account workflows (issue #15): invitations, roles, deactivation and
reactivation, password resets, the memberships single sign-on gives, and the invitation as a
data subject. Each checks its own permission and leaves a row in the audit log."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import audit
from .models import (
    ApiToken,
    AuditEvent,
    DeactivatedMembership,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    User,
    hash_token,
)
from .roles import MUNICIPAL_STAFF, ORGANISATION_ROLES, Role
from .services import _mail, _tell

# Invitation e-mails a coordinator may send (new and re-sent) per hour, and how long an
# address waits before it gets another invitation e-mail (from any municipality).
INVITES_PER_HOUR = 20
ONE_INVITATION_MAIL_PER = dt.timedelta(hours=1)
RESETS_PER_HOUR = 20  # password-reset e-mails a coordinator sends per hour
INVITATION_MAIL_ACTIONS = ("account.invited", "account.invitation_resent")


def _coordinator(actor: User | None, municipality: Municipality) -> None:
    """The actor manages this municipality's accounts (an administrator: None or superuser)."""
    if actor is not None and not actor.has_samen_perm(municipality, "accounts.manage"):
        raise PermissionDenied


def sso_available(municipality: Municipality) -> bool:
    """Single sign-on is configured and its group mapping names this municipality."""
    from . import oidc

    return oidc.configured() and any(
        slug == municipality.slug for slug, _role in oidc.group_mapping().values()
    )


def _invitation_link(raw: str) -> str:
    return settings.SITE_URL + reverse("core:invitation", args=[raw])


def _check_mail_limits(actor: User | None, email: str) -> None:
    now = timezone.now()
    if actor is not None:
        sent = AuditEvent.objects.filter(
            actor=actor, action__in=INVITATION_MAIL_ACTIONS, at__gte=now - dt.timedelta(hours=1)
        ).count()
        if sent >= INVITES_PER_HOUR:
            raise ValidationError(
                _("U hebt het afgelopen uur al %(n)d uitnodigingen verstuurd. Probeer het later.")
                % {"n": sent}
            )
    recent = Invitation.objects.filter(
        email__iexact=email, sent_at__gte=now - ONE_INVITATION_MAIL_PER
    )
    if recent.exists():
        raise ValidationError(
            {
                "email": _(
                    "Naar dit adres is het afgelopen uur al een uitnodiging gestuurd. "
                    "Probeer het later opnieuw."
                )
            }
        )


def _send_invitation(invitation: Invitation, raw: str, inviter: User | None) -> None:
    role = invitation.get_role_display()
    if invitation.organisation is not None:
        role = f"{role} ({invitation.organisation.name})"
    how = (
        _("Via deze link logt u in met uw gemeente-account:")
        if invitation.sso
        else _("Via deze link kiest u uw wachtwoord:")
    )
    _mail(
        invitation.email,
        _("Uitnodiging voor Samen %(municipality)s") % {"municipality": invitation.municipality},
        _(
            "Beste %(name)s,\n\n%(inviter)s nodigt u uit voor Samen, het platform van de "
            "coalitie tegen eenzaamheid in %(municipality)s, als %(role)s.\n\n%(how)s\n"
            "%(link)s\n\nDe link werkt één keer en is %(days)d dagen geldig. Verwachtte u "
            "deze uitnodiging niet? Dan kunt u deze e-mail negeren.\n\nSamen"
        )
        % {
            "name": invitation.name,
            "inviter": (inviter.get_full_name() or inviter.username) if inviter else "Samen",
            "municipality": invitation.municipality,
            "role": role,
            "how": how,
            "link": _invitation_link(raw),
            "days": Invitation.VALID_DAYS,
        },
    )


def _check_role(municipality: Municipality, role: str, organisation: Organisation | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Kies een van de rollen.")})
    if organisation is not None:
        if organisation.municipality_id != municipality.pk:
            raise ValidationError({"organisation": _("Kies een organisatie van uw gemeente.")})
        if Role(role) not in ORGANISATION_ROLES:
            raise ValidationError(
                {
                    "organisation": _(
                        "Alleen partners, programmamanagers en vrijwilligers horen bij een organisatie."
                    )
                }
            )


@transaction.atomic
def invite(
    *,
    actor: User | None,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str = "",
    role: str,
    organisation: Organisation | None = None,
) -> Invitation:
    """Invite a person to the municipality with a role: an e-mail with a one-time link (7
    days) to set a password or, for municipal staff where single sign-on is configured, to log
    in with the municipality's account. A person who already has an account (same e-mail)
    accepts with it, and gets the membership instead of a second account. The coordinator may
    invite every role, the privacy officer too (the privacy officer reads the audit log, which
    shows who invited whom)."""
    _coordinator(actor, municipality)
    email = email.strip().lower()
    _check_role(municipality, role, organisation)
    member = Membership.objects.filter(
        municipality=municipality, user__email__iexact=email
    ).exists()
    if member:
        raise ValidationError({"email": _("Iemand met dit e-mailadres heeft al toegang.")})
    ended = DeactivatedMembership.objects.filter(
        municipality=municipality, user__email__iexact=email
    ).exists()
    if ended:
        raise ValidationError(
            {"email": _("Deze persoon had al toegang. Geef die terug onder 'Toegang beëindigd'.")}
        )
    if Invitation.objects.filter(municipality=municipality, email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Er staat al een uitnodiging open voor dit adres. Stuur die opnieuw.")}
        )
    _check_mail_limits(actor, email)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        municipality=municipality,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        organisation=organisation,
        sso=Role(role) in MUNICIPAL_STAFF and sso_available(municipality),
        token_hash=hash_token("invitation:" + raw),
        created_by=actor,
        created_at=now,
        sent_at=now,
        expires_at=now + dt.timedelta(days=Invitation.VALID_DAYS),
    )
    audit.record(
        action="account.invited",
        actor=actor,
        obj=invitation,
        municipality=municipality,
        role=role,
        sso=invitation.sso,
    )
    _send_invitation(invitation, raw, actor)
    return invitation


def _pending(municipality: Municipality, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(pk=invitation_id, municipality=municipality).first()
    if invitation is None:
        raise Http404
    return invitation


@transaction.atomic
def resend_invitation(
    *, actor: User | None, municipality: Municipality, invitation_id: int
) -> Invitation:
    """A new link (the old one stops working), valid 7 days from now."""
    _coordinator(actor, municipality)
    invitation = _pending(municipality, invitation_id)
    _check_mail_limits(actor, invitation.email)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = hash_token("invitation:" + raw)
    invitation.sent_at = now
    invitation.times_sent += 1
    invitation.expires_at = now + dt.timedelta(days=Invitation.VALID_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "times_sent", "expires_at"])
    audit.record(
        action="account.invitation_resent", actor=actor, obj=invitation, municipality=municipality
    )
    _send_invitation(invitation, raw, actor)
    return invitation


@transaction.atomic
def withdraw_invitation(
    *, actor: User | None, municipality: Municipality, invitation_id: int
) -> None:
    """The link stops working; the invitation is deleted."""
    _coordinator(actor, municipality)
    invitation = _pending(municipality, invitation_id)
    audit.record(
        action="account.invitation_withdrawn",
        actor=actor,
        obj=invitation,
        municipality=municipality,
    )
    invitation.delete()


def invitation_for_token(raw: str) -> Invitation | None:
    """The usable invitation whose link holds `raw`, or None (unknown, used, expired)."""
    if not raw or len(raw) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("municipality", "organisation")
        .filter(token_hash=hash_token("invitation:" + raw))
        .first()
    )
    return invitation if invitation is not None and invitation.usable else None


def existing_account(invitation: Invitation) -> User | None:
    """The active account with the invitation's e-mail address, if there is exactly one."""
    users = list(User.objects.filter(email__iexact=invitation.email, is_active=True)[:2])
    return users[0] if len(users) == 1 else None


def _join(invitation: Invitation, user: User, *, via_sso: bool = False) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user,
        municipality=invitation.municipality,
        defaults={
            "role": invitation.role,
            "organisation": invitation.organisation,
            "via_sso": via_sso,
        },
    )
    DeactivatedMembership.objects.filter(user=user, municipality=invitation.municipality).delete()
    audit.record(
        action="account.invitation_accepted",
        actor=user,
        obj=user,
        municipality=invitation.municipality,
        role=invitation.role,
        invitation=invitation.pk,
    )
    invitation.delete()
    return membership


def _locked(raw: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=hash_token("invitation:" + raw))
        .first()
    )
    if invitation is None or not invitation.usable:
        raise ValidationError(_("Deze uitnodiging is niet (meer) geldig."))
    return invitation


@transaction.atomic
def accept_invitation(*, raw: str, password: str = "", user: User | None = None) -> User:
    """Accept with a new account and `password`, or, for a person who already has an
    account with the invitation's address, as that (logged-in) `user`. The link then stops
    working. A new account's username is its e-mail address."""
    invitation = _locked(raw)
    if invitation.sso:
        raise ValidationError(
            _("Deze uitnodiging aanvaardt u door in te loggen met uw gemeente-account.")
        )
    existing = existing_account(invitation)
    if existing is not None or user is not None:
        if user is None or existing is None or user.pk != existing.pk:
            raise PermissionDenied
    else:
        if User.objects.filter(email__iexact=invitation.email, is_active=True).exists():
            # More than one account has this address: the coordinator sorts it out.
            raise ValidationError(
                _("Er bestaat al een account met dit e-mailadres. Vraag de regisseur om hulp.")
            )
        if not password:
            raise ValidationError(_("Kies een wachtwoord."))
        if User.objects.filter(username__iexact=invitation.email).exists():
            raise ValidationError(
                _("Er bestaat al een account met dit e-mailadres. Vraag de regisseur om hulp.")
            )
        user = User(
            username=invitation.email,
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
        )
        user.set_password(password)
        user.save()
        audit.record(
            action="account.created", actor=user, obj=user, municipality=invitation.municipality
        )
    _join(invitation, user)
    return user


@dataclass(frozen=True)
class SsoGrant:
    """What the identity provider's groups give: a role in the municipality of `slug`."""

    slug: str
    role: Role


@transaction.atomic
def sync_sso_memberships(*, user: User, grants: list[SsoGrant], invitation_raw: str = "") -> None:
    """At each single sign-on: the memberships the groups give are set (role from the
    mapping), the ones they gave before and no longer give are removed; memberships from an
    invitation or a coordinator stay. An invitation whose link the user followed before
    logging in (`invitation_raw`) is accepted. A municipality where the coordinator
    deactivated the user is not given back by the groups."""
    wanted: dict[int, Role] = {}
    for grant in grants:
        municipality = Municipality.objects.filter(slug=grant.slug).first()
        if municipality is None or grant.role not in MUNICIPAL_STAFF:
            continue
        current = wanted.get(municipality.pk)
        # One role per municipality: the first of coordinator, privacy officer, caseworker.
        order = [Role.COORDINATOR, Role.PRIVACY_OFFICER, Role.CASEWORKER]
        if current is None or order.index(grant.role) < order.index(current):
            wanted[municipality.pk] = grant.role
    blocked = set(
        DeactivatedMembership.objects.filter(user=user).values_list("municipality_id", flat=True)
    )
    for membership in Membership.objects.filter(user=user, via_sso=True).select_related(
        "municipality"
    ):
        if membership.municipality_id not in wanted or membership.municipality_id in blocked:
            audit.record(
                action="account.sso_membership_removed",
                actor=None,
                obj=user,
                municipality=membership.municipality,
                role=membership.role,
            )
            membership.delete()
    for municipality_id, role in wanted.items():
        if municipality_id in blocked:
            continue
        existing = Membership.objects.filter(user=user, municipality_id=municipality_id).first()
        if existing is not None and existing.role == role:
            continue  # as it is (given by the groups, or by hand with the same role)
        Membership.objects.update_or_create(
            user=user,
            municipality_id=municipality_id,
            defaults={"role": role, "organisation": None, "via_sso": True},
        )
        audit.record(
            action="account.sso_membership_set",
            actor=None,
            obj=user,
            municipality=Municipality.objects.get(pk=municipality_id),
            role=role,
        )
    if invitation_raw:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=hash_token("invitation:" + invitation_raw))
            .first()
        )
        if invitation is not None and invitation.usable and invitation.sso:
            if not Membership.objects.filter(
                user=user, municipality=invitation.municipality
            ).exists():
                _join(invitation, user)
            else:
                invitation.delete()
    user.__dict__.pop("_membership_cache", None)


def _member(
    actor: User | None, municipality: Municipality, user_id: int
) -> tuple[User, Membership]:
    _coordinator(actor, municipality)
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(municipality=municipality, user_id=user_id)
        .first()
    )
    if membership is None:
        raise Http404
    if membership.user.is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied
    return membership.user, membership


def _last_coordinator(municipality: Municipality, membership: Membership) -> bool:
    others = Membership.objects.filter(
        municipality=municipality, role=Role.COORDINATOR, user__is_active=True
    ).exclude(pk=membership.pk)
    return membership.role == Role.COORDINATOR and not others.exists()


@transaction.atomic
def change_role(
    *,
    actor: User | None,
    municipality: Municipality,
    user_id: int,
    role: str,
    organisation: Organisation | None = None,
) -> Membership:
    """Give a member another role (and organisation, for the roles that have one). Not one's
    own role, and not away from the last coordinator."""
    user, membership = _member(actor, municipality, user_id)
    _check_role(municipality, role, organisation)
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(_("U kunt uw eigen rol niet wijzigen. Vraag een andere regisseur."))
    if role != Role.COORDINATOR and _last_coordinator(municipality, membership):
        raise ValidationError(_("Dit is de laatste regisseur van de gemeente."))
    before = membership.role
    membership.role = role
    membership.organisation = organisation if Role(role) in ORGANISATION_ROLES else None
    membership.via_sso = False  # set by hand now: the groups no longer take it away
    membership.save(update_fields=["role", "organisation", "via_sso"])
    audit.record(
        action="account.role_changed",
        actor=actor,
        obj=user,
        municipality=municipality,
        before=before,
        after=role,
    )
    return membership


def _end_sessions(user: User) -> int:
    """Log the user out everywhere: delete their sessions (database sessions)."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate(
    *, actor: User | None, municipality: Municipality, user_id: int
) -> DeactivatedMembership:
    """End a member's access to this municipality: the membership is removed (kept aside to
    be given back) and the user's sessions end. A user with no other membership is switched
    off altogether (is_active=False): their API tokens are revoked and they cannot log in,
    with a password or single sign-on. Not oneself, not the last coordinator."""
    user, membership = _member(actor, municipality, user_id)
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(_("U kunt uzelf niet deactiveren."))
    if _last_coordinator(municipality, membership):
        raise ValidationError(_("Dit is de laatste regisseur van de gemeente."))
    others = Membership.objects.filter(user=user).exclude(pk=membership.pk).exists()
    switch_off = not others and not user.is_superuser
    deactivation, _created = DeactivatedMembership.objects.update_or_create(
        user=user,
        municipality=municipality,
        defaults={
            "role": membership.role,
            "organisation": membership.organisation,
            "deactivated_user": switch_off,
            "deactivated_at": timezone.now(),
            "deactivated_by": actor,
        },
    )
    membership.delete()
    tokens = 0
    if switch_off:
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    sessions = _end_sessions(user)
    audit.record(
        action="account.deactivated",
        actor=actor,
        obj=user,
        municipality=municipality,
        role=membership.role,
        user_switched_off=switch_off,
        tokens_revoked=tokens,
        sessions_ended=sessions,
    )
    user.__dict__.pop("_membership_cache", None)
    return deactivation


@transaction.atomic
def reactivate(*, actor: User | None, municipality: Municipality, user_id: int) -> Membership:
    """Give a deactivated member their role back (and switch the account on again when
    deactivating had switched it off)."""
    _coordinator(actor, municipality)
    deactivation = (
        DeactivatedMembership.objects.filter(municipality=municipality, user_id=user_id)
        .select_related("user")
        .first()
    )
    if deactivation is None:
        raise Http404
    user = deactivation.user
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied
    membership, _created = Membership.objects.update_or_create(
        user=user,
        municipality=municipality,
        defaults={"role": deactivation.role, "organisation": deactivation.organisation},
    )
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    deactivation.delete()
    audit.record(
        action="account.reactivated",
        actor=actor,
        obj=user,
        municipality=municipality,
        role=membership.role,
    )
    return membership


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("core:password-reset-confirm", args=[uid, token])


def mail_password_reset(user: User) -> None:
    """Django's password-reset link (one use, PASSWORD_RESET_TIMEOUT) to the user's address,
    on SITE_URL. The new password still needs the second factor where the role asks it."""
    _tell(
        user,
        _("Samen: nieuw wachtwoord instellen"),
        _(
            "Beste %(name)s,\n\nU kunt een nieuw wachtwoord kiezen voor uw Samen-account "
            "(gebruikersnaam: %(username)s) via deze link:\n%(link)s\n\nDe link werkt één keer "
            "en is %(days)d dagen geldig. Vroeg u dit niet aan? Dan kunt u deze e-mail negeren; "
            "uw wachtwoord blijft dan hetzelfde.\n\nSamen"
        )
        % {
            "name": user.get_full_name() or user.username,
            "username": user.username,
            "link": password_reset_link(user),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )


@transaction.atomic
def reset_password(*, actor: User | None, municipality: Municipality, user_id: int) -> None:
    """The coordinator sends a member Django's password-reset e-mail. No password is shown or
    set; the old one keeps working until the user chooses a new one. Not for accounts that log
    in with the municipality's identity provider only."""
    user, _membership = _member(actor, municipality, user_id)
    if not user.email:
        raise ValidationError(_("Dit account heeft geen e-mailadres."))
    if not user.has_usable_password():
        raise ValidationError(
            _("Dit account logt in met het gemeente-account; het wachtwoord staat daar.")
        )
    now = timezone.now()
    recent = AuditEvent.objects.filter(
        action="account.password_reset_sent",
        object_type="core.user",
        object_id=str(user.pk),
        at__gte=now - dt.timedelta(minutes=10),
    )
    if recent.exists():
        raise ValidationError(_("Er is net al een e-mail gestuurd. Probeer het over tien minuten."))
    if actor is not None:
        sent = AuditEvent.objects.filter(
            actor=actor, action="account.password_reset_sent", at__gte=now - dt.timedelta(hours=1)
        ).count()
        if sent >= RESETS_PER_HOUR:
            raise ValidationError(
                _("U hebt het afgelopen uur al veel e-mails gestuurd. Probeer het later.")
            )
    audit.record(
        action="account.password_reset_sent", actor=actor, obj=user, municipality=municipality
    )
    mail_password_reset(user)


def purge_invitations() -> int:
    """Lapsed invitations RETAIN_DAYS after they expired; deactivations after a year."""
    now = timezone.now()
    count, _deleted = Invitation.objects.filter(
        expires_at__lt=now - dt.timedelta(days=Invitation.RETAIN_DAYS)
    ).delete()
    old, _deleted = DeactivatedMembership.objects.filter(
        deactivated_at__lt=now - dt.timedelta(days=DeactivatedMembership.RETAIN_DAYS)
    ).delete()
    return count + old


def _privacy_officer(actor: User | None, municipality: Municipality) -> None:
    if actor is not None and not actor.has_samen_perm(municipality, "privacy.requests"):
        raise PermissionDenied


def export_invitation(
    *, actor: User | None, municipality: Municipality, invitation_id: int
) -> dict:
    """What an invitation holds about the invitee (AVG art. 15), audited."""
    _privacy_officer(actor, municipality)
    invitation = _pending(municipality, invitation_id)
    audit.record(action="privacy.export", actor=actor, obj=invitation, municipality=municipality)
    return {
        _("E-mailadres"): invitation.email,
        _("Naam"): invitation.name,
        _("Rol"): invitation.get_role_display(),
        _("Organisatie"): invitation.organisation.name if invitation.organisation else "",
        _("Verstuurd"): timezone.localtime(invitation.sent_at).strftime("%d-%m-%Y %H:%M"),
        _("Geldig tot"): timezone.localtime(invitation.expires_at).strftime("%d-%m-%Y %H:%M"),
    }


@transaction.atomic
def erase_invitation(
    *, actor: User | None, municipality: Municipality, invitation_id: int, ground: str
) -> bool:
    """Delete an invitation early (AVG art. 17): its link stops working."""
    _privacy_officer(actor, municipality)
    invitation = Invitation.objects.filter(pk=invitation_id, municipality=municipality).first()
    if invitation is None:
        return False
    audit.record(
        action="privacy.erase",
        actor=actor,
        obj=invitation,
        municipality=municipality,
        ground=ground,
    )
    invitation.delete()
    return True
