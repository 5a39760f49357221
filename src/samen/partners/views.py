from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samen.core.access import staff_view
from samen.core.forms import add_service_errors
from samen.core.signup_views import confirm_by_button, visitor_limited
from samen.core.tenancy import public_view
from samen.outreach import selectors as outreach_selectors
from samen.outreach import services as outreach_services

from . import longlist_import, scoring, selectors, services, signups
from .forms import (
    ContactForm,
    ContributionForm,
    HoldForm,
    ImportForm,
    JoinForm,
    OwnProfileForm,
    PartnerForm,
    RolesForm,
    StepForm,
    WeightsForm,
    contribution_data,
)
from .models import (
    FIVE_M_HELP,
    STARTER_HELP,
    Contribution,
    FiveM,
    Partner,
    Sector,
    StarterItem,
    Step,
)


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except (TypeError, ValueError):
        return default


def _manage_only(request: HttpRequest) -> None:
    """Object pages: whoever may not manage partners gets 404, as for unknown objects."""
    if not request.user.has_samen_perm(request.municipality, "partners.manage"):
        raise Http404


# --- longlist ------------------------------------------------------------------------------


@staff_view("partners.manage")
def longlist(request: HttpRequest) -> HttpResponse:
    get = request.GET
    if request.method == "POST":
        return _longlist_action(request)
    filters = {
        "step": get.get("step", "") if get.get("step") in Step.values else "",
        "shortlisted": bool(get.get("shortlist")),
        "sector": get.get("sector", "") if get.get("sector") in Sector.values else "",
        "q": get.get("q", "").strip()[:100],
    }
    weights = selectors.weights_of(request.municipality)
    page = selectors.ranked_longlist(
        weights,
        after=selectors.Cursor.parse(get.get("na")),
        before=selectors.Cursor.parse(get.get("voor")),
        **filters,
    )
    context = {
        "page": page,
        "pager": _keyset_links(request, page),
        "filters": filters,
        "steps": Step.choices,
        "sectors": Sector.choices,
        "criteria": [
            (str(label), str(scoring.SHORT_LABELS[key])) for key, label, _f in scoring.CRITERIA
        ],
        "maximum": weights.maximum,
        "pipeline": selectors.pipeline_counts(),
    }
    return render(request, "partners/longlist.html", context)


