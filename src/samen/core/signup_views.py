"""The coordinator's page for sign-ups that resemble an existing organisation, and what every
app's public sign-up pages share: the per-client limit and the confirmation button."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited

from . import signup
from .access import PublicRequest, StaffRequest, staff_view
from .models import Signup

# what a sign-up may carry, as the coordinator reads it
LABELS = {
    "website": gettext_lazy("Website"),
    "feed_url": gettext_lazy("Agenda of nieuws"),
    "sector": gettext_lazy("Sector"),
    "kvk_number": gettext_lazy("KvK-nummer"),
    "address": gettext_lazy("Adres"),
    "postcode": gettext_lazy("Postcode"),
    "contact_name": gettext_lazy("Contactpersoon"),
    "contact_email": gettext_lazy("E-mail contactpersoon"),
    "contact_phone": gettext_lazy("Telefoon"),
    "roles": gettext_lazy("Wil graag"),
    "message": gettext_lazy("Bericht"),
}


def _details(pending: Signup) -> list[tuple[str, str]]:
    rows = []
    for key, label in LABELS.items():
        value = pending.data.get(key)
        if value:
            rows.append((str(label), ", ".join(value) if isinstance(value, list) else str(value)))
    return rows


@staff_view("organisations.manage")
def signups(request: StaffRequest) -> HttpResponse:
    """Each held sign-up: merge it into the organisation it resembles (that organisation's
    name and contact details stay), approve it as a new organisation, or reject it."""
    if request.method == "POST":
        pending = get_object_or_404(Signup, pk=request.POST.get("signup"))
        try:
            signup.decide(
                signup=pending, decision=request.POST.get("decision", ""), actor=request.user
            )
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, _("Besluit over %(name)s vastgelegd.") % {"name": pending})
        return redirect("core:signups", slug=request.municipality.slug)
    rows = [(s, signup.HANDLERS.get(s.purpose), _details(s)) for s in signup.held()]
    context = {"rows": rows, "held_days": signup.HELD_AT_MOST.days}
    return render(request, "core/signups.html", context)


def visitor_limited(request: HttpRequest, group: str) -> bool:
    """Counts one sign-up attempt of this client (SAMEN_CONCERN_RATE per sign-up form)."""
    return is_ratelimited(
        request, group=group, key="ip", rate=settings.SAMEN_CONCERN_RATE, increment=True
    )


def confirm_by_button(purpose: str, template: str = "core/confirm_signup.html") -> Callable:
    """For the view behind a confirmation link: a GET shows a page with a button, so that a
    mail scanner opening the link confirms nothing; the view itself runs on the POST (or for
    an unknown or expired link, so that the app says so). `template` gets the `signup`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: PublicRequest, token: str) -> HttpResponse:
            if request.method != "POST":
                pending = signup.pending(
                    municipality=request.municipality, purpose=purpose, token=token
                )
                if pending is not None:
                    return render(request, template, {"signup": pending})
            return view(request, token)

        return wrapper

    return decorate
