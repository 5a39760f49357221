"""Roles and the one table of what each role may do. Views and the API both ask `has_perm`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Regisseur eenzaamheid")
    CASEWORKER = "caseworker", _("Maatschappelijk werker (Signaalpunt)")
    PARTNER = "partner", _("Partnerorganisatie")
    PROGRAMME = "programme", _("Programmamanager")
    VOLUNTEER = "volunteer", _("Vrijwilliger")
    PRIVACY_OFFICER = "privacy_officer", _("Functionaris gegevensbescherming")


STAFF = frozenset(Role)

# permission -> roles that hold it. Superusers hold every permission.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "staff.home": STAFF,
    # Signaalpunt: only caseworkers see a report's personal details and work the cases.
    "concerns.handle": frozenset({Role.CASEWORKER}),
    # Anonymous figures (counts, no details, small counts suppressed).
    "concerns.view_figures": frozenset({Role.COORDINATOR, Role.CASEWORKER}),
    # Report a concern through the API with an organisation's token.
    "concerns.report": frozenset({Role.PARTNER, Role.COORDINATOR, Role.CASEWORKER}),
    "organisations.manage": frozenset({Role.COORDINATOR}),
    # The privacy officer (functionaris gegevensbescherming) alone reads the audit log and
    # answers data subject requests (AVG art. 15 and 17); the coordinator no longer holds
    # audit.view (no page used it) and caseworkers never did.
    "audit.view": frozenset({Role.PRIVACY_OFFICER}),
    "privacy.requests": frozenset({Role.PRIVACY_OFFICER}),
    # Hand out two-factor enrolment codes to the municipality's users and reset lost devices.
    "accounts.manage": frozenset({Role.COORDINATOR}),
    # Volunteering: organisations post needs and approve matches; the coordinator runs the
    # matching; volunteers answer proposals; programme managers see their own programme.
    "volunteering.post_needs": frozenset({Role.PARTNER, Role.COORDINATOR}),
    "volunteering.volunteer": frozenset({Role.VOLUNTEER}),
    "volunteering.programme": frozenset({Role.PROGRAMME, Role.COORDINATOR}),
    "volunteering.match": frozenset({Role.COORDINATOR}),
    # Partners: the coordinator works the longlist and the five steps; a partner organisation
    # sees and edits its own profile and contributions.
    "partners.manage": frozenset({Role.COORDINATOR}),
    "partners.own_profile": frozenset({Role.PARTNER}),
    # Activity hub: organisations publish their own activities and feeds.
    "activities.publish": frozenset({Role.PARTNER, Role.COORDINATOR}),
    # Workshops: the coordinator plans the guide's three meetings and invites to them.
    "workshops.manage": frozenset({Role.COORDINATOR}),
    # Impact dashboard of the whole municipality.
    "impact.view": frozenset({Role.COORDINATOR}),
    # An organisation's own figures (a partner organisation, a company's programme).
    "impact.own": frozenset({Role.PARTNER, Role.PROGRAMME}),
}

# Roles for which two-factor login is required when SAMEN_REQUIRE_2FA_CASEWORKERS is on:
# caseworkers read the case files; coordinators hand out enrolment codes and reset devices,
# so their password alone must not be enough to give someone a caseworker's second factor.
# Superusers always need it (User.needs_second_factor).
# The privacy officer exports everything held about a person.
ROLES_REQUIRING_2FA = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.PRIVACY_OFFICER})

# The municipality's own staff: the roles that single sign-on may give (core/oidc.py) and for
# which an invitation may point to the municipality's identity provider. Partners, programme
# managers and volunteers keep their password login.
MUNICIPAL_STAFF = frozenset({Role.COORDINATOR, Role.CASEWORKER, Role.PRIVACY_OFFICER})

# The roles that act for an organisation: only these may have one on their membership.
ORGANISATION_ROLES = frozenset({Role.PARTNER, Role.PROGRAMME, Role.VOLUNTEER})
