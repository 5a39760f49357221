import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samen.core.access import staff_view
from samen.core.signup_views import confirm_by_button, visitor_limited
from samen.core.tenancy import public_view

from . import matching_run, retention, selectors, services
from .forms import HoursForm, MdtForm, NeedForm, OutcomeForm, ProfileForm
from .models import Match, Need, Programme, TimeEntry, Volunteer


def _errors_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- public: registration and the personal page --------------------------------------------


@never_cache
@public_view
def register_mdt(request: HttpRequest) -> HttpResponse:
    """Young people in maatschappelijke diensttijd (12-30) sign up without an account."""
    form = MdtForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if visitor_limited(request, "volunteer-signup"):
            return _too_many(request, form, mdt=True)
        try:
            services.request_registration(
                municipality=request.municipality, data=form.cleaned_data, kind=Volunteer.Kind.MDT
            )
        except ValidationError as error:
            for field, msgs in error.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            return render(
                request, "volunteering/check_mail.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "volunteering/register.html", {"form": form, "mdt": True})


def _too_many(request: HttpRequest, form, **context) -> HttpResponse:
    form.add_error(None, _("Te veel aanmeldingen vanaf dit adres. Probeer het later opnieuw."))
    return render(request, "volunteering/register.html", {"form": form, **context}, status=429)


@never_cache
@public_view
@confirm_by_button(services.VOLUNTEER_SIGNUP)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation mail: a button, and then the volunteer exists."""
    registration = services.confirm_registration(municipality=request.municipality, token=token)
    if registration is None:
        return render(request, "volunteering/check_mail.html", {"expired": True}, status=400)
    return _registered(request, registration)


@never_cache
@public_view
def register_employee(request: HttpRequest, token: str = "") -> HttpResponse:
    """Employees join their company's programme by invitation link or e-mail domain."""
    programme = None
    if token:
        programme = Programme.objects.filter(invite_token=token).first()
        if programme is None:
            raise Http404
    form = ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = programme or services.programme_for_email(form.cleaned_data["email"])
        if chosen is None:
            form.add_error(
                "email",
                _(
                    "Dit e-mailadres hoort niet bij een bedrijfsprogramma. Gebruik uw werkadres "
                    "of de uitnodigingslink van uw werkgever."
                ),
            )
        elif visitor_limited(request, "volunteer-signup"):
            return _too_many(request, form, mdt=False, programme=programme)
        else:
            services.request_registration(
                municipality=request.municipality,
                data=form.cleaned_data,
                kind=Volunteer.Kind.EMPLOYEE,
                programme=chosen,
            )
            return render(
                request, "volunteering/check_mail.html", {"email": form.cleaned_data["email"]}
            )
    context = {"form": form, "mdt": False, "programme": programme}
    return render(request, "volunteering/register.html", context)


def _registered(request: HttpRequest, registration: services.Registration) -> HttpResponse:
    url = reverse("volunteering:personal", args=[request.municipality.slug, registration.token])
    volunteer = registration.volunteer
    context = {
        "volunteer": volunteer,
        "personal_url": request.build_absolute_uri(url),
        "awaiting_parent": services.awaiting_parent(volunteer),
    }
    return render(request, "volunteering/registered.html", context)


@never_cache
@public_view
@confirm_by_button(services.PARENT_SIGNUP, template="volunteering/parent_confirm.html")
def parent_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail to the parent of an under-16: a button, then the child takes part."""
    volunteer = services.confirm_parent(municipality=request.municipality, token=token)
    if volunteer is None:
        return render(request, "volunteering/check_mail.html", {"expired": True}, status=400)
    return render(request, "volunteering/parent_confirmed.html", {"volunteer": volunteer})


@never_cache
@public_view
def personal(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer's own page by personal link: proposals with the explanation, hours."""
    volunteer = services.volunteer_by_token(token)
    if volunteer is None:
        raise Http404
    delete_url = reverse("volunteering:personal-delete", args=[request.municipality.slug, token])
    return _volunteer_page(request, volunteer, request.path, delete_url)


@never_cache
@public_view
def personal_delete(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer deletes their registration ("Mijn aanmelding verwijderen") by the
    personal link: a confirmation page, then it is gone."""
    volunteer = services.volunteer_by_token(token)
    if volunteer is None:
        raise Http404
    if request.method == "POST":
        retention.erase_volunteer(volunteer=volunteer, actor=None, reason="self", by_link=True)
        return render(request, "volunteering/deleted.html")
    back = reverse("volunteering:personal", args=[request.municipality.slug, token])
    return render(request, "volunteering/delete.html", {"volunteer": volunteer, "back": back})


@staff_view("volunteering.volunteer")
def mine_delete(request: HttpRequest) -> HttpResponse:
    """The logged-in volunteer deletes their registration; the account stays."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return redirect("volunteering:mine", slug=request.municipality.slug)
    if request.method == "POST":
        retention.erase_volunteer(volunteer=volunteer, actor=request.user, reason="self")
        messages.success(request, _("Je aanmelding is verwijderd, met je profiel en voorstellen."))
        return redirect("core:staff-home", slug=request.municipality.slug)
    back = reverse("volunteering:mine", args=[request.municipality.slug])
    return render(request, "volunteering/delete.html", {"volunteer": volunteer, "back": back})


@staff_view("volunteering.volunteer")
def mine(request: HttpRequest) -> HttpResponse:
    """The logged-in volunteer's page; without a profile yet, the profile form first."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None or request.GET.get("profiel"):
        return _profile(request, volunteer)
    delete_url = reverse("volunteering:mine-delete", args=[request.municipality.slug])
    return _volunteer_page(request, volunteer, request.path, delete_url)


def _profile(request: HttpRequest, volunteer: Volunteer | None) -> HttpResponse:
    user = request.user
    initial = (
        {name: getattr(volunteer, name) for name in ProfileForm.base_fields}
        if volunteer
        else {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if volunteer is None:
            organisation = user.organisation_in(request.municipality)
            programme = (
                Programme.objects.filter(organisation=organisation).order_by("-period_end").first()
                if organisation
                else None
            )
            services.register_volunteer(
                municipality=request.municipality,
                data=form.cleaned_data,
                kind=Volunteer.Kind.EMPLOYEE if programme else Volunteer.Kind.RESIDENT,
                programme=programme,
                user=user,
            )
        else:
            services.update_profile(volunteer=volunteer, data=form.cleaned_data, actor=user)
        messages.success(request, _("Je profiel is opgeslagen."))
        return redirect("volunteering:mine", slug=request.municipality.slug)
    return render(request, "volunteering/profile.html", {"form": form, "volunteer": volunteer})


def _volunteer_page(
    request: HttpRequest, volunteer: Volunteer, here: str, delete_url: str
) -> HttpResponse:
    actor = request.user if request.user.is_authenticated else None
    hours_errors: dict[int, HoursForm] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "parent_mail" and services.awaiting_parent(volunteer):
                if services.ask_parent(volunteer=volunteer):
                    messages.success(request, _("We hebben je ouder de mail opnieuw gestuurd."))
                else:
                    messages.warning(
                        request,
                        _("We sturen je ouder nu geen nieuwe mail: er is er het afgelopen uur al "
                          "een gestuurd, of al drie keer. Vraag je ouder ook bij de ongewenste "
                          "mail te kijken."),
                    )  # fmt: skip
                return redirect(here)
            if action in ("accept", "decline"):
                match = get_object_or_404(volunteer.matches, pk=_int(request.POST.get("match")))
                services.decide(
                    match=match, side="volunteer", accept=action == "accept", actor=actor
                )
                messages.success(
                    request,
                    _("Fijn! De organisatie hoort het.")
                    if action == "accept"
                    else _("Dit voorstel krijg je niet meer."),
                )
                return redirect(here)
            if action == "hours":
                entry = get_object_or_404(
                    TimeEntry.objects.filter(match__volunteer=volunteer),
                    pk=_int(request.POST.get("entry")),
                )
                form = HoursForm(request.POST)
                if form.is_valid():
                    services.correct_hours(entry=entry, actor=actor, **form.cleaned_data)
                    messages.success(request, _("Je uren zijn aangepast."))
                    return redirect(here)
                hours_errors[entry.pk] = form
        except ValidationError as error:
            messages.error(request, " ".join(_errors_of(error)))
            return redirect(here)
    matches = volunteer.matches.select_related("need", "need__organisation").order_by(
        "-proposed_at"
    )
    entries = TimeEntry.objects.filter(match__volunteer=volunteer).select_related("match__need")
    proposals = [
        m
        for m in matches
        if m.status == Match.Status.PROPOSED and m.volunteer_decision == Match.Decision.PENDING
    ]
    # The proposals show the needs' text: a volunteer by personal link is named by id.
    services.record_need_listing(
        needs=[m.need for m in proposals],
        actor=actor,
        municipality=volunteer.municipality,
        volunteer=volunteer.pk,
    )
    context = {
        "volunteer": volunteer,
        "proposals": [(m, selectors.explanation(m)) for m in proposals],
        "matches": [m for m in matches if m.volunteer_decision != Match.Decision.PENDING],
        "entries": [
            (
                e,
                hours_errors.get(e.pk)
                or HoursForm(initial={"date": e.date, "hours": e.hours}, prefix=f"e{e.pk}"),
            )
            for e in entries
        ],
        "remaining": services.remaining_budget(volunteer),
        "is_account": actor is not None and volunteer.user_id == getattr(actor, "pk", None),
        "awaiting_parent": services.awaiting_parent(volunteer),
        "delete_url": delete_url,
    }
    return render(request, "volunteering/volunteer.html", context)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- organisations: needs, proposals, hours, outcomes -------------------------------------


@staff_view("volunteering.post_needs")
def needs(request: HttpRequest) -> HttpResponse:
    user, municipality = request.user, request.municipality
    visible = selectors.needs_for(user, municipality)
    matches = selectors.matches_for_organisation(user, municipality)
    if request.method == "POST" and request.POST.get("action") == "confirm_hours":
        count = services.confirm_hours(
            municipality=municipality,
            entries=TimeEntry.objects.filter(match__in=matches),
            actor=user,
        )
        messages.success(request, _("%(n)d keer uren bevestigd.") % {"n": count})
        return redirect("volunteering:needs", slug=municipality.slug)
    need_list = list(visible.order_by("status", "-created_at")[:200])
    places = selectors.open_places_map(need_list)
    to_decide = list(
        matches.filter(
            status=Match.Status.PROPOSED, organisation_decision=Match.Decision.PENDING
        ).order_by("need", "-score")
    )
    services.record_need_listing(
        needs=[*need_list, *(m.need for m in to_decide)], actor=user, municipality=municipality
    )
    context = {
        "needs": [(n, places[n.pk]) for n in need_list],
        "to_decide": to_decide,
        "hours": TimeEntry.objects.filter(
            match__in=matches, status=TimeEntry.Status.PROPOSED
        ).select_related("match__need", "match__volunteer"),
        "sees_all": selectors.sees_all(user, municipality),
    }
    return render(request, "volunteering/needs.html", context)


@staff_view("volunteering.post_needs")
def need_new(request: HttpRequest) -> HttpResponse:
    user, municipality = request.user, request.municipality
    # The coordinator chooses the organisation below; anyone else posts for their own.
    sees_all = selectors.sees_all(user, municipality)
    organisation = None if sees_all else user.organisation_in(municipality)
    from samen.core.models import Organisation

    organisations = Organisation.objects.order_by("name")
    form = NeedForm(request.POST or None)
    if request.method == "POST":
        chosen = organisations.filter(pk=_int_or_none(request.POST.get("organisation"))).first()
        try:  # asked before the form is checked, so that both show their errors at once
            services.owner_of_new_need(actor=user, municipality=municipality, chosen=chosen)
        except ValidationError as error:
            form.add_error(None, error)
        if form.is_valid():
            need = services.create_need(
                municipality=municipality, organisation=chosen, actor=user, data=form.cleaned_data
            )
            messages.success(request, _("De hulpvraag staat klaar voor het koppelen."))
            return redirect("volunteering:need", slug=municipality.slug, ref=need.reference)
    context = {
        "form": form,
        "organisation": organisation,
        "organisations": organisations if sees_all else None,
    }
    return render(request, "volunteering/need_form.html", context)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@staff_view("staff.home")
def need_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One need with its proposals (the organisation approves), hours and outcomes. Needs of
    other organisations are not found (404), as are needs of other municipalities."""
    user, municipality = request.user, request.municipality
    need = get_object_or_404(selectors.needs_for(user, municipality), reference=ref)
    outcome_forms: dict[int, OutcomeForm] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("accept", "decline"):
                match = get_object_or_404(need.matches, pk=_int(request.POST.get("match")))
                services.decide(
                    match=match, side="organisation", accept=action == "accept", actor=user
                )
                messages.success(
                    request,
                    _("Akkoord opgeslagen.") if action == "accept" else _("Voorstel afgewezen."),
                )
                return redirect(request.path)
            if action == "confirm_hours":
                count = services.confirm_hours(
                    municipality=municipality,
                    entries=TimeEntry.objects.filter(match__need=need),
                    actor=user,
                )
                messages.success(request, _("%(n)d keer uren bevestigd.") % {"n": count})
                return redirect(request.path)
            if action == "outcome":
                match = get_object_or_404(need.matches, pk=_int(request.POST.get("match")))
                form = OutcomeForm(request.POST, prefix=f"m{match.pk}")
                if form.is_valid():
                    services.record_outcome(
                        match=match,
                        actor=user,
                        helped=form.cleaned_data["helped"],
                        people_reached=form.cleaned_data["people_reached"],
                        note=form.cleaned_data["outcome_note"],
                    )
                    messages.success(request, _("Dank voor de terugkoppeling."))
                    return redirect(request.path)
                outcome_forms[match.pk] = form
            if action == "close":
                services.close_need(need=need, actor=user)
                messages.success(request, _("De hulpvraag is gesloten."))
                return redirect(request.path)
        except ValidationError as error:
            messages.error(request, " ".join(_errors_of(error)))
            return redirect(request.path)
    matches = need.matches.select_related("volunteer").order_by("status", "-score")
    services.record_need_read(need=need, actor=user)
    context = {
        "need": need,
        "open_places": services.open_places(need),
        "proposals": [
            (m, selectors.explanation(m)) for m in matches if m.status == Match.Status.PROPOSED
        ],
        "confirmed": [
            (
                m,
                outcome_forms.get(m.pk)
                or OutcomeForm(
                    prefix=f"m{m.pk}",
                    initial={
                        "helped": m.helped,
                        "people_reached": m.people_reached,
                        "outcome_note": m.outcome_note,
                    },
                ),
            )
            for m in matches
            if m.status == Match.Status.CONFIRMED
        ],
        "declined": [m for m in matches if m.status == Match.Status.DECLINED],
        "hours": TimeEntry.objects.filter(match__need=need).select_related("match__volunteer"),
    }
    return render(request, "volunteering/need.html", context)


# --- coordinator: matching ----------------------------------------------------------------


@staff_view("volunteering.match")
def matching_view(request: HttpRequest) -> HttpResponse:
    run = None
    if request.method == "POST":
        run = matching_run.run_matching(municipality=request.municipality, actor=request.user)
        messages.success(
            request,
            _("%(n)d nieuwe voorstellen gedaan.") % {"n": len(run.result.assignments)},
        )
    proposals = list(
        Match.objects.filter(status=Match.Status.PROPOSED)
        .select_related("need", "need__organisation", "volunteer")
        .order_by("-proposed_at", "-score")[:200]
    )
    services.record_need_listing(
        needs=[m.need for m in proposals], actor=request.user, municipality=request.municipality
    )
    context = {
        "run": run,
        "proposals": [(m, selectors.explanation(m)) for m in proposals],
        "counts": {
            "volunteers": Volunteer.objects.filter(active=True).count(),
            "needs": Need.objects.filter(status=Need.Status.OPEN).count(),
            "confirmed": Match.objects.filter(status=Match.Status.CONFIRMED).count(),
        },
    }
    return render(request, "volunteering/matching.html", context)


# --- programme managers -------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_view("volunteering.programme")
def programme(request: HttpRequest) -> HttpResponse:
    """Participation, hours and half-days against the budget, people reached and needs served,
    by period. A programme manager sees only their own organisation's programmes."""
    programmes = list(selectors.programmes_for(request.user, request.municipality))
    if not programmes:
        return render(request, "volunteering/programme.html", {"figures": None})
    chosen = programmes[0]
    wanted = _int_or_none(request.GET.get("programma"))
    if wanted is not None:
        chosen = next((p for p in programmes if p.pk == wanted), None)
        if chosen is None:
            raise Http404
    start, end = _date(request.GET.get("van")), _date(request.GET.get("tot"))
    error = None
    if start and end and end < start:
        error, start, end = _("De einddatum ligt voor de begindatum."), None, None
    figures = selectors.programme_figures(chosen, start, end)
    invite_url = request.build_absolute_uri(
        reverse("volunteering:invite", args=[request.municipality.slug, chosen.invite_token])
    )
    context = {
        "figures": figures,
        "programmes": programmes,
        "chosen": chosen,
        "error": error,
        "invite_url": invite_url,
    }
    return render(request, "volunteering/programme.html", context)
