import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from samen.api import (
    AUTH,
    Date,
    DateTime,
    InputSchema,
    tenant_endpoint,
    validation_problem,
)

from . import longlist_import, scoring, selectors, services
from .models import (
    ContactKind,
    Contribution,
    FiveM,
    Partner,
    PartnerRole,
    Recipient,
    Sector,
    StarterItem,
    Step,
)

router = Router(tags=["Partners"])


# --- public: the transparency register ------------------------------------------------------


class RegisterContributionOut(Schema):
    m: FiveM = Field(description="mensen (people), middelen (means), massa, media, munten (money)")
    m_label: str
    description: str
    recipient: Recipient
    recipient_label: str
    recipient_name: str = Field(description="The foundation or initiative that receives money.")
    amount: Decimal | None
    started_on: dt.date
    ended_on: dt.date | None
    active: bool


class PartnershipOut(Schema):
    id: int
    organisation: str
    sector: str
    roles: list[str]
    role_codes: list[str]
    description: str
    since: dt.date
    active: bool
    contributions: list[RegisterContributionOut]


@router.get(
    "/municipalities/{slug}/partnerships",
    response=list[PartnershipOut],
    auth=None,
    summary="Transparency register of cooperations with businesses",
    operation_id="listPartnerships",
)
@tenant_endpoint()
def list_partnerships(request: HttpRequest, slug: str):
    """Public: every cooperation of the municipality with a business or organisation, what it
    does and contributes in the 5 M's, and where money goes (never to the municipality)."""
    entries = selectors.register()
    for entry in entries:
        entry.pop("partner")
    return entries


# --- staff: longlist and the five steps ------------------------------------------------------


class ScoreCriterionOut(Schema):
    criterion: str
    label: str
    met: bool
    weight: int
    points: int


class PartnerSummaryOut(Schema):
    id: int
    name: str
    rank: int
    score: int
    breakdown: list[ScoreCriterionOut]
    sector: Sector
    kvk_number: str
    step: Step
    shortlisted: bool
    last_spoken_at: dt.datetime | None
    next_contact_on: dt.date | None


class LonglistOut(Schema):
    total: int
    first_rank: int = Field(description="Rank of the first result on this page.")
    maximum_score: int
    next: str | None = Field(
        description="Cursor of the next page: pass it as `after`; null on the last page."
    )
    previous: str | None = Field(
        description="Cursor of the previous page: pass it as `before`; null on the first page."
    )
    results: list[PartnerSummaryOut]


CURSOR = r"^[0-9]{1,5}\.[0-9]{1,18}$"


class LonglistFilters(Schema):
    step: Step | None = None
    sector: Sector | None = None
    shortlisted: bool = False
    q: str = Field("", max_length=100)
    after: str | None = Field(None, pattern=CURSOR, description="`next` of the previous page.")
    before: str | None = Field(None, pattern=CURSOR, description="`previous` of the next page.")
    page_size: int = Field(50, ge=1, le=200)


def _breakdown(items) -> list[dict]:
    return [
        {"criterion": i.key, "label": i.label, "met": i.met, "weight": i.weight, "points": i.points}
        for i in items
    ]


def _summary(row: dict) -> dict:
    return {
        "id": row["pk"],
        "name": row["organisation__name"],
        "rank": row["rank"],
        "score": row["score"],
        "breakdown": _breakdown(row["breakdown"]),
        "sector": row["sector"],
        "kvk_number": row["kvk_number"],
        "step": row["step"],
        "shortlisted": row["shortlisted"],
        "last_spoken_at": row["last_spoken_at"],
        "next_contact_on": row["next_contact_on"],
    }


