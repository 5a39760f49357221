"""The coordinator's page for sign-ups that resemble an existing organisation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import signup
from .models import Signup
from .tenancy import staff_view


@staff_view("organisations.manage")
def signups(request: HttpRequest) -> HttpResponse:
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
    rows = [(s, signup.HANDLERS.get(s.purpose)) for s in signup.held()]
    return render(request, "core/signups.html", {"rows": rows})
