"""The coordinator's account pages (invite, who has access, roles, deactivation, password
resets, second factor) and everyone's own password pages. Thin: the workflows are in
services.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from . import account_services as services
from . import audit, oidc, selectors
from . import services as core_services
from .access import AccountRequest, StaffRequest, staff_view
from .forms import (
    DutchPasswordChangeForm,
    DutchSetPasswordForm,
    ForgotPasswordForm,
    InviteForm,
    RoleForm,
    add_service_errors,
)
from .models import User
from .net import client_ip
from .views import _int


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _back(request: StaffRequest, user_id: int | None = None) -> HttpResponse:
    if user_id:
        return redirect("core:account", slug=request.municipality.slug, pk=user_id)
    return redirect("core:accounts", slug=request.municipality.slug)


@staff_view("accounts.manage")
def accounts(request: StaffRequest) -> HttpResponse:
    """Who has access: members, pending invitations, deactivated members. POST: re-send or
    withdraw an invitation, reactivate a member."""
    municipality = request.municipality
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("code", "reset"):  # the second factor, as on the member's own page
            return account.__wrapped__(request, pk=_int(request.POST.get("user")))
        try:
            if action == "resend":
                invitation = services.resend_invitation(
                    actor=request.user,
                    municipality=municipality,
                    invitation_id=_int(request.POST.get("invitation")),
                )
                messages.success(
                    request,
                    _("De uitnodiging is opnieuw gestuurd naar %(email)s.")
                    % {"email": invitation.email},
                )
                return _back(request)
            if action == "withdraw":
                services.withdraw_invitation(
                    actor=request.user,
                    municipality=municipality,
                    invitation_id=_int(request.POST.get("invitation")),
                )
                messages.success(
                    request, _("De uitnodiging is ingetrokken; de link werkt niet meer.")
                )
                return _back(request)
            if action == "reactivate":
                membership = services.reactivate(
                    actor=request.user,
                    municipality=municipality,
                    user_id=_int(request.POST.get("user")),
                )
                messages.success(
                    request, _("%(name)s heeft weer toegang.") % {"name": _name(membership.user)}
                )
                return _back(request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return _back(request)
    context = {
        "accounts": selectors.accounts(municipality),
        "invitations": selectors.pending_invitations(municipality),
        "deactivated": selectors.deactivated_members(municipality),
    }
    return render(request, "core/accounts.html", context)


@staff_view("accounts.manage")
def invite(request: StaffRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invite(
                actor=request.user,
                municipality=request.municipality,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                organisation=data["organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s krijgt een uitnodiging op %(email)s.")
                % {"name": invitation.name, "email": invitation.email},
            )
            return _back(request)
    context = {"form": form, "sso": services.sso_available(request.municipality)}
    return render(request, "core/account_invite.html", context)


@staff_view("accounts.manage")
def account(request: StaffRequest, pk: int) -> HttpResponse:
    """One member: role, password reset, second factor, deactivation."""
    municipality = request.municipality
    membership = selectors.member(municipality, pk)
    if membership is None:
        raise Http404
    user = membership.user
    role_form = RoleForm(
        request.POST if request.POST.get("action") == "role" else None,
        initial={"role": membership.role, "organisation": membership.organisation},
    )
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "role" and role_form.is_valid():
                services.change_role(
                    actor=request.user,
                    municipality=municipality,
                    user_id=user.pk,
                    role=role_form.cleaned_data["role"],
                    organisation=role_form.cleaned_data["organisation"],
                )
                messages.success(
                    request, _("De rol van %(name)s is gewijzigd.") % {"name": _name(user)}
                )
                return _back(request, user.pk)
            if action == "password":
                services.reset_password(
                    actor=request.user, municipality=municipality, user_id=user.pk
                )
                messages.success(
                    request,
                    _("%(name)s krijgt een e-mail om een nieuw wachtwoord te kiezen.")
                    % {"name": _name(user)},
                )
                return _back(request, user.pk)
            if action == "deactivate":
                services.deactivate(actor=request.user, municipality=municipality, user_id=user.pk)
                messages.success(
                    request, _("%(name)s heeft geen toegang meer.") % {"name": _name(user)}
                )
                return _back(request)
            if action == "code":
                raw = core_services.issue_enrolment_code(
                    actor=request.user, user=user, municipality=municipality
                )
                issued = {"user": user, "code": raw}
            if action == "reset":
                core_services.reset_second_factor(
                    actor=request.user, user=user, municipality=municipality
                )
                messages.success(
                    request,
                    _("De authenticator van %(name)s is ontkoppeld.") % {"name": _name(user)},
                )
                return _back(request, user.pk)
        except ValidationError as error:
            if action == "role":
                add_service_errors(role_form, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
                return _back(request, user.pk)
    context = {
        "member": membership,
        "role_form": role_form,
        "issued": issued,
        "is_self": user.pk == request.user.pk,
    }
    response = render(request, "core/account.html", context)
    response["Cache-Control"] = "no-store"  # an enrolment code is on this page once
    return response


@never_cache
def invitation(request: AccountRequest, token: str) -> HttpResponse:
    """The invitation link: choose a password (a new account), accept with one's existing
    account (logged in as it), or go to the municipality's identity provider."""
    found = services.invitation_for_token(token)
    if found is None:
        return render(request, "core/invitation_invalid.html", status=404)
    existing = services.existing_account(found)
    context: dict = {"invitation": found, "existing": existing}
    if found.sso:
        if request.method == "POST":
            request.session[oidc.INVITATION_SESSION_KEY] = token
            return redirect(
                reverse("oidc_authentication_init")
                + "?"
                + urlencode({"next": reverse("core:after-login")})
            )
        return render(request, "core/invitation.html", context)
    if existing is not None:
        if not request.user.is_authenticated:
            return redirect(reverse("core:login") + "?" + urlencode({"next": request.path}))
        if request.user.pk != existing.pk:
            context["wrong_account"] = True
            return render(request, "core/invitation.html", context, status=403)
        if request.method == "POST":
            try:
                services.accept_invitation(raw=token, user=request.user)
            except ValidationError:
                return render(request, "core/invitation_invalid.html", status=404)
            messages.success(
                request, _("U hebt nu ook toegang tot %(m)s.") % {"m": found.municipality}
            )
            return redirect("core:staff-home", slug=found.municipality.slug)
        return render(request, "core/invitation.html", context)
    new_user = User(
        username=found.email,
        email=found.email,
        first_name=found.first_name,
        last_name=found.last_name,
    )
    form = DutchSetPasswordForm(new_user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(raw=token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Uw account is klaar. Log in met uw e-mailadres %(email)s en uw nieuwe wachtwoord."
                )
                % {"email": found.email},
            )
            return redirect("core:login")
    context["form"] = form
    return render(request, "core/invitation.html", context)


