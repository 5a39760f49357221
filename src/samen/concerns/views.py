from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from samen.core import csvfile
from samen.core.access import staff_view
from samen.core.suppression import THRESHOLD, shown
from samen.core.tenancy import public_view

from . import selectors, services
from .forms import AssignForm, NoteForm, ReportForm, TransitionForm
from .models import Case, ReporterType, Status, Urgency


@never_cache
@public_view
def report(request: HttpRequest) -> HttpResponse:
    """The public form: anyone reports a concern in two minutes, without an account."""
    municipality = request.municipality
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not services.skips_intake_limit(
            user=request.user, municipality=municipality
        ) and is_ratelimited(
            request,
            group="concern-intake",
            key="ip",
            rate=settings.SAMEN_CONCERN_RATE,
            increment=True,
        ):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "U hebt in korte tijd veel meldingen gedaan. Probeer het over een uur opnieuw, "
                    "of bel het Signaalpunt."
                ),
            )
            return render(request, "concerns/report.html", {"form": form}, status=429)
        if request.POST.get("immediate_danger"):
            return render(request, "concerns/danger.html")
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A bot filled in the hidden field: show the thanks page, store nothing.
                return render(request, "concerns/danger.html", {"bot": True})
            submitted = services.submit_report(
                municipality=municipality, data=form.cleaned_data, source="web"
            )
            url = reverse("concerns:status", args=[municipality.slug, submitted.status_token])
            return redirect(f"{url}?nieuw=1")
    return render(request, "concerns/report.html", {"form": form})


@never_cache
@public_view
def status(request: HttpRequest, token: str) -> HttpResponse:
    view = selectors.public_status(token)
    if view is None or view.municipality != request.municipality:
        raise Http404
    return render(request, "concerns/status.html", {"view": view, "token": token})


@staff_view("concerns.handle")
def queue(request: HttpRequest) -> HttpResponse:
    get = request.GET
    assignee = request.user if get.get("mine") else None
    filters = {
        "status": get.get("status", "") if get.get("status") in Status.values else "",
        "urgency": int(get["urgency"]) if get.get("urgency") in {"1", "2", "3"} else None,
        "overdue": bool(get.get("overdue")),
        "area": get.get("area", "")[:4] if get.get("area", "").isdigit() else "",
        "reporter_type": get.get("reporter_type")
        if get.get("reporter_type") in ReporterType.values
        else "",
        "include_closed": bool(get.get("closed")),
        "order": get.get("order", "urgency"),
    }
    cases = services.list_queue(
        municipality=request.municipality,
        actor=request.user,
        via="web",
        limit=200,
        assignee=assignee,
        **filters,
    )
    context = {
        "cases": cases,
        "filters": filters,
        "mine": bool(assignee),
        "statuses": Status.choices,
        "urgencies": Urgency.choices,
        "reporter_types": ReporterType.choices,
        "now": timezone.now(),
    }
    return render(request, "concerns/queue.html", context)


@staff_view("concerns.handle")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("assignee"), pk=pk)
    caseworkers = services.caseworkers_of(request.municipality)
    assign_form = AssignForm(initial={"assignee": case.assignee_id}, caseworkers=caseworkers)
    transition_form = TransitionForm(case=case)
    note_form = NoteForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                assign_form = AssignForm(request.POST, caseworkers=caseworkers)
                if assign_form.is_valid():
                    services.assign(
                        case=case, actor=request.user, assignee=assign_form.cleaned_data["assignee"]
                    )
                    messages.success(request, _("Toewijzing opgeslagen."))
                    return redirect("concerns:case", slug=request.municipality.slug, pk=case.pk)
            elif action == "transition":
                transition_form = TransitionForm(request.POST, case=case)
                if transition_form.is_valid():
                    services.change_status(
                        case=case, actor=request.user, **transition_form.cleaned_data
                    )
                    messages.success(request, _("Status bijgewerkt."))
                    return redirect("concerns:case", slug=request.municipality.slug, pk=case.pk)
            elif action == "note":
                note_form = NoteForm(request.POST)
                if note_form.is_valid():
                    services.add_note(
                        case=case, actor=request.user, note=note_form.cleaned_data["note"]
                    )
                    messages.success(request, _("Notitie toegevoegd."))
                    return redirect("concerns:case", slug=request.municipality.slug, pk=case.pk)
            elif action == "blank_notes":
                chosen = [int(v) for v in request.POST.getlist("events") if v.isdigit()]
                blanked = services.blank_contact_notes(
                    case=case, actor=request.user, event_ids=chosen
                )
                if blanked:
                    messages.success(request, _("Contactgegevens gewist."))
                return redirect("concerns:case", slug=request.municipality.slug, pk=case.pk)
        except ValidationError as error:
            transition_form.add_error(
                None, error
            ) if action == "transition" else assign_form.add_error(None, error)
    services.read_case(case=case, actor=request.user)
    context = {
        "case": case,
        "reports": case.reports.select_related("reporter_organisation").order_by("created_at"),
        "events": case.events.select_related("actor"),
        "distinct_reporters": selectors.distinct_reporters(case),
        "assign_form": assign_form,
        "transition_form": transition_form,
        "note_form": note_form,
        # Once a case closes, offer to blank notes that look like a reporter's contact details.
        "contact_notes": selectors.contact_like_notes(case) if not case.is_open else [],
    }
    return render(request, "concerns/case.html", context)


def _year(request: HttpRequest) -> int:
    year = timezone.localdate().year
    if request.GET.get("year", "").isdigit():
        year = max(2000, min(2100, int(request.GET["year"])))
    return year


@staff_view("concerns.view_figures")
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The anonymous figures as CSV. Never personal details; small counts stay suppressed."""
    year = _year(request)
    rows: list[list] = [[_("onderdeel"), _("categorie"), _("aantal")]]
    data = selectors.figures(year=year)
    for key, label in (
        ("reports", _("signalen")),
        ("cases", _("personen")),
        ("open", _("nog open")),
    ):
        rows.append([label, "", shown(data[key])])
    for label, count in data["by_reporter_type"]:
        rows.append([_("soort melder"), label, shown(count)])
    for label, count in data["by_outcome"]:
        rows.append([_("uitkomst"), label, shown(count)])
    for row in selectors.partner_feedback():
        area = row["area"] or "-"
        rows.append(
            [
                _("signalen per gebied"),
                f"{row['reporter_type_label']} {area}",
                shown(row["signals"]),
            ]
        )
    return csvfile.response(rows, f"signaalpunt-{request.municipality.slug}-{year}.csv")


@staff_view("concerns.view_figures")
def figures(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {
        "figures": selectors.figures(year=year),
        "feedback": selectors.partner_feedback(),
        "year": year,
        "suppress_below": THRESHOLD,
    }
    return render(request, "concerns/figures.html", context)


@staff_view("staff.home")
def feedback(request: HttpRequest) -> HttpResponse:
    """Feedback to partners: what their signals led to, without any details."""
    context = {"feedback": selectors.partner_feedback(), "suppress_below": THRESHOLD}
    return render(request, "concerns/feedback.html", context)
