import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from samen.api import AUTH, municipality_for, validation_problem
from samen.core.tenancy import municipality_scope

from . import scoring, selectors, services
from .models import ContactKind, FiveM, Partner, PartnerRole, Recipient, Sector, StarterItem, Step

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
def list_partnerships(request: HttpRequest, slug: str):
    """Public: every cooperation of the municipality with a business or organisation, what it
    does and contributes in the 5 M's, and where money goes (never to the municipality)."""
    municipality = municipality_for(request, slug)
    with municipality_scope(municipality):
        entries = selectors.register()
    for entry in entries:
        entry.pop("partner")
    return entries


# --- staff: longlist and the five steps ------------------------------------------------------


class CriterionOut(Schema):
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
    breakdown: list[CriterionOut]
    sector: Sector
    kvk_number: str
    step: Step
    shortlisted: bool
    last_spoken_at: dt.datetime | None
    next_contact_on: dt.date | None


class LonglistOut(Schema):
    total: int
    page: int
    pages: int
    maximum_score: int
    results: list[PartnerSummaryOut]


class LonglistFilters(Schema):
    step: Step | None = None
    sector: Sector | None = None
    shortlisted: bool = False
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


def _breakdown(items) -> list[dict]:
    return [
        {"criterion": i.key, "label": i.label, "met": i.met, "weight": i.weight, "points": i.points}
        for i in items
    ]


@router.get(
    "/municipalities/{slug}/partners",
    response=LonglistOut,
    auth=AUTH,
    summary="The ranked longlist of partners",
    operation_id="listPartners",
)
def list_partners(request: HttpRequest, slug: str, filters: Query[LonglistFilters]):
    """Ranked by score (the guide's criteria with the municipality's weights), highest first,
    with each score's breakdown. Coordinators only."""
    municipality = municipality_for(request, slug, "partners.manage")
    with municipality_scope(municipality):
        weights = selectors.weights_of(municipality)
        page = selectors.ranked_longlist(
            weights,
            step=filters.step or "",
            sector=filters.sector or "",
            shortlisted=filters.shortlisted,
            q=filters.q,
            page=filters.page,
            size=filters.page_size,
        )
    return {
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "maximum_score": weights.maximum,
        "results": [
            {
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
            for row in page.rows
        ],
    }


class StepChangeOut(Schema):
    from_step: Step | Literal[""]
    to_step: Step
    at: dt.datetime
    actor: str | None
    note: str


class ContributionOut(Schema):
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
    breakdown: list[CriterionOut]
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
def get_partner(request: HttpRequest, slug: str, partner_id: int):
    """Coordinators see every partner; a partner organisation's user sees its own."""
    municipality = municipality_for(request, slug, "staff.home")
    with municipality_scope(municipality):
        partner = _partner(request, partner_id)
        if not services.may_edit_partner(request.user, partner):
            raise Http404
        return _partner_out(partner)


class StepChangeIn(Schema):
    to_step: Step
    note: str = Field("", max_length=2000)


@router.post(
    "/municipalities/{slug}/partners/{partner_id}/step-changes",
    response={201: PartnerOut},
    auth=AUTH,
    summary="Move a partner to one of the five steps",
    operation_id="createPartnerStepChange",
)
def create_step_change(request: HttpRequest, slug: str, partner_id: int, payload: StepChangeIn):
    """Appends to the step history (date and who). Steps may be taken in any order."""
    municipality = municipality_for(request, slug, "partners.manage")
    with municipality_scope(municipality):
        partner = _partner(request, partner_id)
        try:
            services.move_step(partner=partner, actor=request.user, **payload.dict())
        except DjangoValidationError as error:
            return validation_problem(error)
        partner.refresh_from_db()
        return Status(201, _partner_out(partner))


class ContributionIn(Schema):
    m: FiveM
    description: str = Field(..., min_length=1, max_length=300)
    recipient: Recipient = Recipient.COALITION
    recipient_name: str = Field("", max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    voluntary: bool = Field(
        ...,
        description="The partner knows cooperation is voluntary, never exclusive and gives no "
        "advantage in procurement. Must be true.",
    )


@router.post(
    "/municipalities/{slug}/partners/{partner_id}/contributions",
    response={201: ContributionOut},
    auth=AUTH,
    summary="Record a partner's contribution (5 M's)",
    operation_id="createPartnerContribution",
)
def create_contribution(request: HttpRequest, slug: str, partner_id: int, payload: ContributionIn):
    """Money (m=money) to the municipality is refused with 400: donations or sponsoring of the
    municipality's social policy are excluded. Money to an independent foundation or
    initiative is recorded with its name. Every contribution appears in the public register."""
    municipality = municipality_for(request, slug, "staff.home")
    with municipality_scope(municipality):
        partner = _partner(request, partner_id)
        if not services.may_edit_partner(request.user, partner):
            raise Http404
        data = payload.dict()
        if not data.pop("voluntary"):
            return validation_problem(
                DjangoValidationError(
                    {
                        "voluntary": _(
                            "Samenwerking is altijd vrijwillig: bevestig dat de partner dit weet."
                        )
                    }
                )
            )
        try:
            contribution = services.record_contribution(
                partner=partner, actor=request.user, data=data
            )
        except DjangoValidationError as error:
            return validation_problem(error)
        return Status(
            201,
            {
                "id": contribution.pk,
                "m": contribution.m,
                "description": contribution.description,
                "recipient": contribution.recipient,
                "recipient_name": contribution.recipient_name,
                "amount": contribution.amount,
                "started_on": contribution.started_on,
                "ended_on": contribution.ended_on,
            },
        )


class ContactIn(Schema):
    kind: ContactKind
    at: dt.datetime | None = None
    summary: str = Field("", max_length=4000)
    starter: list[StarterItem] = Field(
        default_factory=list, description="Gespreksstarter items discussed."
    )
    next_contact_on: dt.date | None = None


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
def create_contact(request: HttpRequest, slug: str, partner_id: int, payload: ContactIn):
    """A visit, call, e-mail or meeting, with the conversation starter's checklist."""
    municipality = municipality_for(request, slug, "partners.manage")
    with municipality_scope(municipality):
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
