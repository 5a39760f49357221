"""Workshops in the API: the coordinator's meetings (list, plan, put in the agenda). Input is
checked by the same form as the page, so the errors are the same Dutch ones."""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from samen.api import AUTH, DateTime, InputSchema, tenant_endpoint, validation_problem

from . import selectors, services
from .formats import FORMATS, Format
from .forms import MeetingForm
from .models import Meeting

router = Router(tags=["Workshops"])
PERM = "workshops.manage"


class MeetingIn(InputSchema):
    multiline = frozenset({"goal", "notes"})

    format: Format = Field(description="One of the guide's three meeting formats.")
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: DateTime
    duration_minutes: int | None = Field(
        None, ge=15, le=600, description="Empty: the format's duration from the guide."
    )
    place: str = Field(..., min_length=1, max_length=200)
    address: str = Field("", max_length=200)
    postcode: str = Field("", max_length=7)
    goal: str = Field("", max_length=2000, description="Empty: the format's goal from the guide.")
    notes: str = Field("", max_length=5000)


class MeetingOut(Schema):
    id: int
    format: Format
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    place: str
    address: str
    postcode: str
    goal: str
    invited: int = Field(description="Invitations sent or queued.")
    accepted: int = Field(description="Invitees who said they come.")
    declined: int
    activity_id: int | None = Field(description="The activity in the agenda, when published.")


def _out(meeting: Meeting) -> dict:
    return {
        **{k: getattr(meeting, k) for k in ("title", "starts_at", "ends_at", "duration_minutes")},
        **{k: getattr(meeting, k) for k in ("format", "place", "address", "postcode", "goal")},
        "id": meeting.pk,
        "invited": getattr(meeting, "invited", 0),
        "accepted": getattr(meeting, "accepted", 0),
        "declined": getattr(meeting, "declined", 0),
        "activity_id": meeting.activity_id,
    }


@router.get(
    "/municipalities/{slug}/meetings",
    response=list[MeetingOut],
    auth=AUTH,
    summary="The municipality's meetings (the guide's three formats)",
    operation_id="listMeetings",
)
@tenant_endpoint(PERM)
def list_meetings(request: HttpRequest, slug: str):
    """Every meeting, soonest first, with its invitation counts. Coordinators only."""
    return [_out(m) for m in selectors.meetings()[:500]]


@router.post(
    "/municipalities/{slug}/meetings",
    response={201: MeetingOut},
    auth=AUTH,
    summary="Plan a meeting",
    operation_id="createMeeting",
)
@tenant_endpoint(PERM)
def create_meeting(request: HttpRequest, slug: str, payload: MeetingIn):
    """Plans a meeting of one of the three formats; duration and goal default to the guide's."""
    info = FORMATS[payload.format]
    starts = timezone.localtime(
        payload.starts_at
        if timezone.is_aware(payload.starts_at)
        else timezone.make_aware(payload.starts_at)
    )
    form = MeetingForm(
        data={
            **payload.dict(exclude={"format", "starts_at", "duration_minutes", "goal"}),
            "date": starts.date().isoformat(),
            "time": starts.strftime("%H:%M"),
            "duration_minutes": payload.duration_minutes or info.duration_minutes,
            "goal": payload.goal or str(info.goal),
        }
    )
    if not form.is_valid():
        return validation_problem(form)
    try:
        meeting = services.create_meeting(
            municipality=request.municipality,
            actor=request.user,
            format=payload.format,
            data=form.meeting_data(),
        )
    except DjangoValidationError as error:
        return validation_problem(error)
    return Status(201, _out(meeting))


@router.post(
    "/municipalities/{slug}/meetings/{meeting_id}/publication",
    response={201: MeetingOut},
    auth=AUTH,
    summary="Put a meeting in the agenda",
    operation_id="createMeetingPublication",
)
@tenant_endpoint(PERM)
def publish_meeting(request: HttpRequest, slug: str, meeting_id: int):
    """Puts the meeting in the municipality's agenda (again: updates it there). The
    colleagues' exercise is internal: 400."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        services.publish(meeting=meeting, actor=request.user)
    except DjangoValidationError as error:
        return validation_problem(error)
    return Status(201, _out(meeting))
