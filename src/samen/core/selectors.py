import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from . import capabilities
from .models import Municipality, Organisation, User

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import AuditEvent, DeactivatedMembership, Invitation, Membership


def staff_home_figures(municipality: Municipality, user: User) -> dict:
    """What a staff user sees first: a few counts of their own municipality, and the card of
    each capability (see capabilities.register)."""
    return {
        "organisations": Organisation.objects.count(),
        "ambassadors": Organisation.objects.filter(is_ambassador=True).count(),
        "cards": capabilities.cards(municipality, user),
    }


def accounts(municipality: Municipality) -> list:
    """The municipality's members with their role and whether two-factor login is set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import Membership

    memberships = list(
        Membership.objects.filter(municipality=municipality)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    with_device = set(
        TOTPDevice.objects.filter(
            user__in=[m.user_id for m in memberships], confirmed=True
        ).values_list("user_id", flat=True)
    )
    for membership in memberships:
        membership.has_second_factor = membership.user_id in with_device
    return memberships


def pending_invitations(municipality: Municipality) -> "QuerySet[Invitation]":
    """Invitations not accepted yet, lapsed ones too (they can be re-sent), newest first."""
    from .models import Invitation

    return Invitation.objects.filter(municipality=municipality).select_related(
        "organisation", "created_by"
    )


def deactivated_members(municipality: Municipality) -> "QuerySet[DeactivatedMembership]":
    from .models import DeactivatedMembership

    return (
        DeactivatedMembership.objects.filter(municipality=municipality)
        .select_related("user", "organisation", "deactivated_by")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def member(municipality: Municipality, user_id: int) -> "Membership | None":
    """One member of the municipality, with whether two-factor login is set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import Membership

    membership = (
        Membership.objects.filter(municipality=municipality, user_id=user_id)
        .select_related("user", "organisation")
        .first()
    )
    if membership is not None:
        membership.has_second_factor = TOTPDevice.objects.filter(
            user_id=user_id, confirmed=True
        ).exists()
    return membership


# Audit actions in the privacy officer's words; an action not listed shows as stored.
AUDIT_ACTIONS = {
    "concern.read": _("casus gelezen"),
    "concern.list": _("wachtrij geopend"),
    "concern.note": _("notitie bij casus"),
    "concern.status": _("status casus gewijzigd"),
    "concern.assign": _("casus toegewezen"),
    "concern.anonymise": _("casus geanonimiseerd"),
    "otp.code_issued": _("inschrijfcode uitgegeven"),
    "otp.device_added": _("authenticator gekoppeld"),
    "otp.device_reset": _("authenticator ontkoppeld"),
    "account.invited": _("uitgenodigd"),
    "account.invitation_resent": _("uitnodiging opnieuw gestuurd"),
    "account.invitation_withdrawn": _("uitnodiging ingetrokken"),
    "account.invitation_accepted": _("uitnodiging aanvaard"),
    "account.created": _("account aangemaakt"),
    "account.role_changed": _("rol gewijzigd"),
    "account.deactivated": _("toegang beëindigd"),
    "account.reactivated": _("toegang hersteld"),
    "account.password_reset_sent": _("e-mail voor nieuw wachtwoord gestuurd"),
    "account.password_changed": _("wachtwoord gewijzigd"),
    "account.sso_membership_set": _("rol via gemeente-account"),
    "account.sso_membership_removed": _("rol via gemeente-account vervallen"),
    "api_token.created": _("API-sleutel gemaakt"),
    "api_token.revoked": _("API-sleutel ingetrokken"),
    "privacy.export": _("inzageverzoek: export gemaakt"),
    "privacy.erase": _("verwijderverzoek uitgevoerd"),
    "privacy.search": _("verzoek van betrokkene: gezocht"),
    "need.read": _("hulpvraag van het Signaalpunt gelezen"),
    "need.list": _("hulpvragen van het Signaalpunt getoond"),
}

# "casus 42" in the object filter: the case, and every queue listing that listed it.
CASE_OBJECT = "concerns.case"


def audit_lines(
    municipality: Municipality,
    *,
    user: str = "",
    action: str = "",
    case: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> "QuerySet[AuditEvent]":
    """The municipality's audit lines, newest first, filtered. `case` finds the lines about
    that case and the queue listings that listed it (AuditEventCase)."""
    from django.db.models import Q

    from .models import AuditEvent

    lines = AuditEvent.objects.filter(municipality=municipality).select_related("actor")
    if user:
        lines = lines.filter(actor__username=user)
    if action:
        lines = lines.filter(action=action)
    if case is not None:
        lines = lines.filter(
            Q(object_type=CASE_OBJECT, object_id=str(case)) | Q(listed_cases__case_id=case)
        ).distinct()
    if date_from:
        lines = lines.filter(at__date__gte=date_from)
    if date_to:
        lines = lines.filter(at__date__lte=date_to)
    return lines
