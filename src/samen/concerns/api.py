import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from samen.api import (
    AUTH,
    InputSchema,
    optional_user,
    rate_limited,
    tenant_endpoint,
    validation_problem,
)

from . import selectors, services
from .forms import ReportForm
from .models import Case, Outcome, Referral
from .models import Status as CaseStatus

router = Router(tags=["Signaalpunt"])


class ConcernIn(InputSchema):
    multiline = frozenset({"description", "location_description"})

    description: str = Field(
        "", max_length=4000, description="Wat is er opgevallen, in eigen woorden."
    )
    signs: list[str] = Field(default_factory=list, description="Codes of recognisable signs.")
    postcode: str = Field("", max_length=7, examples=["1234AB"])
    house_number: str = Field("", max_length=10, examples=["7"])
    street: str = Field("", max_length=120)
    location_description: str = Field("", max_length=500)
    person_name: str = Field("", max_length=120)
    relation: str = Field("", max_length=20)
    person_aware: str = Field("unknown", max_length=10)
    reporter_type: str = Field("other", max_length=20)
    reporter_name: str = Field("", max_length=120)
    reporter_phone: str = Field("", max_length=30)
    reporter_email: str = Field("", max_length=254)
    immediate_danger: bool = Field(False, description="True: call 112; nothing is stored.")


class ConcernCreated(Schema):
    reference: str
    status_token: str
    status_url: str


class ConcernStatusOut(Schema):
    reference: str
    status: Literal["received", "in_progress", "closed"]
    status_label: str
    updated_on: dt.date


@router.post(
    "/municipalities/{slug}/concerns",
    response={201: ConcernCreated},
    auth=None,
    summary="Report a concern (melding doen)",
    operation_id="createConcern",
)
@tenant_endpoint()
def create_concern(request: HttpRequest, slug: str, payload: ConcernIn):
    """Open to everyone, or with a partner organisation's token (e.g. a delivery app).
    The report is committed before the 201 is sent."""
    user = optional_user(request)
    municipality = request.municipality
    if not services.skips_intake_limit(user=user, municipality=municipality) and rate_limited(
        request, group="concern-intake", key="ip", rate=_rate(), increment=True
    ):
        raise HttpError(429, _("Te veel meldingen vanaf dit adres. Probeer het later opnieuw."))
    if payload.immediate_danger:
        raise HttpError(400, _("Bij direct gevaar belt u 112. Er is niets opgeslagen."))
    data = payload.dict()
    form = ReportForm(data=data)
    if not form.is_valid():
        return validation_problem(form)
    submitted = services.submit_report(
        municipality=municipality,
        data=form.cleaned_data,
        source="api",
        reporter_organisation=services.reporting_organisation(user, municipality),
    )
    status_url = request.build_absolute_uri(
        reverse("concerns:status", args=[slug, submitted.status_token])
    )
    return Status(
        201,
        {
            "reference": submitted.report.reference,
            "status_token": submitted.status_token,
            "status_url": status_url,
        },
    )


def _rate() -> str:
    from django.conf import settings

    return settings.SAMEN_CONCERN_RATE


@router.get(
    "/concerns/status/{token}",
    response=ConcernStatusOut,
    auth=None,
    summary="Status of a concern for its reporter",
    operation_id="getConcernStatus",
)
def concern_status(request: HttpRequest, token: str):
    """Only received / in_progress / closed and a date. Never any details."""
    view = selectors.public_status(token)
    if view is None:
        raise HttpError(404, _("Onbekende statuscode."))
    return {
        "reference": view.reference,
        "status": view.status,
        "status_label": view.status_label,
        "updated_on": view.updated_on,
    }


class CaseSummaryOut(Schema):
    id: int
    status: str
    urgency: int
    area: str
    deadline: dt.datetime
    overdue: bool
    contact_attempts: int
    report_count: int
    assignee: str | None


class ReportOut(Schema):
    reference: str
    created_at: dt.datetime
    signs: list[str]
    description: str
    relation: str
    person_aware: str
    reporter_type: str
    reporter_contact: str


class EventOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    from_status: str
    to_status: str
    note: str
    looks_like_contact: bool = Field(
        description="The note seems to hold a phone number or e-mail address: once the case is "
        "closed, blank it with createContactNoteErasure."
    )


class CaseOut(CaseSummaryOut):
    postcode: str
    house_number: str
    street: str
    location_description: str
    person_name: str
    referral: str
    outcome: str
    reports: list[ReportOut]
    events: list[EventOut]


def _summary(case: Case) -> dict:
    return {
        "id": case.pk,
        "status": case.status,
        "urgency": case.urgency,
        "area": case.area,
        "deadline": case.deadline,
        "overdue": case.is_overdue,
        "contact_attempts": case.contact_attempts,
        "report_count": getattr(case, "report_count", None) or case.reports.count(),
        "assignee": case.assignee.username if case.assignee else None,
    }


class CaseFilters(Schema):
    status: CaseStatus | None = None
    overdue: bool = False
    area: str = Field("", max_length=4)


@router.get(
    "/municipalities/{slug}/cases",
    response=list[CaseSummaryOut],
    auth=AUTH,
    summary="The caseworkers' queue",
    operation_id="listCases",
)
@tenant_endpoint("concerns.handle")
def list_cases(request: HttpRequest, slug: str, filters: Query[CaseFilters]):
    """Open cases of the municipality, most urgent first. Caseworkers only."""
    cases = services.list_queue(
        municipality=request.municipality,
        actor=request.user,
        via=getattr(request, "auth_method", "session"),
        limit=500,
        status=filters.status or "",
        overdue=filters.overdue,
        area=filters.area,
    )
    return [_summary(case) for case in cases]


