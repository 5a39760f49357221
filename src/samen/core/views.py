import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from . import capabilities, selectors, services
from .access import AccountRequest, PublicRequest, StaffRequest, staff_view
from .forms import ApiTokenForm, EnrolmentCodeForm, LoginForm, OtpTokenForm
from .models import ApiToken, Municipality
from .tenancy import public_view


def own_path(target: str | None, default: str = "core:after-login") -> str:
    """`target` if it is a path of this site, else `default`: a user-given `next` never sends
    the browser to another host (`//evil`, `/\\evil`, `https://evil`, `javascript:`)."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return target
    return resolve_url(default)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def index(request: HttpRequest) -> HttpResponse:
    context = {
        "municipalities": Municipality.objects.all(),
        "links": capabilities.overview_links(),
    }
    return render(request, "core/index.html", context)


@public_view
def municipality_home(request: PublicRequest) -> HttpResponse:
    return render(request, "core/municipality_home.html", {"home_cards": capabilities.home_cards()})


class LoginView(auth_views.LoginView):
    """Login; throttled per username and per client address by django-axes (core/throttle.py)."""

    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from . import oidc

        return {**super().get_context_data(**kwargs), "sso": oidc.configured()}


@login_required
def after_login(request: AccountRequest) -> HttpResponse:
    membership = request.user.default_membership()
    if membership is None:
        if request.user.is_superuser:
            if not request.user.is_verified():
                return redirect(reverse("core:otp-verify") + "?next=/admin/")
            return redirect("admin:index")
        return render(request, "core/no_membership.html")
    return redirect("core:staff-home", slug=membership.municipality.slug)


@staff_view()
def staff_home(request: StaffRequest) -> HttpResponse:
    context = {"figures": selectors.staff_home_figures(request.municipality, request.user)}
    return render(request, "core/staff_home.html", context)


def _totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=None).first()


ENROLMENT_SESSION_KEY = "samen_enrolment_code"


@never_cache
@login_required
def otp_setup(request: AccountRequest) -> HttpResponse:
    """Set up two-factor login: first the one-time enrolment code a coordinator or the
    administrator handed out, then scan the QR code and confirm with a first code."""
    device = _totp_device(request.user)
    if device is not None and device.confirmed:
        messages.info(request, _("Tweestapsverificatie staat al aan voor uw account."))
        return redirect("core:after-login")
    code_id = request.session.get(ENROLMENT_SESSION_KEY)
    code_form = EnrolmentCodeForm(request.POST if "code" in request.POST else None)
    if code_form.is_bound:
        started = False
        if is_ratelimited(request, group="otp-enrol", key="user", rate="5/15m", increment=True):
            code_form.is_valid()
            code_form.add_error(None, _("Te veel pogingen. Wacht enkele minuten."))
        elif code_form.is_valid():
            code = services.usable_enrolment_code(request.user, code_form.cleaned_data["code"])
            if code is None:
                code_form.add_error(
                    "code",
                    _(
                        "Deze inschakelcode klopt niet of is verlopen. Vraag de regisseur om een nieuwe."
                    ),
                )
            else:
                device = services.start_enrolment(user=request.user, code=code)
                request.session[ENROLMENT_SESSION_KEY] = code_id = code.pk
                started = True
        if not started:
            return render(request, "core/otp_enrol.html", {"form": code_form}, status=200)
    elif code_id is None or device is None:
        return render(request, "core/otp_enrol.html", {"form": code_form})
    assert device is not None and code_id is not None  # an enrolment was started above
    form = OtpTokenForm(request.POST if "token" in request.POST else None)
    if form.is_bound and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if services.complete_enrolment(user=request.user, code_id=code_id, device=device):
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                otp_login(request, device)
                messages.success(request, _("Tweestapsverificatie staat aan."))
                return redirect(own_path(request.GET.get("next")))
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            return render(request, "core/otp_enrol.html", {"form": EnrolmentCodeForm()})
        form.add_error("token", _("Deze code klopt niet. Probeer de nieuwste code uit de app."))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000"),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "core/otp_setup.html", context)


@never_cache
@login_required
def otp_verify(request: AccountRequest) -> HttpResponse:
    """Second step of login for users with an authenticator app."""
    device = _totp_device(request.user)
    if device is None or not device.confirmed:
        target = request.GET.get("next")
        return redirect(
            reverse("core:otp-setup") + (f"?{urlencode({'next': target})}" if target else "")
        )
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST":
        if is_ratelimited(request, group="otp", key="user", rate="5/5m", increment=True):
            form.is_valid()
            form.add_error(None, _("Te veel pogingen. Wacht enkele minuten."))
        elif form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(own_path(request.POST.get("next") or request.GET.get("next")))
            form.add_error("token", _("Deze code klopt niet. Probeer de nieuwste code uit de app."))
    return render(request, "core/otp_verify.html", {"form": form})


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@never_cache
@login_required
def account_tokens(request: AccountRequest) -> HttpResponse:
    """The user's own API tokens: name, created, expires, last used (never the secret);
    create one (shown once) or revoke one. Behind the second factor where the user's role
    needs it, or a stolen password would buy API access past it."""
    if request.user.needs_second_factor_anywhere() and not request.user.is_verified():
        return redirect(reverse("core:otp-verify") + "?" + urlencode({"next": request.path}))
    form = ApiTokenForm()
    created = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.revoke_api_token(actor=request.user, token_id=_int(request.POST.get("token")))
            messages.success(request, _("De sleutel is ingetrokken en werkt niet meer."))
            return redirect("core:account-tokens")
        if action == "create":
            form = ApiTokenForm(request.POST)
            if form.is_valid():
                _token, created = services.create_api_token(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
                form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "core/account_tokens.html", context)  # never_cache: no-store