# --- One's own password ------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the current one first); behind the second factor where the
    role needs it. Accounts that log in with the municipality's account have no password."""

    form_class = DutchPasswordChangeForm
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:password-change-done")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if user.needs_second_factor_anywhere() and not user.is_verified():
                return redirect(
                    reverse("core:otp-verify") + "?" + urlencode({"next": request.path})
                )
            if not user.has_usable_password():
                return render(request, "core/password_change.html", {"sso_only": True})
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            action="account.password_changed", actor=self.request.user, obj=self.request.user
        )
        return response


password_change = login_required(PasswordChangeView.as_view())
password_change_done = login_required(
    auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html")
)

# "Wachtwoord vergeten": per client address and per e-mail address.
RESET_RATE_PER_CLIENT = "10/h"
RESET_RATE_PER_ADDRESS = "3/h"


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether an account has the address or not; too many requests from one
    client get a Dutch error, too many for one address are answered alike but not mailed."""

    form_class = ForgotPasswordForm
    template_name = "core/password_reset.html"
    success_url = reverse_lazy("core:password-reset-done")

    def form_valid(self, form):
        request = self.request
        if is_ratelimited(
            request,
            group="password-reset-client",
            key=lambda _g, r: client_ip(r),
            rate=RESET_RATE_PER_CLIENT,
            increment=True,
        ):
            form.add_error(
                None, _("Te veel aanvragen vanaf dit adres. Probeer het over een uur opnieuw.")
            )
            return self.form_invalid(form)
        address = form.cleaned_data["email"].strip().lower()
        limited = is_ratelimited(
            request,
            group="password-reset-address",
            key=lambda _g, _r: address,
            rate=RESET_RATE_PER_ADDRESS,
            increment=True,
        )
        form.save(send=not limited)
        return redirect(self.get_success_url())


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="core/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=DutchSetPasswordForm,
    template_name="core/password_reset_confirm.html",
    success_url=reverse_lazy("core:password-reset-complete"),
    post_reset_login=False,  # log in again: the second factor still applies
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="core/password_reset_complete.html"
)
