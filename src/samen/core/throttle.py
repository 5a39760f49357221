"""The login throttle: django-axes with its database handler, set up in settings.py.

Two limits within AXES_COOLOFF_TIME, counting failed logins only: AXES_FAILURE_LIMIT per
username (as Django authenticates it, whatever the spelling) from every address, and
SAMEN_LOGIN_ADDRESS_FAILURES per client address over every username. A successful login clears
its username's count; the address's count stays, so that one account of one's own does not
buy a password sprayer a fresh set of tries.
"""

import unicodedata

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def login_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The username as the throttle counts it (AXES_USERNAME_CALLABLE): stripped,
    NFKC-normalised and case-folded, so "Caseworker ", "CASEWORKER" and "ｃａｓｅｗｏｒｋｅｒ"
    are one account to the limit."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    if raw is None:
        return None
    return unicodedata.normalize("NFKC", str(raw)).strip().casefold()[:150]


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit per address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_username = _failures(recent.filter(username=get_client_username(request, credentials)))
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        # Axes compares one number with AXES_FAILURE_LIMIT: the address's count in those units
        # (it reaches the limit exactly when SAMEN_LOGIN_ADDRESS_FAILURES is reached).
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_username, by_address * limit // settings.SAMEN_LOGIN_ADDRESS_FAILURES)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


def locked_out(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The login form again with a Dutch explanation (AXES_LOCKOUT_CALLABLE), for /inloggen/
    and /admin/login/ alike; 429 with Retry-After."""
    from . import oidc
    from .forms import LoginForm

    form = LoginForm(request, initial={"username": request.POST.get("username", "")[:150]})
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "locked_out": _("Te veel inlogpogingen. Wacht enkele minuten en probeer het dan opnieuw."),
        "sso": oidc.configured(),
    }
    response = render(request, "core/login.html", context, status=429)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