@router.get(
    "/municipalities/{slug}/partners",
    response=LonglistOut,
    auth=AUTH,
    summary="The ranked longlist of partners",
    operation_id="listPartners",
)
@tenant_endpoint("partners.manage")
def list_partners(request: HttpRequest, slug: str, filters: Query[LonglistFilters]):
    """Ranked by score (the guide's criteria with the municipality's weights), highest first,
    with each score's breakdown. Paged by cursor: follow `next` (as `after`) or `previous`
    (as `before`). Coordinators only."""
    municipality = request.municipality
    weights = selectors.weights_of(municipality)
    page = selectors.ranked_longlist(
        weights,
        step=filters.step or "",
        sector=filters.sector or "",
        shortlisted=filters.shortlisted,
        q=filters.q,
        after=selectors.Cursor.parse(filters.after),
        before=selectors.Cursor.parse(filters.before),
        size=filters.page_size,
    )
    return {
        "total": page.total,
        "first_rank": page.first,
        "maximum_score": weights.maximum,
        "next": str(page.next) if page.next else None,
        "previous": str(page.previous) if page.previous else None,
        "results": [_summary(row) for row in page.rows],
    }


class StepChangeOut(Schema):
    from_step: Step | Literal[""]
    to_step: Step
    at: dt.datetime
    actor: str | None
    note: str


class ContributionOut(Schema):
    """A contribution in one of the 5 M's."""

    id: int
    m: FiveM
    description: str
    recipient: Recipient
    recipient_name: str
    amount: Decimal | None
    started_on: dt.date
    ended_on: dt.date | None


class PartnerOut(Schema):
    id: int
    name: str
    sector: Sector
    kvk_number: str
    step: Step
    shortlisted: bool
    score: int
    breakdown: list[ScoreCriterionOut]
    roles: list[PartnerRole]
    account_holder: str | None
    last_spoken_at: dt.datetime | None
    next_contact_on: dt.date | None
    steps: list[StepChangeOut]
    contributions: list[ContributionOut]


def _partner(request: HttpRequest, partner_id: int) -> Partner:
    partner = get_object_or_404(
        Partner.objects.select_related("organisation", "account_holder", "municipality"),
        pk=partner_id,
    )
    return partner


def _partner_out(partner: Partner) -> dict:
    weights = selectors.weights_of(partner.municipality)
    row = scoring.instance_row(partner)
    return {
        "id": partner.pk,
        "name": partner.organisation.name,
        "sector": partner.sector,
        "kvk_number": partner.kvk_number,
        "step": partner.step,
        "shortlisted": partner.shortlisted,
        "score": scoring.score(row, weights),
        "breakdown": _breakdown(scoring.breakdown(row, weights)),
        "roles": partner.roles,
        "account_holder": partner.account_holder.username if partner.account_holder else None,
        "last_spoken_at": partner.last_spoken_at,
        "next_contact_on": partner.next_contact_on,
        "steps": [
            {
                "from_step": s.from_step,
                "to_step": s.to_step,
                "at": s.at,
                "actor": s.actor.username if s.actor else None,
                "note": s.note,
            }
            for s in partner.step_changes.select_related("actor")
        ],
        "contributions": [
            {
                "id": c.pk,
                "m": c.m,
                "description": c.description,
                "recipient": c.recipient,
                "recipient_name": c.recipient_name,
                "amount": c.amount,
                "started_on": c.started_on,
                "ended_on": c.ended_on,
            }
            for c in partner.contributions.all()
        ],
    }


@router.get(
    "/municipalities/{slug}/partners/{partner_id}",
    response=PartnerOut,
    auth=AUTH,
    summary="One partner with its score, step history and contributions",
    operation_id="getPartner",
)
@tenant_endpoint("staff.home")
def get_partner(request: HttpRequest, slug: str, partner_id: int):
    """Coordinators see every partner; a partner organisation's user sees its own."""
    partner = _partner(request, partner_id)
    if not services.may_edit_partner(request.user, partner):
        raise Http404
    return _partner_out(partner)


class StepChangeIn(InputSchema):
    multiline = frozenset({"note"})

    to_step: Step
    note: str = Field("", max_length=2000)


