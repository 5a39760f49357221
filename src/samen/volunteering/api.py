import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from samen.api import AUTH, Date, InputSchema, tenant_endpoint, validation_problem
from samen.core.errors import Conflict
from samen.core.models import Organisation

from . import matching_run, selectors, services
from .forms import NeedForm
from .models import Match, Need

router = Router(tags=["Volunteering"])


class NeedIn(InputSchema):
    """Every field has a default: the form checks them and answers in Dutch."""

    multiline = frozenset({"description"})

    organisation: str = Field("", description="Slug of the organisation (coordinator only).")
    kind: str = Field("other", examples=["buddy"])
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    soft_skills: list[str] = Field(default_factory=list, examples=[["empathy", "patience"]])
    interests: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    volunteers_needed: int = 1
    half_days: list[str] = Field(default_factory=list, examples=[["tue_pm"]])
    recurring: bool = False
    schedule: str = Field("", max_length=200)
    start_date: Date | None = None
    end_date: Date | None = None
    place: str = Field("", max_length=200)
    postcode: str = Field("", max_length=7, examples=["9501AB"])
    min_age: int = 16
    vog_required: bool = False
    half_days_per_match: float = 1
    hours_per_match: float = 3
    contact_name: str = Field("", max_length=120)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=30)


class NeedOut(Schema):
    id: int
    organisation: str
    kind: str
    title: str
    description: str
    status: str
    volunteers_needed: int
    open_places: int
    soft_skills: list[str]
    interests: list[str]
    skills: list[str]
    half_days: list[str]
    postcode: str
    min_age: int
    vog_required: bool


class CriterionOut(Schema):
    criterion: str
    points: int
    max: int


class MatchOut(Schema):
    id: int
    need_id: int
    need_title: str
    volunteer: str
    status: str
    organisation_decision: str
    volunteer_decision: str
    score: int
    distance_km: float | None
    explanation: list[CriterionOut]


class RunOut(Schema):
    proposals: int
    objective: int
    greedy_objective: int | None
    certified_optimal: bool
    feasible_pairs: int
    matches: list[MatchOut]


class DecisionIn(InputSchema):
    decision: Literal["accept", "decline", ""] = ""


class ProgrammeFiguresOut(Schema):
    programme: str
    start: dt.date
    end: dt.date
    employees: int
    volunteered: int
    participation_percent: int
    hours_confirmed: float
    half_days_used: float
    half_days_budget: float
    people_reached: int
    needs_served: int


def _need_out(need: Need, open_places: int | None = None) -> dict:
    """`open_places`: worked out for a whole list at once (selectors.open_places_map)."""
    return {
        "id": need.pk,
        "organisation": need.organisation.slug,
        "kind": need.kind,
        "title": need.title,
        "description": need.description,
        "status": need.status,
        "volunteers_needed": need.volunteers_needed,
        "open_places": services.open_places(need) if open_places is None else open_places,
        "soft_skills": need.soft_skills,
        "interests": need.interests,
        "skills": need.skills,
        "half_days": need.half_days,
        "postcode": need.postcode,
        "min_age": need.min_age,
        "vog_required": need.vog_required,
    }


def _match_out(match: Match) -> dict:
    return {
        "id": match.pk,
        "need_id": match.need_id,
        "need_title": match.need.title,
        "volunteer": match.volunteer.name if match.volunteer else "",  # "": erased
        "status": match.status,
        "organisation_decision": match.organisation_decision,
        "volunteer_decision": match.volunteer_decision,
        "score": match.score,
        "distance_km": match.distance_km,
        "explanation": [
            {"criterion": row["criterion"], "points": row["points"], "max": row["max"]}
            for row in selectors.explanation(match)
        ],
    }


@router.get(
    "/municipalities/{slug}/volunteer-needs",
    response=list[NeedOut],
    auth=AUTH,
    summary="Needs of the caller's organisation (all for the coordinator)",
    operation_id="listVolunteerNeeds",
)
@tenant_endpoint("volunteering.post_needs")
def list_needs(request: HttpRequest, slug: str):
    """Open and closed needs the caller may manage, newest first."""
    municipality = request.municipality
    needs = list(selectors.needs_for(request.user, municipality)[:500])
    services.record_need_listing(needs=needs, actor=request.user, municipality=municipality)
    places = selectors.open_places_map(needs)
    return [_need_out(n, places[n.pk]) for n in needs]


@router.post(
    "/municipalities/{slug}/volunteer-needs",
    response={201: NeedOut},
    auth=AUTH,
    summary="Post a need (hulpvraag)",
    operation_id="createVolunteerNeed",
)
@tenant_endpoint("volunteering.post_needs")
def create_need(request: HttpRequest, slug: str, payload: NeedIn):
    """A partner posts for its own organisation; the coordinator names the organisation."""
    data = payload.dict()
    for key in ("start_date", "end_date"):
        data[key] = data[key].isoformat() if data[key] else ""
    form = NeedForm(data=data)
    if not form.is_valid():
        return validation_problem(form)
    chosen = Organisation.objects.filter(slug=payload.organisation).first()
    try:
        need = services.create_need(
            municipality=request.municipality,
            organisation=chosen,
            actor=request.user,
            data=form.cleaned_data,
            source=Need.Source.API,
        )
    except DjangoValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, _need_out(need))


