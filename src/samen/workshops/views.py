"""Pages of workshops: the coordinator's meetings (list, new with the format first, detail
with invitations and answers, edit, invite, outcome, the agenda), and the invitee's public
answer page by the token in their mail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samen.core.access import PublicRequest, StaffRequest, staff_view
from samen.core.forms import add_service_errors
from samen.core.signup_views import visitor_limited
from samen.core.tenancy import public_view

from . import selectors, services
from .formats import FORMATS, Format, InviteeKind
from .forms import (
    MAX_UPLOAD_BYTES,
    ColleaguesForm,
    LonglistForm,
    MeetingForm,
    OutcomeForm,
    PartnersForm,
)
from .models import Meeting

PERM = "workshops.manage"


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk)


def _to_meeting(request: StaffRequest, meeting: Meeting) -> HttpResponse:
    return redirect("workshops:meeting", slug=request.municipality.slug, pk=meeting.pk)


@staff_view(PERM)
def meeting_list(request: StaffRequest) -> HttpResponse:
    upcoming, past = selectors.split(list(selectors.meetings()))
    return render(request, "workshops/list.html", {"upcoming": upcoming, "past": past})


@staff_view(PERM)
def meeting_new(request: StaffRequest) -> HttpResponse:
    """First the format (three cards from the guide), then the form, prefilled from it."""
    chosen = request.GET.get("vorm") or request.POST.get("vorm")
    if chosen not in FORMATS:
        formats = [(value, label, FORMATS[value]) for value, label in Format.choices]
        return render(request, "workshops/choose.html", {"formats": formats})
    info = FORMATS[chosen]
    initial = {
        "title": Format(chosen).label,
        "duration_minutes": info.duration_minutes,
        "goal": info.goal,
        "time": "15:00" if chosen == Format.INSPIRATION else "10:00",
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                municipality=request.municipality,
                actor=request.user,
                format=chosen,
                data=form.meeting_data(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Bijeenkomst gepland. Nodig nu de deelnemers uit."))
            return _to_meeting(request, meeting)
    context = {"form": form, "format": chosen, "format_label": Format(chosen).label, "info": info}
    return render(request, "workshops/form.html", context)


@staff_view(PERM)
def meeting_detail(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    rows = selectors.invitations(meeting)
    context = {"meeting": meeting, "invitations": rows, "counts": selectors.counts(rows)}
    return render(request, "workshops/detail.html", context)


@staff_view(PERM)
def meeting_edit(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    starts = timezone.localtime(meeting.starts_at)
    initial = {
        **{k: getattr(meeting, k) for k in services.MEETING_FIELDS if k != "starts_at"},
        "date": starts.date(),
        "time": starts.time().replace(second=0, microsecond=0),
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(meeting=meeting, actor=request.user, data=form.meeting_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Bijeenkomst opgeslagen."))
            return _to_meeting(request, meeting)
    context = {
        "form": form,
        "meeting": meeting,
        "format": meeting.format,
        "format_label": meeting.get_format_display(),
        "info": meeting.info,
    }
    return render(request, "workshops/form.html", context)


def _initial_message(request: StaffRequest, meeting: Meeting) -> dict[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    sender = "\n".join(
        filter(
            None,
            [
                request.user.get_full_name() or request.user.username,
                _("Regisseur eenzaamheid, gemeente %(g)s") % {"g": request.municipality.name},
                request.user.email,
            ],
        )
    )
    values = {
        "gemeente": request.municipality.name,
        "datum": date_format(starts, "l j F"),
        "tijd": date_format(starts, "H:i"),
        "afzender": sender,
    }
    return {"subject": str(meeting.info.subject), "message": str(meeting.info.message) % values}


@staff_view(PERM)
def meeting_invite(request: StaffRequest, pk: int) -> HttpResponse:
    """Colleagues by typed addresses (the colleagues' exercise) or partners from the longlist
    (the two other formats)."""
    meeting = _meeting(pk)
    data = request.POST if request.method == "POST" else None
    initial = _initial_message(request, meeting)
    colleagues = meeting.info.invitee == InviteeKind.COLLEAGUE
    partners: list[dict] = []
    form: ColleaguesForm | PartnersForm
    if colleagues:
        form = ColleaguesForm(data, initial=initial)
    else:
        partners = services.partner_rows()
        invited = {i.partner_id for i in meeting.invitations.exclude(partner_id=None)}
        for row in partners:
            row["invited"] = row["pk"] in invited
        choices = [(row["pk"], row["name"]) for row in partners]
        form = PartnersForm(data, initial=initial, choices=choices)
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            if isinstance(form, ColleaguesForm):
                result = services.invite_colleagues(
                    meeting=meeting,
                    actor=request.user,
                    emails=cleaned["emails"],
                    subject=cleaned["subject"],
                    message=cleaned["message"],
                )
            else:
                result = services.invite_partners(
                    meeting=meeting,
                    actor=request.user,
                    partner_ids=cleaned["partners"],
                    subject=cleaned["subject"],
                    message=cleaned["message"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(n)d uitnodiging(en) worden verstuurd.") % {"n": result.created}
            )
            if result.already:
                messages.info(
                    request,
                    _("Al eerder uitgenodigd: %(w)s.") % {"w": ", ".join(result.already[:20])},
                )
            if result.without_email:
                messages.warning(
                    request,
                    _("Geen e-mailadres bekend, niet uitgenodigd: %(w)s.")
                    % {"w": ", ".join(result.without_email[:20])},
                )
            return _to_meeting(request, meeting)
    context = {
        "meeting": meeting,
        "form": form,
        "colleagues": colleagues,
        "partners": partners,
    }
    return render(request, "workshops/invite.html", context)


@staff_view(PERM)
def meeting_outcome(request: StaffRequest, pk: int) -> HttpResponse:
    """The outcome as text; for the colleagues' exercise also its longlist file, imported
    straight into the partners' longlist."""
    meeting = _meeting(pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = OutcomeForm(
        request.POST if action == "outcome" else None, initial={"outcome": meeting.outcome}
    )
    upload = LonglistForm(
        request.POST if action == "longlist" else None,
        request.FILES if action == "longlist" else None,
    )
    result = None
    if action == "outcome" and form.is_valid():
        services.save_outcome(
            meeting=meeting, actor=request.user, outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, _("Opbrengst opgeslagen."))
        return _to_meeting(request, meeting)
    if action == "longlist" and upload.is_valid():
        file = upload.cleaned_data["file"]
        try:
            result = services.import_longlist(
                meeting=meeting,
                actor=request.user,
                filename=file.name,
                content=file.read(MAX_UPLOAD_BYTES),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(upload, error)
            else:
                upload.add_error("file", error)
    context = {"meeting": meeting, "form": form, "upload": upload, "result": result}
    return render(request, "workshops/outcome.html", context)


@require_POST
@staff_view(PERM)
def meeting_publish(request: StaffRequest, pk: int) -> HttpResponse:
    """POST: put the meeting in the agenda (again: update it there) or take it out."""
    meeting = _meeting(pk)
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.publish(meeting=meeting, actor=request.user)
            messages.success(request, _("De bijeenkomst staat in de agenda."))
        elif action == "unpublish":
            services.unpublish(meeting=meeting, actor=request.user)
            messages.success(request, _("De bijeenkomst staat niet meer in de agenda."))
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return _to_meeting(request, meeting)


# --- the invitee's answer ----------------------------------------------------------------------


@never_cache
@public_view
def rsvp(request: PublicRequest, token: str) -> HttpResponse:
    """The link in the invitation: a page with two buttons (a mail scanner opening the link
    answers nothing); the answer is a POST. No account needed; limited per client."""
    if visitor_limited(request, "workshops-rsvp"):
        return render(
            request,
            "workshops/rsvp.html",
            {"limited": True},
            status=429,
        )
    invitation = services.invitation_for_token(municipality=request.municipality, token=token)
    if invitation is None:
        raise Http404
    error = ""
    answered = False
    if request.method == "POST" and request.POST.get("answer") in ("ja", "nee"):
        try:
            services.answer(
                municipality=request.municipality,
                token=token,
                coming=request.POST["answer"] == "ja",
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            answered = True
            invitation.refresh_from_db()
    context = {
        "invitation": invitation,
        "meeting": invitation.meeting,
        "answered": answered,
        "error": error,
    }
    return render(request, "workshops/rsvp.html", context, status=400 if error else 200)


@never_cache
def rsvp_short(request: HttpRequest, token: str) -> HttpResponse:
    """`/uitnodiging/<token>/` without the municipality: to the answer page of its invitation
    (the mails link there directly). Limited per client like the page itself."""
    if visitor_limited(request, "workshops-rsvp"):
        return render(request, "workshops/rsvp.html", {"limited": True}, status=429)
    slug = services.municipality_of_token(token)
    if slug is None:
        raise Http404
    return redirect("workshops:rsvp", slug=slug, token=token)