def _longlist_action(request: HttpRequest) -> HttpResponse:
    """The buttons under the ticked rows: shortlist them, or e-mail them."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][: selectors.PAGE_SIZE]
    action = request.POST.get("action")
    if not ids:
        messages.warning(request, _("Kies eerst een of meer organisaties in de lijst."))
    elif action == "email":
        url = reverse("outreach:campaign-new", args=[request.municipality.slug])
        return redirect(url + "?" + urlencode([("partner", pk) for pk in ids]))
    elif action in ("shortlist_add", "shortlist_remove"):
        flag = action == "shortlist_add"
        count = services.set_shortlisted(
            municipality=request.municipality, actor=request.user, ids=ids, on=flag
        )
        message = (
            _("%(n)d op de shortlist gezet.") if flag else _("%(n)d van de shortlist gehaald.")
        )
        messages.success(request, message % {"n": count})
    return redirect(request.get_full_path())


def _keyset_links(request: HttpRequest, page: selectors.RankedPage) -> dict[str, str]:
    """Links to the first, previous and next page that keep the filters."""
    query = request.GET.copy()
    for key in ("na", "voor"):
        query.pop(key, None)
    first = "?" + query.urlencode()
    links = {}
    if page.previous is not None:
        if page.first <= selectors.PAGE_SIZE + 1:
            links["previous"] = first
        else:
            links["first"] = first
            query["voor"] = str(page.previous)
            links["previous"] = "?" + query.urlencode()
    query.pop("voor", None)
    if page.next is not None:
        query["na"] = str(page.next)
        links["next"] = "?" + query.urlencode()
    return links


@staff_view("partners.manage")
def partner_new(request: HttpRequest) -> HttpResponse:
    holders = selectors.account_holders(request.municipality)
    form = PartnerForm(request.POST or None, account_holders=holders)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.create_partner(
                municipality=request.municipality, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)s staat op de longlist.") % {"n": partner})
            return redirect(
                "partners:detail", slug=request.municipality.slug, org=partner.organisation.slug
            )
    return render(request, "partners/partner_form.html", {"form": form, "partner": None})


@staff_view("partners.manage")
def import_longlist(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_longlist(
                municipality=request.municipality,
                actor=request.user,
                filename=upload.name,
                content=upload.read(longlist_import.MAX_IMPORT_BYTES + 1),
            )
        except ValidationError as error:
            form.add_error("file", error)
    return render(request, "partners/import.html", {"form": form, "result": result})


@staff_view("partners.manage")
def weights(request: HttpRequest) -> HttpResponse:
    row = services.weights_for(request.municipality)
    initial = {f"weight_{key}": getattr(row, f"weight_{key}") for key, _l, _f in scoring.CRITERIA}
    initial.update(priority_sectors=row.priority_sectors, stale_weeks=row.stale_weeks)
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_weights(
            municipality=request.municipality, actor=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Weging opgeslagen. De longlist is opnieuw gerangschikt."))
        return redirect("partners:longlist", slug=request.municipality.slug)
    return render(request, "partners/weights.html", {"form": form})


@staff_view("partners.manage")
def stale(request: HttpRequest) -> HttpResponse:
    row = services.weights_for(request.municipality)
    weeks = _int(request.GET.get("weken"), row.stale_weeks, 1, 104)
    if request.method == "POST" and request.POST.get("action") == "remind":
        sent = outreach_services.send_contact_reminders(
            municipality=request.municipality, force=True
        )
        messages.success(
            request, _("Herinnering verstuurd aan %(n)d accounthouder(s).") % {"n": sent}
        )
        return redirect(request.get_full_path())
    page = selectors.stale_list(weeks=weeks, page=_int(request.GET.get("pagina"), 1, 1, 10**6))
    return render(
        request, "partners/stale.html", {"page": page, "weeks": weeks, "query": f"weken={weeks}"}
    )


# --- one partner ---------------------------------------------------------------------------


def _partner(request: HttpRequest, org: str) -> Partner:
    _manage_only(request)
    return get_object_or_404(
        Partner.objects.select_related("organisation", "account_holder"), organisation__slug=org
    )


@staff_view("staff.home")
def partner_detail(request: HttpRequest, org: str) -> HttpResponse:
    partner = _partner(request, org)
    step_form = StepForm(initial={"to_step": partner.step})
    contact_form = ContactForm()
    roles_form = RolesForm(
        initial={"roles": partner.roles, "public_description": partner.public_description}
    )
    contribution_form = ContributionForm()
    hold_form = HoldForm()
    if request.method == "POST":
        action = request.POST.get("action")
        url = reverse(
            "partners:detail", args=[request.municipality.slug, partner.organisation.slug]
        )
        try:
            if action == "step":
                step_form = StepForm(request.POST)
                if step_form.is_valid():
                    services.move_step(
                        partner=partner, actor=request.user, **step_form.cleaned_data
                    )
                    messages.success(request, _("Stap bijgewerkt."))
                    return redirect(url)
            elif action == "contact":
                contact_form = ContactForm(request.POST)
                if contact_form.is_valid():
                    services.log_contact(
                        partner=partner, actor=request.user, **contact_form.cleaned_data
                    )
                    messages.success(request, _("Contact vastgelegd."))
                    return redirect(url + "#contacten")
            elif action == "roles":
                roles_form = RolesForm(request.POST)
                if roles_form.is_valid():
                    services.set_roles(
                        partner=partner, actor=request.user, **roles_form.cleaned_data
                    )
                    messages.success(request, _("Rollen opgeslagen."))
                    return redirect(url + "#rollen")
            elif action == "contribution":
                contribution_form = ContributionForm(request.POST)
                if contribution_form.is_valid():
                    services.record_contribution(
                        partner=partner,
                        actor=request.user,
                        data=contribution_data(contribution_form),
                    )
                    messages.success(
                        request, _("Bijdrage vastgelegd. Die staat nu in het register.")
                    )
                    return redirect(url + "#bijdragen")
            elif action == "hold":
                hold_form = HoldForm(request.POST)
                if hold_form.is_valid():
                    services.put_on_hold(
                        partner=partner, actor=request.user, **hold_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _(
                            "De partner staat in de wacht: geen herinneringen tot u de partner terugneemt."
                        ),
                    )
                    return redirect(url)
            elif action == "take_back":
                services.take_back(partner=partner, actor=request.user)
                messages.success(request, _("De partner doet weer mee in de herinneringen."))
                return redirect(url)
            elif action in ("ambassador", "no_ambassador"):
                services.set_ambassador(
                    organisation=partner.organisation,
                    actor=request.user,
                    on=action == "ambassador",
                )
                text = (
                    _("%(n)s is ambassadeur.")
                    if action == "ambassador"
                    else _("%(n)s is geen ambassadeur meer.")
                )
                messages.success(request, text % {"n": partner.organisation.name})
                return redirect(url)
            elif action == "end_contribution":
                contribution = get_object_or_404(
                    Contribution,
                    pk=_int(request.POST.get("contribution"), 0, 0, 2**62),
                    partner=partner,
                )
                services.end_contribution(contribution=contribution, actor=request.user)
                messages.success(request, _("Bijdrage beëindigd."))
                return redirect(url + "#bijdragen")
        except ValidationError as error:
            if action == "take_back":  # a button without a form: the reason is a message
                messages.warning(request, " ".join(error.messages))
                return redirect(url)
            form = {
                "step": step_form,
                "contact": contact_form,
                "roles": roles_form,
                "hold": hold_form,
            }.get(action, contribution_form)
            add_service_errors(form, error)
    weights = selectors.weights_of(request.municipality)
    context = {
        "partner": partner,
        "breakdown": scoring.breakdown(scoring.instance_row(partner), weights),
        "score": scoring.score(scoring.instance_row(partner), weights),
        "maximum": weights.maximum,
        "history": selectors.partner_history(partner),
        "contacts": partner.contacts.select_related("by")[:50],
        "contributions": selectors.contributions_by_m(partner),
        "sends": outreach_selectors.sends_for_partner(partner),
        "step_form": step_form,
        "contact_form": contact_form,
        "roles_form": roles_form,
        "contribution_form": contribution_form,
        "hold_form": hold_form,
        "starter_help": [
            (str(label), str(STARTER_HELP[value])) for value, label in StarterItem.choices
        ],
        "steps": Step.choices,
    }
    return render(request, "partners/detail.html", context)


@staff_view("staff.home")
def partner_edit(request: HttpRequest, org: str) -> HttpResponse:
    partner = _partner(request, org)
    organisation = partner.organisation
    initial = {name: getattr(partner, name) for name in services.PARTNER_FIELDS}
    initial.update({name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS})
    holders = selectors.account_holders(request.municipality)
    form = PartnerForm(request.POST or None, initial=initial, account_holders=holders)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_partner(partner=partner, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Gegevens opgeslagen."))
            return redirect(
                "partners:detail", slug=request.municipality.slug, org=partner.organisation.slug
            )
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})


# --- a partner's own profile ---------------------------------------------------------------


@staff_view("partners.own_profile")
def own_profile(request: HttpRequest) -> HttpResponse:
    organisation = services.own_organisation(request.user, request.municipality)
    if organisation is None:
        return render(request, "partners/own.html", {"partner": None})
    partner = (
        Partner.objects.filter(organisation=organisation).select_related("organisation").first()
    )
    initial = {}
    if partner is not None:
        initial = {
            "roles": partner.roles,
            "public_description": partner.public_description,
            "contact_name": partner.contact_name,
            "contact_email": partner.contact_email,
            "contact_phone": partner.contact_phone,
            "website": organisation.website,
        }
    profile_form = OwnProfileForm(initial=initial)
    contribution_form = ContributionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "profile":
                profile_form = OwnProfileForm(request.POST)
                if profile_form.is_valid():
                    partner = partner or services.partner_for_own_organisation(
                        municipality=request.municipality, actor=request.user
                    )
                    services.update_own_profile(
                        partner=partner, actor=request.user, data=profile_form.cleaned_data
                    )
                    messages.success(request, _("Uw profiel is opgeslagen."))
                    return redirect("partners:own", slug=request.municipality.slug)
            elif action == "contribution":
                contribution_form = ContributionForm(request.POST)
                if contribution_form.is_valid():
                    services.record_own_contribution(
                        municipality=request.municipality,
                        actor=request.user,
                        data=contribution_data(contribution_form),
                    )
                    messages.success(
                        request, _("Bijdrage vastgelegd. Die staat nu in het register.")
                    )
                    return redirect("partners:own", slug=request.municipality.slug)
        except ValidationError as error:
            add_service_errors(profile_form if action == "profile" else contribution_form, error)
    context = {
        "organisation": organisation,
        "partner": partner,
        "profile_form": profile_form,
        "contribution_form": contribution_form,
        "contributions": selectors.contributions_by_m(partner) if partner else [],
        "offer": selectors.offer_points(request.municipality),
    }
    return render(request, "partners/own.html", context)


@staff_view("staff.home")
def contribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit or delete one contribution: a partner its own, the coordinator every one."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("partner__organisation", "partner__municipality"),
        pk=pk,
    )
    partner = contribution.partner
    if not services.may_edit_partner(request.user, partner):
        raise Http404
    back = _contributions_url(request, partner)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.delete_contribution(contribution=contribution, actor=request.user)
        messages.success(request, _("Bijdrage verwijderd. Die staat niet meer in het register."))
        return redirect(back)
    initial = {name: getattr(contribution, name) for name in services.CONTRIBUTION_FIELDS}
    form = ContributionForm(request.POST or None, initial={**initial, "voluntary": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contribution(
                contribution=contribution, actor=request.user, data=contribution_data(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Bijdrage opgeslagen."))
            return redirect(back)
    context = {"contribution": contribution, "partner": partner, "form": form, "back": back}
    return render(request, "partners/contribution_form.html", context)


def _contributions_url(request: HttpRequest, partner: Partner) -> str:
    if request.user.has_samen_perm(request.municipality, "partners.manage"):
        url = reverse(
            "partners:detail", args=[request.municipality.slug, partner.organisation.slug]
        )
    else:
        url = reverse("partners:own", args=[request.municipality.slug])
    return url + "#bijdragen"


# --- public pages --------------------------------------------------------------------------


@public_view
def register(request: HttpRequest) -> HttpResponse:
    """The transparency register: every cooperation with a business, public."""
    context = {
        "entries": selectors.register(),
        "ambassadors": selectors.ambassadors(),
        "five_m": [(value, str(label), str(FIVE_M_HELP[value])) for value, label in FiveM.choices],
        "voluntary_note": services.VOLUNTARY_NOTE,
    }
    return render(request, "partners/register.html", context)


@never_cache
@public_view
def join(request: HttpRequest) -> HttpResponse:
    """The open page: any business may join. Never exclusive."""
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if visitor_limited(request, "partners-join"):
            form.is_valid()
            form.add_error(
                None, _("Te veel aanmeldingen vanaf dit adres. Probeer het later opnieuw.")
            )
            return render(
                request,
                "partners/join.html",
                {"form": form, "offer": selectors.offer_points(request.municipality)},
                status=429,
            )
        if form.is_valid():
            if not form.cleaned_data["website"]:
                # the same page whether or not a mail went out (one per address per hour)
                data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
                signups.join(municipality=request.municipality, data=data)
            return render(request, "partners/join.html", {"done": True})
    context = {"form": form, "offer": selectors.offer_points(request.municipality)}
    return render(request, "partners/join.html", context)


@never_cache
@public_view
@confirm_by_button(signups.PARTNER_SIGNUP)
def join_confirm(request: HttpRequest, token: str) -> HttpResponse:
    result = signups.confirm_join(municipality=request.municipality, token=token)
    if result is None:
        return render(request, "partners/join.html", {"expired": True}, status=400)
    return render(request, "partners/join.html", {"confirmed": True})