def _case_out(case: Case) -> dict:
    reports = [
        {
            "reference": r.reference,
            "created_at": r.created_at,
            "signs": r.signs,
            "description": r.description,
            "relation": r.relation,
            "person_aware": r.person_aware,
            "reporter_type": r.reporter_type,
            "reporter_contact": " ".join(
                filter(None, [r.reporter_name, r.reporter_phone, r.reporter_email])
            ),
        }
        for r in case.reports.order_by("created_at")
    ]
    flagged = {e.pk for e in selectors.contact_like_notes(case)}
    events = [
        {
            "id": e.pk,
            "looks_like_contact": e.pk in flagged,
            "kind": e.kind,
            "at": e.at,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
        }
        for e in case.events.all()
    ]
    return {
        **_summary(case),
        "postcode": case.postcode,
        "house_number": case.house_number,
        "street": case.street,
        "location_description": case.location_description,
        "person_name": case.person_name,
        "referral": case.referral,
        "outcome": case.outcome,
        "reports": reports,
        "events": events,
    }


@router.get(
    "/municipalities/{slug}/cases/{case_id}",
    response=CaseOut,
    auth=AUTH,
    summary="One case with its personal details (audited)",
    operation_id="getCase",
)
@tenant_endpoint("concerns.handle")
def get_case(request: HttpRequest, slug: str, case_id: int):
    """The person's details, the reports and the history. Every read is written to the audit log."""
    case = get_object_or_404(Case.objects.select_related("assignee"), pk=case_id)
    services.read_case(case=case, actor=request.user)
    return _case_out(case)


class TransitionIn(InputSchema):
    multiline = frozenset({"note"})

    to_status: CaseStatus
    note: str = Field("", max_length=4000)
    outcome: Outcome | Literal[""] = ""
    referral: Referral | Literal[""] = ""
    activity: int | None = Field(None, description="With referral 'activity': the activity's id.")
    handover_text: str = Field(
        "",
        max_length=500,
        description="With a referral: the only text the receiving organisation gets (no name, "
        "address, phone, e-mail: refused). The note stays with the caseworkers.",
    )


@router.post(
    "/municipalities/{slug}/cases/{case_id}/transitions",
    response=CaseSummaryOut,
    auth=AUTH,
    summary="Move a case to its next status",
    operation_id="createCaseTransition",
)
@tenant_endpoint("concerns.handle")
def transition_case(request: HttpRequest, slug: str, case_id: int, payload: TransitionIn):
    """Allowed transitions only; closing needs an outcome, handing over a referral."""
    with transaction.atomic():
        case = get_object_or_404(Case, pk=case_id)
        try:
            case = services.change_status(case=case, actor=request.user, **payload.dict())
        except DjangoValidationError as error:
            return validation_problem(error)
        return _summary(case)


class ContactNoteErasureIn(InputSchema):
    events: list[int] = Field(
        max_length=500, description="Ids of history lines whose note looks like contact details."
    )


class ContactNoteErasureOut(Schema):
    blanked: int = Field(description="How many notes were blanked (only flagged ones are).")


@router.post(
    "/municipalities/{slug}/cases/{case_id}/contact-note-erasures",
    response=ContactNoteErasureOut,
    auth=AUTH,
    summary="Blank notes that look like contact details",
    operation_id="createContactNoteErasure",
)
@tenant_endpoint("concerns.handle")
def erase_contact_notes(
    request: HttpRequest, slug: str, case_id: int, payload: ContactNoteErasureIn
):
    """A reporter's phone number or e-mail typed into a note is not needed once the case is
    closed. Only notes flagged `looks_like_contact` are blanked; a history line says how many."""
    case = get_object_or_404(Case, pk=case_id)
    blanked = services.blank_contact_notes(case=case, actor=request.user, event_ids=payload.events)
    return {"blanked": blanked}


class CountOut(Schema):
    label: str
    count: int | None = Field(
        description="null when suppressed: under 5, or hidden beside a small count so that "
        "the total does not give it away"
    )


class FiguresOut(Schema):
    year: int
    reports: int | None
    cases: int | None
    contacted: int | None
    contacted_in_time: int | None
    in_time_share: int | None
    open: int | None
    by_reporter_type: list[CountOut]
    by_outcome: list[CountOut]


@router.get(
    "/municipalities/{slug}/concern-figures",
    response=FiguresOut,
    auth=AUTH,
    summary="Anonymous figures of the Signaalpunt (counts under 5 are null)",
    operation_id="getConcernFigures",
)
@tenant_endpoint("concerns.view_figures")
def concern_figures(request: HttpRequest, slug: str, year: int = Query(None, ge=2000, le=2100)):
    """Counts without personal details for coordinators. Counts from 1 to 4 are null, so is
    a share computed from a suppressed count, and a second count of a breakdown where the
    total would give a small one away."""
    figures = selectors.figures(year=year or timezone.localdate().year)
    for key in ("by_reporter_type", "by_outcome"):
        figures[key] = [{"label": label, "count": count} for label, count in figures[key]]
    return figures
