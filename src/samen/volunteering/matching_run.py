"""The matching run: today's pool of volunteers and open needs, handed to the optimiser in
matching.py (no Django there), and the proposals it returns saved as matches."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from samen.core import audit
from samen.core.models import Municipality
from samen.core.places import pc4, postcode_point

from . import matching
from .models import HalfDay, Interest, Language, Match, Need, Skill, SoftSkill, Volunteer
from .services import CONSENT_BELOW, MDT_MAX_AGE, MDT_MIN_AGE, _used_by_volunteer, age_on


@dataclass
class MatchingRun:
    result: matching.Result
    created: list[Match]
    volunteers: int
    needs: int


def _pool_and_needs(municipality: Municipality, today: dt.date):
    volunteers = list(
        Volunteer.objects.filter(active=True).select_related("programme").order_by("pk")
    )
    needs = list(
        Need.objects.filter(status=Need.Status.OPEN)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("pk")
    )
    pending = set(
        Match.objects.filter(
            status=Match.Status.PROPOSED, volunteer_decision=Match.Decision.PENDING
        ).values_list("volunteer_id", flat=True)
    )
    taken: dict[int, int] = {}
    for need_id in Match.objects.exclude(status=Match.Status.DECLINED).values_list(
        "need_id", flat=True
    ):
        taken[need_id] = taken.get(need_id, 0) + 1
    used: dict[int, Decimal] = {}
    for programme in {v.programme for v in volunteers if v.programme}:
        ids = [v.pk for v in volunteers if v.programme_id == programme.pk]
        used.update(_used_by_volunteer(programme, ids))

    places: dict[str, int] = {}
    coordinates: list[tuple[float, float]] = []

    def place(postcode: str) -> int:
        code = pc4(postcode)
        if code is None:
            return -1
        if code not in places:
            point = postcode_point(postcode)
            if point is None:
                places[code] = -1
                return -1
            places[code] = len(coordinates)
            coordinates.append((point.latitude, point.longitude))
        return places[code]

    def remaining(v: Volunteer) -> float:
        if v.programme is None:
            return matching.UNLIMITED
        if not v.programme.in_period(today):
            return 0.0
        return float(v.programme.half_days_per_employee - used.get(v.pk, Decimal(0)))

    def age(v: Volunteer) -> int:
        if v.date_of_birth is None:
            return 0 if v.kind == Volunteer.Kind.MDT else matching.ADULT_AGE
        return age_on(v.date_of_birth, today)

    def eligible(v: Volunteer, where: int) -> bool:
        if where < 0 or v.pk in pending:
            return False
        if v.kind == Volunteer.Kind.MDT:
            years = age(v)
            return MDT_MIN_AGE <= years <= MDT_MAX_AGE and (
                years >= CONSENT_BELOW or v.parent_confirmed_at is not None
            )
        return True

    v_place = [place(v.postcode) for v in volunteers]
    n_place = [place(n.postcode) for n in needs]
    pool = matching.Pool(
        ids=np.array([v.pk for v in volunteers], dtype=np.int64),
        age=np.array([age(v) for v in volunteers], dtype=np.int16),
        vog=np.array([v.vog == Volunteer.Vog.VALID for v in volunteers], dtype=bool),
        availability=np.array(
            [matching.bits(v.availability, HalfDay.values) for v in volunteers], dtype=np.uint16
        ),
        soft_skills=_bits(volunteers, "soft_skills", SoftSkill.values),
        skills=_bits(volunteers, "skills", Skill.values),
        interests=_bits(volunteers, "interests", Interest.values),
        languages=_bits(volunteers, "languages", Language.values),
        place=np.array([max(p, 0) for p in v_place], dtype=np.int32),
        max_km=np.array([float(v.max_distance_km) for v in volunteers], dtype=np.float64),
        budget=np.array([remaining(v) for v in volunteers], dtype=np.float64),
        eligible=np.array(
            [eligible(v, p) for v, p in zip(volunteers, v_place, strict=True)], dtype=bool
        ),
    )
    need_set = matching.NeedSet(
        ids=np.array([n.pk for n in needs], dtype=np.int64),
        min_age=np.array([n.min_age for n in needs], dtype=np.int16),
        vog=np.array([n.vog_required for n in needs], dtype=bool),
        half_days=np.array(
            [matching.bits(n.half_days, HalfDay.values) for n in needs], dtype=np.uint16
        ),
        soft_skills=_bits(needs, "soft_skills", SoftSkill.values),
        skills=_bits(needs, "skills", Skill.values),
        interests=_bits(needs, "interests", Interest.values),
        languages=_bits(needs, "languages", Language.values),
        place=np.array([max(p, 0) for p in n_place], dtype=np.int32),
        cost=np.array([float(n.half_days_per_match) for n in needs], dtype=np.float64),
        capacity=np.array(
            [
                0 if p < 0 else max(0, n.volunteers_needed - taken.get(n.pk, 0))
                for n, p in zip(needs, n_place, strict=True)
            ],
            dtype=np.int32,
        ),
    )
    # A pair that was ever proposed (declined, pending or confirmed) is never proposed again.
    v_index = {v.pk: i for i, v in enumerate(volunteers)}
    n_index = {n.pk: j for j, n in enumerate(needs)}
    pairs = [
        (v_index[v], n_index[n])
        for v, n in Match.objects.values_list("volunteer_id", "need_id")
        if v in v_index and n in n_index
    ]
    excluded = (
        np.array([p[0] for p in pairs], dtype=np.int64),
        np.array([p[1] for p in pairs], dtype=np.int64),
    )
    distances = matching.distance_table(coordinates)
    return volunteers, needs, pool, need_set, excluded, distances


def _bits(rows, attribute: str, vocabulary) -> np.ndarray:
    return np.array(
        [matching.bits(getattr(r, attribute), vocabulary) for r in rows], dtype=np.uint32
    )


def run_matching(*, municipality: Municipality, actor=None, dry_run: bool = False) -> MatchingRun:
    """Propose the optimal set of new matches for the municipality (in its scope): the
    coordinator, or the `samen match` command (no actor)."""
    if actor is not None and not actor.has_samen_perm(municipality, "volunteering.match"):
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        volunteers, needs, pool, need_set, excluded, distances = _pool_and_needs(
            municipality, today
        )
        result = matching.match(pool, need_set, distances, excluded=excluded, with_greedy=True)
        created: list[Match] = []
        if not dry_run and result.assignments:
            by_volunteer = {v.pk: v for v in volunteers}
            by_need = {n.pk: n for n in needs}
            now = timezone.now()
            created = Match.objects.bulk_create(
                [
                    Match(
                        municipality=municipality,
                        need=by_need[a.need],
                        volunteer=by_volunteer[a.volunteer],
                        programme=by_volunteer[a.volunteer].programme,
                        score=a.score,
                        breakdown=a.breakdown,
                        distance_km=a.distance_km,
                        half_days=by_need[a.need].half_days_per_match,
                        proposed_at=now,
                    )
                    for a in result.assignments
                ]
            )
        audit.record(
            action="volunteering.matching_run",
            actor=actor,
            municipality=municipality,
            proposals=len(result.assignments),
            objective=result.objective,
            dry_run=dry_run,
        )
    return MatchingRun(result, created, len(volunteers), len(needs))