@router.get(
    "/municipalities/{slug}/volunteer-matches",
    response=list[MatchOut],
    auth=AUTH,
    summary="Proposals and matches the caller may see, with the explanation per criterion",
    operation_id="listVolunteerMatches",
)
@tenant_endpoint("staff.home")
def list_matches(request: HttpRequest, slug: str):
    """Organisations see the matches of their needs; a volunteer sees their own."""
    user, municipality = request.user, request.municipality
    if user.has_samen_perm(municipality, "volunteering.post_needs"):
        matches = selectors.matches_for_organisation(user, municipality)
    else:
        volunteer = selectors.volunteer_of(user)
        if volunteer is None or not user.has_samen_perm(municipality, "volunteering.volunteer"):
            return []
        matches = volunteer.matches.select_related("need", "volunteer")
    matches = list(matches[:500])
    services.record_need_listing(
        needs=[m.need for m in matches], actor=user, municipality=municipality
    )
    return [_match_out(m) for m in matches]


@router.post(
    "/municipalities/{slug}/volunteer-matches/{match_id}/decisions",
    response=MatchOut,
    auth=AUTH,
    summary="Accept or decline a proposal",
    operation_id="createVolunteerMatchDecision",
)
@tenant_endpoint("staff.home")
def decide(request: HttpRequest, slug: str, match_id: int, payload: DecisionIn):
    """The need's organisation or the volunteer answers. Declined pairs are never proposed
    again; accepted by both, the match is confirmed and its hours are proposed."""
    user, municipality = request.user, request.municipality
    org_matches = selectors.matches_for_organisation(user, municipality)
    match = org_matches.filter(pk=match_id).first()
    side = "organisation"
    if match is None:
        volunteer = selectors.volunteer_of(user)
        match = volunteer.matches.filter(pk=match_id).first() if volunteer else None
        side = "volunteer"
    if match is None:
        raise HttpError(404, _("Deze bron bestaat niet of is niet voor u zichtbaar."))
    if payload.decision not in ("accept", "decline"):
        raise HttpError(400, _("Kies accept of decline."))
    try:
        match = services.decide(
            match=match, side=side, accept=payload.decision == "accept", actor=user
        )
    except DjangoValidationError as error:
        status = 409 if isinstance(error, Conflict) else 400
        raise HttpError(status, " ".join(error.messages)) from None
    match = get_object_or_404(Match.objects.select_related("need", "volunteer"), pk=match.pk)
    return _match_out(match)


@router.post(
    "/municipalities/{slug}/matching-runs",
    response={201: RunOut},
    auth=AUTH,
    summary="Run the matching",
    operation_id="createMatchingRun",
)
@tenant_endpoint("volunteering.match")
def run_matching(request: HttpRequest, slug: str):
    """Hard constraints first, then the optimal assignment over all open needs. Coordinator
    only. Returns the new proposals with their explanation."""
    municipality = request.municipality
    run = matching_run.run_matching(municipality=municipality, actor=request.user)
    matches = list(
        Match.objects.filter(pk__in=[m.pk for m in run.created]).select_related("need", "volunteer")
    )
    services.record_need_listing(
        needs=[m.need for m in matches], actor=request.user, municipality=municipality
    )
    return Status(
        201,
        {
            "proposals": len(run.result.assignments),
            "objective": run.result.objective,
            "greedy_objective": run.result.greedy_objective,
            "certified_optimal": run.result.certified,
            "feasible_pairs": run.result.feasible_pairs,
            "matches": [_match_out(m) for m in matches],
        },
    )


@router.get(
    "/municipalities/{slug}/programme-figures",
    response=list[ProgrammeFiguresOut],
    auth=AUTH,
    summary="Figures of the caller's own programmes",
    operation_id="listProgrammeFigures",
)
@tenant_endpoint("volunteering.programme")
def programme_figures(request: HttpRequest, slug: str):
    """Participation, hours, half-days against the budget, people reached, needs served.
    A programme manager gets only the programmes of their own organisation."""
    municipality = request.municipality
    rows = []
    for programme in selectors.programmes_for(request.user, municipality):
        f = selectors.programme_figures(programme)
        rows.append(
            {
                "programme": programme.name,
                "start": f["start"],
                "end": f["end"],
                "employees": f["employees"],
                "volunteered": f["volunteered"],
                "participation_percent": f["participation"],
                "hours_confirmed": float(f["hours"]),
                "half_days_used": float(f["half_days"]),
                "half_days_budget": float(f["budget"]),
                "people_reached": f["people_reached"],
                "needs_served": f["needs_served"],
            }
        )
    return rows
