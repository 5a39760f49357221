"""Single sign-on for the municipality's own staff with OpenID Connect (mozilla-django-oidc).

One identity provider per deployment, configured from the environment (settings.py,
`SAMEN_OIDC_*`). Its group claim is mapped to a role per municipality
(`SAMEN_OIDC_GROUPS="samenstad-signaalpunt=samenstad:caseworker,..."`); only the municipal staff
roles (roles.MUNICIPAL_STAFF) can be given this way. At each login the memberships the groups
give are set and the ones they no longer give removed (account_services.sync_sso_memberships).

Second factor: a login whose ID token says the provider did multi-factor authentication
(`amr` holds one of SAMEN_OIDC_MFA_AMR, or `acr` is one of SAMEN_OIDC_MFA_ACR) counts as
two-factor login for that session (SsoOTPMiddleware); otherwise Samen's own authenticator app
is asked as after a password login. Superusers always use Samen's own second factor.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import account_services as services
from .roles import MUNICIPAL_STAFF, Role

log = logging.getLogger(__name__)

# Session keys: the user whose SSO login passed the provider's multi-factor check, and the
# invitation link followed before going to the provider.
IDP_MFA_SESSION_KEY = "samen_idp_mfa"
INVITATION_SESSION_KEY = "samen_sso_invitation"


def configured() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_OP_AUTHORIZATION_ENDPOINT)


def group_mapping() -> dict[str, tuple[str, Role]]:
    """SAMEN_OIDC_GROUPS as {group: (municipality slug, role)}; a wrong entry stops here."""
    mapping: dict[str, tuple[str, Role]] = {}
    for entry in settings.SAMEN_OIDC_GROUPS.split(","):
        entry = entry.strip()
        if not entry:
            continue
        group, _eq, target = entry.rpartition("=")
        slug, _colon, role = target.partition(":")
        if not group or not slug or role not in Role.values or Role(role) not in MUNICIPAL_STAFF:
            raise ImproperlyConfigured(
                f"SAMEN_OIDC_GROUPS: {entry!r} is not group=municipality:role with role one of "
                + ", ".join(sorted(r.value for r in MUNICIPAL_STAFF))
            )
        mapping[group.strip()] = (slug.strip(), Role(role))
    return mapping


def grants(claims: dict) -> list[services.SsoGrant]:
    groups = claims.get(settings.SAMEN_OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = group_mapping()
    return [
        services.SsoGrant(slug=mapping[g][0], role=mapping[g][1])
        for g in groups
        if isinstance(g, str) and g in mapping
    ]


def did_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    mfa_amr = {v.strip() for v in settings.SAMEN_OIDC_MFA_AMR.split(",") if v.strip()}
    mfa_acr = {v.strip() for v in settings.SAMEN_OIDC_MFA_ACR.split(",") if v.strip()}
    return bool(mfa_amr & {str(a) for a in amr}) or str(claims.get("acr", "")) in mfa_acr


class SamenOIDCBackend(OIDCAuthenticationBackend):
    """Users by the provider's `sub`; a first login links the account with the same verified
    e-mail address, or creates one (no password). Claims are the ID token's and userinfo's."""

    def authenticate(self, request, **kwargs):
        if not configured():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        issuer = settings.SAMEN_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(oidc_subject=str(claims["sub"]))
        if users.exists():
            return users
        email = claims.get("email")
        if email and claims.get("email_verified") is True:
            # Never an administrator's account: that one logs in with its password and app.
            return self.UserModel.objects.filter(
                email__iexact=email, oidc_subject__isnull=True, is_superuser=False
            )
        return self.UserModel.objects.none()

    def create_user(self, claims):
        email = (claims.get("email") or "").lower() if claims.get("email_verified") is True else ""
        username = email or f"sso-{claims['sub']}"[:150]
        if self.UserModel.objects.filter(username__iexact=username).exists():
            username = f"sso-{claims['sub']}"[:150]
        user = self.UserModel(username=username, email=email, oidc_subject=str(claims["sub"]))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.oidc_subject = str(claims["sub"])
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        if claims.get("email_verified") is True and claims.get("email"):
            user.email = str(claims["email"]).lower()
        user.save()
        if not user.is_active:
            return user  # the callback refuses an inactive user; memberships stay as they are
        raw = self.request.session.pop(INVITATION_SESSION_KEY, "") if self.request else ""
        services.sync_sso_memberships(user=user, grants=grants(claims), invitation_raw=raw)
        user.samen_idp_mfa = did_mfa(claims)
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticateView(OIDCAuthenticationRequestView):
    """To the provider; 404 where single sign-on is not configured."""

    def __init__(self, *args, **kwargs):
        if not configured():
            raise Http404
        super().__init__(*args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: logged in, with the provider's second factor noted; on failure
    the login page with a Dutch message."""

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Inloggen met uw gemeente-account is niet gelukt. Probeer het opnieuw of neem contact op met de regisseur."
            ),
        )
        return HttpResponseRedirect(settings.LOGIN_REDIRECT_URL_FAILURE)

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, "samen_idp_mfa", False) and not self.user.is_superuser:
            self.request.session[IDP_MFA_SESSION_KEY] = self.user.pk
        else:
            self.request.session.pop(IDP_MFA_SESSION_KEY, None)
        return response


class SsoOTPMiddleware(OTPMiddleware):
    """django-otp's middleware; a session whose single sign-on passed the provider's
    multi-factor authentication counts as verified (is_verified() is True)."""

    def _verify_user_sync(self, request, user):
        user = super()._verify_user_sync(request, user)
        if (
            user.is_authenticated
            and user.otp_device is None
            and not user.is_superuser
            and request.session.get(IDP_MFA_SESSION_KEY) == user.pk
        ):
            user.is_verified = lambda: True
        return user
