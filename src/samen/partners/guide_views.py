"""Staff pages for the guide's tools: the offer to businesses and the ambassador network."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from samen.core.access import staff_view
from samen.core.forms import add_service_errors
from samen.core.models import Organisation

from . import offer, selectors, services
from .forms import OfferPointForm
from .models import OfferPoint


def _point_id(request: HttpRequest) -> int:
    value = request.POST.get("point", "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


@staff_view("partners.manage")
def offer_page(request: HttpRequest) -> HttpResponse:
    """The offer: reorder, hide or show each point, and add one."""
    municipality = request.municipality
    form = OfferPointForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            form = OfferPointForm(request.POST)
            if form.is_valid():
                try:
                    offer.add_point(
                        municipality=municipality,
                        actor=request.user,
                        title=form.cleaned_data["title"],
                        explanation=form.cleaned_data["explanation"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("Punt toegevoegd."))
                    return redirect("partners:offer", slug=municipality.slug)
        elif action in ("up", "down", "hide", "show"):
            point = get_object_or_404(OfferPoint, pk=_point_id(request))
            if action in ("up", "down"):
                offer.move_point(point=point, actor=request.user, up=action == "up")
            else:
                offer.set_hidden(point=point, actor=request.user, hidden=action == "hide")
            return redirect("partners:offer", slug=municipality.slug)
    context = {"points": offer.points(municipality), "form": form}
    return render(request, "partners/offer.html", context)


@staff_view("partners.manage")
def offer_point(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(OfferPoint, pk=pk)
    initial = {"title": point.title, "explanation": point.explanation, "hidden": point.hidden}
    form = OfferPointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer.update_point(point=point, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Punt opgeslagen."))
            return redirect("partners:offer", slug=request.municipality.slug)
    return render(request, "partners/offer_point.html", {"form": form, "point": point})


@staff_view("partners.manage")
def ambassadors(request: HttpRequest) -> HttpResponse:
    """The ambassador network: who is in it, and marking or unmarking organisations."""
    if request.method == "POST":
        value = request.POST.get("organisation", "")
        organisation = get_object_or_404(
            Organisation, pk=int(value) if value.isdigit() and len(value) < 19 else 0
        )
        on = request.POST.get("action") == "mark"
        services.set_ambassador(organisation=organisation, actor=request.user, on=on)
        message = (_("%(n)s is ambassadeur.") if on else _("%(n)s is geen ambassadeur meer.")) % {
            "n": organisation.name
        }
        messages.success(request, message)
        return redirect(request.get_full_path())
    q = request.GET.get("q", "").strip()[:100]
    network = selectors.ambassadors()
    context = {
        "network": network,
        "businesses": sum(1 for row in network if row["business"]),
        "q": q,
        "candidates": selectors.ambassador_candidates(q) if q else [],
    }
    return render(request, "partners/ambassadors.html", context)