@router.post(
    "/municipalities/{slug}/partners/{partner_id}/step-changes",
    response={201: PartnerOut},
    auth=AUTH,
    summary="Move a partner to one of the five steps",
    operation_id="createPartnerStepChange",
)
@tenant_endpoint("partners.manage")
def create_step_change(request: HttpRequest, slug: str, partner_id: int, payload: StepChangeIn):
    """Appends to the step history (date and who). Steps may be taken in any order."""
    partner = _partner(request, partner_id)
    try:
        services.move_step(partner=partner, actor=request.user, **payload.dict())
    except DjangoValidationError as error:
        return validation_problem(error)
    partner.refresh_from_db()
    return Status(201, _partner_out(partner))


class ContributionIn(InputSchema):
    multiline = frozenset({"description"})

    m: FiveM
    description: str = Field(..., min_length=1, max_length=300)
    recipient: Recipient = Recipient.COALITION
    recipient_name: str = Field("", max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    started_on: Date | None = None
    ended_on: Date | None = None
    voluntary: bool = Field(
        ...,
        description="The partner knows cooperation is voluntary, never exclusive and gives no "
        "advantage in procurement. Must be true.",
    )


def _contribution_out(contribution) -> dict:
    return {name: getattr(contribution, name) for name in ("id", *services.CONTRIBUTION_FIELDS)}


def _editable_partner(request: HttpRequest, municipality, partner_id: int) -> Partner:
    """The partner whose contributions the user may change: the coordinator every partner, a
    partner user its own organisation's (others are 404, as unknown). Roles with neither
    permission get 403. Call inside the municipality's scope."""
    user = request.user
    if not (
        user.has_samen_perm(municipality, "partners.manage")
        or user.has_samen_perm(municipality, "partners.own_profile")
    ):
        raise PermissionDenied
    partner = _partner(request, partner_id)
    if not services.may_edit_partner(user, partner):
        raise Http404
    return partner


def _contribution(request: HttpRequest, municipality, partner_id: int, contribution_id: int):
    partner = _editable_partner(request, municipality, partner_id)
    return get_object_or_404(
        Contribution.objects.select_related("partner__organisation", "partner__municipality"),
        pk=contribution_id,
        partner=partner,
    )


@router.post(
    "/municipalities/{slug}/partners/{partner_id}/contributions",
    response={201: ContributionOut},
    auth=AUTH,
    summary="Record a partner's contribution (5 M's)",
    operation_id="createPartnerContribution",
)
@tenant_endpoint("staff.home")
def create_contribution(request: HttpRequest, slug: str, partner_id: int, payload: ContributionIn):
    """Money (m=money) to the municipality is refused with 400: donations or sponsoring of the
    municipality's social policy are excluded. Money to an independent foundation or
    initiative is recorded with its name. Every contribution appears in the public register.
    Coordinators for every partner, a partner organisation's user for its own."""
    municipality = request.municipality
    partner = _editable_partner(request, municipality, partner_id)
    try:
        contribution = services.record_contribution(
            partner=partner, actor=request.user, data=payload.dict()
        )
    except DjangoValidationError as error:
        return validation_problem(error)
    return Status(201, _contribution_out(contribution))


class ContributionPatch(InputSchema):
    multiline = frozenset({"description"})

    m: FiveM | None = None
    description: str | None = Field(None, min_length=1, max_length=300)
    recipient: Recipient | None = None
    recipient_name: str | None = Field(None, max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    started_on: Date | None = None
    ended_on: Date | None = None


@router.patch(
    "/municipalities/{slug}/partners/{partner_id}/contributions/{contribution_id}",
    response=ContributionOut,
    auth=AUTH,
    summary="Change a partner's contribution",
    operation_id="updatePartnerContribution",
)
@tenant_endpoint("staff.home")
def update_contribution(
    request: HttpRequest,
    slug: str,
    partner_id: int,
    contribution_id: int,
    payload: ContributionPatch,
):
    """Only the fields sent change (send `"ended_on": null` to clear the end date). The same
    principles as when recording: money never goes to the municipality (400)."""
    municipality = request.municipality
    contribution = _contribution(request, municipality, partner_id, contribution_id)
    try:
        services.update_contribution(
            contribution=contribution,
            actor=request.user,
            data=payload.dict(exclude_unset=True),
        )
    except DjangoValidationError as error:
        return validation_problem(error)
    return _contribution_out(contribution)


@router.delete(
    "/municipalities/{slug}/partners/{partner_id}/contributions/{contribution_id}",
    response={204: None},
    auth=AUTH,
    summary="Delete a contribution recorded by mistake",
    operation_id="deletePartnerContribution",
)
@tenant_endpoint("staff.home")
def delete_contribution(request: HttpRequest, slug: str, partner_id: int, contribution_id: int):
    """It leaves the public register. A cooperation that stopped is better ended: PATCH
    `ended_on`, and the register shows it as ended."""
    municipality = request.municipality
    contribution = _contribution(request, municipality, partner_id, contribution_id)
    services.delete_contribution(contribution=contribution, actor=request.user)
    return Status(204, None)


class ContactIn(InputSchema):
    multiline = frozenset({"summary"})

    kind: ContactKind
    at: DateTime | None = None
    summary: str = Field("", max_length=4000)
    starter: list[StarterItem] = Field(
        default_factory=list, description="Gespreksstarter items discussed."
    )
    next_contact_on: Date | None = None


class ContactOut(Schema):
    id: int
    kind: ContactKind
    at: dt.datetime
    summary: str
    starter: list[str]


@router.post(
    "/municipalities/{slug}/partners/{partner_id}/contacts",
    response={201: ContactOut},
    auth=AUTH,
    summary="Log a contact with a partner",
    operation_id="createPartnerContact",
)
@tenant_endpoint("partners.manage")
def create_contact(request: HttpRequest, slug: str, partner_id: int, payload: ContactIn):
    """A visit, call, e-mail or meeting, with the conversation starter's checklist."""
    partner = _partner(request, partner_id)
    try:
        contact = services.log_contact(partner=partner, actor=request.user, **payload.dict())
    except DjangoValidationError as error:
        return validation_problem(error)
    return Status(
        201,
        {
            "id": contact.pk,
            "kind": contact.kind,
            "at": contact.at,
            "summary": contact.summary,
            "starter": contact.starter,
        },
    )


# --- staff: import a longlist ------------------------------------------------------------------


class ImportOut(Schema):
    created: int
    updated: int
    errors: list[str] = Field(description="Rows skipped, per line, in Dutch.")
    warnings: list[str]


@router.post(
    "/municipalities/{slug}/partner-imports",
    response={201: ImportOut},
    auth=AUTH,
    summary="Import a longlist from a CSV or XLSX file",
    operation_id="createPartnerImport",
    openapi_extra={"responses": {"413": {"description": "Bestand te groot"}}},
)
@tenant_endpoint("partners.manage")
def create_import(request: HttpRequest, slug: str, file: File[UploadedFile]):
    """Multipart upload (field `file`, at most 5 MB). The first row names the columns
    (naam, sector, adres, postcode, contactpersoon, e-mail, telefoon, kvk, ...). Upserts by KvK
    number, else by name: importing the same file twice changes nothing. Rows with errors are
    skipped and listed; a file that cannot be read (or carries a DTD) is a 400; one over
    5 MB, over 50 MB unpacked or over 400,000 cells is a 413, and nothing is imported.
    Coordinators only."""
    municipality = request.municipality
    try:
        result = services.import_longlist(
            municipality=municipality,
            actor=request.user,
            filename=file.name or "",
            content=file.read(longlist_import.MAX_IMPORT_BYTES + 1),
        )
    except DjangoValidationError as error:
        if any(e.code == longlist_import.TOO_LARGE for e in error.error_list):
            raise HttpError(413, " ".join(error.messages)) from error
        return validation_problem(DjangoValidationError({"file": error.messages}))
    return Status(201, result.__dict__)
