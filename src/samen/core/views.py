import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from . import selectors
from .forms import LoginForm, OtpTokenForm
from .models import Municipality
from .tenancy import public_view, staff_view


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
    return render(request, "core/index.html", {"municipalities": Municipality.objects.all()})


@public_view
def municipality_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/municipality_home.html")


class LoginView(auth_views.LoginView):
    """Login; throttled per username and per client address by django-axes (core/throttle.py)."""

    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    membership = request.user.default_membership()
    if membership is None:
        if request.user.is_superuser:
            return redirect("admin:index")
        return render(request, "core/no_membership.html")
    return redirect("core:staff-home", slug=membership.municipality.slug)


@staff_view()
def staff_home(request: HttpRequest) -> HttpResponse:
    context = {"figures": selectors.staff_home_figures(request.municipality, request.user)}
    return render(request, "core/staff_home.html", context)


def _totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=None).first()


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up two-factor login: scan the QR code, confirm with a first code."""
    device = _totp_device(request.user)
    if device is not None and device.confirmed:
        messages.info(request, _("Tweestapsverificatie staat al aan voor uw account."))
        return redirect("core:after-login")
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Tweestapsverificatie staat aan."))
            return redirect("core:after-login")
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
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of login for users with an authenticator app."""
    device = _totp_device(request.user)
    if device is None or not device.confirmed:
        return redirect("core:otp-setup")
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
