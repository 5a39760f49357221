"""Every change in volunteering goes through these functions: keyword-only, one transaction
each, written to the audit log. Views, API and the `samen match` command call them."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit, signup
from samen.core.errors import Conflict
from samen.core.models import Municipality, Organisation, User
from samen.core.places import pc4, postcode_point

from . import matching
from .models import (
    HalfDay,
    Interest,
    Language,
    Match,
    Need,
    Programme,
    Skill,
    SoftSkill,
    TimeEntry,
    Volunteer,
    hash_token,
    labels,
    new_token,
)

MDT_MIN_AGE, MDT_MAX_AGE, CONSENT_BELOW = 12, 30, 16


# --- volunteers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    volunteer: Volunteer
    token: str  # the personal link; only its hash is stored


def programme_for_email(email: str) -> Programme | None:
    """A running programme whose e-mail domain matches (employees join by domain)."""
    domain = email.rpartition("@")[2].lower()
    if not domain:
        return None
    today = timezone.localdate()
    return (
        Programme.objects.filter(
            email_domain__iexact=domain, period_start__lte=today, period_end__gte=today
        )
        .order_by("pk")
        .first()
    )


def _check_age(data: dict[str, Any], kind: str) -> None:
    if kind != Volunteer.Kind.MDT:
        return
    born = data.get("date_of_birth")
    if born is None:
        raise ValidationError({"date_of_birth": _("Vul je geboortedatum in.")})
    age = age_on(born, timezone.localdate())
    if not MDT_MIN_AGE <= age <= MDT_MAX_AGE:
        raise ValidationError(
            {"date_of_birth": _("MDT is voor jongeren van 12 tot en met 30 jaar.")}
        )
    if age < CONSENT_BELOW:
        parent = signup.normal_email(data.get("parent_email") or "")
        if not parent or not data.get("parent_name"):
            raise ValidationError(
                {"parent_email": _("Vul de naam en het e-mailadres van je ouder in.")}
            )
        if parent == signup.normal_email(data.get("email") or ""):
            raise ValidationError(
                {
                    "parent_email": _(
                        "Vul het e-mailadres van je ouder in, niet je eigen: je ouder "
                        "bevestigt je aanmelding."
                    )
                }
            )


def needs_parent(kind: str, born: dt.date | None, day: dt.date | None = None) -> bool:
    """Under 16 in MDT: a parent confirms before the volunteer takes part."""
    if kind != Volunteer.Kind.MDT or born is None:
        return False
    return age_on(born, day or timezone.localdate()) < CONSENT_BELOW


def register_volunteer(
    *,
    municipality: Municipality,
    data: dict[str, Any],
    kind: str,
    programme: Programme | None = None,
    user: User | None = None,
    token: str | None = None,
) -> Registration:
    """A volunteer signs up: an employee (by invitation link, e-mail domain or account) or a
    young person in MDT (12-30; under 16 with a parent's consent). Without an account this
    runs only once the address is confirmed (`confirm_registration`); `token` is then the
    personal link derived from the confirmation link."""
    if programme is None and kind == Volunteer.Kind.EMPLOYEE:
        programme = programme_for_email(data.get("email", ""))
    _check_age(data, kind)
    token = token or new_token()
    fields = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    waiting = needs_parent(kind, fields.get("date_of_birth"))
    with transaction.atomic():
        volunteer = Volunteer.objects.create(
            municipality=municipality,
            kind=kind,
            programme=programme,
            user=user,
            token_hash=hash_token(token),
            active=not waiting,
            **fields,
        )
        audit.record(
            action="volunteering.volunteer_registered",
            actor=user,
            obj=volunteer,
            kind=kind,
            programme=programme.pk if programme else None,
            awaiting_parent=waiting,
        )
    if waiting:
        ask_parent(volunteer=volunteer)
    return Registration(volunteer, token)


PARENT_SIGNUP = "volunteer-parent"  # the parent's confirmation, in samen.core.signup
# Mails to the parent per child at most: the child may ask again, a stranger's address is not
# mailed every hour of the week.
PARENT_MAILS = 3


def awaiting_parent(volunteer: Volunteer) -> bool:
    return (
        not volunteer.active
        and volunteer.parent_confirmed_at is None
        and bool(volunteer.parent_email)
        and needs_parent(volunteer.kind, volunteer.date_of_birth)
    )


def ask_parent(*, volunteer: Volunteer) -> bool:
    """Mail the parent what their child signed up for and the confirmation link. Only the
    kind, programme, dagdelen and interests: no name, address or birth date of the child
    (the address is typed by the child). One mail per address per hour like every sign-up,
    PARENT_MAILS per child; False when this one was not sent (the child can ask again on
    the personal page)."""
    from samen.core.models import Signup

    municipality = volunteer.municipality
    sent = Signup.objects.filter(
        municipality=municipality, purpose=PARENT_SIGNUP, data__volunteer=volunteer.pk
    )
    if sent.count() >= PARENT_MAILS:
        return False
    lines = [
        _("Soort: %(kind)s") % {"kind": volunteer.get_kind_display()},
        _("Dagdelen: %(days)s") % {"days": ", ".join(labels(HalfDay, volunteer.availability))},
    ]
    if volunteer.programme:
        lines.insert(1, _("Programma: %(name)s") % {"name": volunteer.programme.name})
    if volunteer.interests:
        lines.append(
            _("Interesses: %(i)s") % {"i": ", ".join(labels(Interest, volunteer.interests))}
        )
    summary = "\n".join(f"- {line}" for line in lines).replace("%", "%%")
    return signup.start(
        municipality=municipality,
        purpose=PARENT_SIGNUP,
        email=volunteer.parent_email,
        data={"volunteer": volunteer.pk},
        confirm_view="volunteering:parent-confirm",
        subject=_("Uw kind wil vrijwilliger worden in %(m)s") % {"m": municipality.name},
        body=_(
            "Goedendag,\n\nUw kind heeft zich aangemeld als vrijwilliger in %(m)s en uw "
            "e-mailadres opgegeven. Onder de 16 jaar doet uw kind pas mee als u toestemming "
            "geeft. Uw kind heeft zich aangemeld voor:\n\n%(summary)s\n\nGeeft u "
            "toestemming? Bevestig dat dan met deze link:\n\n%%(link)s\n\nKent u deze "
            "aanmelding niet, of geeft u geen toestemming? Dan hoeft u niets te doen: zonder "
            "uw bevestiging wordt de aanmelding na %(days)d dagen verwijderd.\n\nSamen"
        )
        % {"m": municipality.name, "summary": summary, "days": signup.CONFIRM_WITHIN.days},
    )


def confirm_parent(*, municipality: Municipality, token: str) -> Volunteer | None:
    """The parent clicked the button: the confirmation is recorded with its date and the
    child takes part. None: an unknown or expired link, or a sign-up deleted meanwhile."""
    with transaction.atomic():
        confirmed = signup.confirm(municipality=municipality, purpose=PARENT_SIGNUP, token=token)
        if confirmed is None:
            return None
        volunteer = (
            Volunteer.objects.select_for_update()
            .filter(pk=confirmed.signup.data.get("volunteer"))
            .first()
        )
        if volunteer is None:
            return None
        if volunteer.parent_confirmed_at is None:
            volunteer.parent_confirmed_at = timezone.now()
            volunteer.active = True
            volunteer.save(update_fields=["parent_confirmed_at", "active"])
            audit.record(action="volunteering.parent_confirmed", obj=volunteer)
    return volunteer


VOLUNTEER_SIGNUP = "volunteer"  # the purpose of these sign-ups in samen.core.signup


def request_registration(
    *,
    municipality: Municipality,
    data: dict[str, Any],
    kind: str,
    programme: Programme | None = None,
) -> bool:
    """A visitor signs up as a volunteer: the form is checked now, but the volunteer (and the
    personal page) exists only once the address is confirmed. One confirmation mail per
    address per hour; False when this one was not sent."""

    _check_age(data, kind)

    fields = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    return signup.start(
        municipality=municipality,
        purpose=VOLUNTEER_SIGNUP,
        email=data["email"],
        data={"kind": kind, "programme": programme.pk if programme else None, "fields": fields},
        confirm_view="volunteering:confirm",
        subject=_("Bevestig je aanmelding als vrijwilliger in %(m)s") % {"m": municipality.name},
        body=_(
            "Hallo,\n\nJij (of iemand anders) hebt dit adres opgegeven om vrijwilliger te worden "
            "in %(m)s. Bevestig je aanmelding met deze link; daarna kom je op je eigen pagina:"
            "\n\n%%(link)s\n\nHeb je je niet aangemeld? Dan hoef je niets te doen.\n\nSamen"
        )
        % {"m": municipality.name},
    )


def confirm_registration(*, municipality: Municipality, token: str) -> Registration | None:
    """The link was clicked: the volunteer exists, with a personal link derived from this
    one (so clicking it again shows the same page). None: unknown or expired link."""
    personal = signup.personal_token(token, VOLUNTEER_SIGNUP)
    with transaction.atomic():
        confirmed = signup.confirm(municipality=municipality, purpose=VOLUNTEER_SIGNUP, token=token)
        if confirmed is None:
            return None
        if not confirmed.first:
            volunteer = volunteer_by_token(personal)
            return Registration(volunteer, personal) if volunteer else None
        data = confirmed.signup.data
        fields = dict(data["fields"])
        if fields.get("date_of_birth"):
            fields["date_of_birth"] = dt.date.fromisoformat(fields["date_of_birth"])
        programme = (
            Programme.objects.filter(pk=data["programme"]).first() if data["programme"] else None
        )
        try:
            return register_volunteer(
                municipality=municipality,
                data=fields,
                kind=data["kind"],
                programme=programme,
                token=personal,
            )
        except ValidationError:  # e.g. turned 31 in the meantime: sign up again
            transaction.set_rollback(True)
            return None


PROFILE_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "parent_name",
    "parent_email",
    "skills",
    "soft_skills",
    "interests",
    "availability",
    "languages",
    "postcode",
    "max_distance_km",
    "vog",
}


def update_profile(*, volunteer: Volunteer, data: dict[str, Any], actor=None) -> Volunteer:
    with transaction.atomic():
        for key, value in data.items():
            if key in PROFILE_FIELDS:
                setattr(volunteer, key, value)
        volunteer.save()
        audit.record(action="volunteering.profile_updated", actor=actor, obj=volunteer)
    return volunteer


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def budget_used(volunteer: Volunteer, programme: Programme | None = None) -> Decimal:
    """Half-days of the programme budget taken in its period: hours logged, or for a match
    without hours yet the half-days the need asks. Declined matches take nothing."""
    programme = programme or volunteer.programme
    if programme is None:
        return Decimal(0)
    used = _used_by_volunteer(programme, [volunteer.pk])
    return used.get(volunteer.pk, Decimal(0))


def _used_by_volunteer(programme: Programme, volunteer_ids) -> dict[int, Decimal]:
    matches = (
        Match.objects.filter(
            programme=programme,
            volunteer_id__in=volunteer_ids,
            proposed_at__date__gte=programme.period_start,
            proposed_at__date__lte=programme.period_end,
        )
        .exclude(status=Match.Status.DECLINED)
        .prefetch_related("time_entries")
    )
    used: dict[int, Decimal] = {}
    for m in matches:
        entries = list(m.time_entries.all())
        taken = sum((e.half_days for e in entries), Decimal(0)) if entries else m.half_days
        used[m.volunteer_id] = used.get(m.volunteer_id, Decimal(0)) + taken
    return used


def remaining_budget(volunteer: Volunteer, day: dt.date | None = None) -> Decimal | None:
    """Half-days left; None = no programme (no budget limit); 0 outside the period."""
    programme = volunteer.programme
    if programme is None:
        return None
    if not programme.in_period(day or timezone.localdate()):
        return Decimal(0)
    return max(Decimal(0), programme.half_days_per_employee - budget_used(volunteer))


# --- needs --------------------------------------------------------------------------------


NEED_FIELDS = {
    "kind",
    "title",
    "description",
    "skills",
    "soft_skills",
    "interests",
    "languages",
    "volunteers_needed",
    "half_days",
    "recurring",
    "schedule",
    "start_date",
    "end_date",
    "place",
    "postcode",
    "min_age",
    "vog_required",
    "half_days_per_match",
    "hours_per_match",
    "contact_name",
    "contact_email",
    "contact_phone",
}


def create_need(
    *,
    municipality: Municipality,
    organisation: Organisation,
    actor,
    data: dict[str, Any],
    source: str = Need.Source.WEB,
) -> Need:
    fields = {k: v for k, v in data.items() if k in NEED_FIELDS}
    with transaction.atomic():
        need = Need.objects.create(
            municipality=municipality,
            organisation=organisation,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            source=source,
            **fields,
        )
        audit.record(action="volunteering.need_created", actor=actor, obj=need, source=source)
    return need


def create_buddy_need_from_referral(
    *,
    municipality: Municipality,
    organisation: Organisation,
    actor,
    description: str,
    postcode: str,
) -> Need:
    """Hook for the Signaalpunt: a caseworker's referral becomes a buddy need of the welfare
    organisation. Only what the caseworker chooses to type is stored: no name, no address
    beyond the postcode (used for the distance)."""
    contact = actor.get_full_name() if getattr(actor, "is_authenticated", False) else ""
    return create_need(
        municipality=municipality,
        organisation=organisation,
        actor=actor,
        source=Need.Source.SIGNAALPUNT,
        data={
            "kind": Need.Kind.BUDDY,
            "title": _("Maatje gezocht (via het Signaalpunt)"),
            "description": description,
            "postcode": postcode.replace(" ", "").upper(),
            "soft_skills": [SoftSkill.EMPATHY, SoftSkill.PATIENCE, SoftSkill.LISTENING],
            "interests": [Interest.ELDERLY],
            "volunteers_needed": 1,
            "recurring": True,
            "min_age": 18,
            "vog_required": True,
            "contact_name": contact or organisation.name,
            "contact_email": getattr(actor, "email", "") or organisation.email,
        },
    )


ANONYMISED = "[geanonimiseerd]"


def anonymise_need(need: Need) -> None:
    """A need made from a Signaalpunt case, when the case is anonymised (retention or an
    erasure): its text and the outcome notes of its matches go, the postcode stays PC4 (for
    figures per area), and it closes, with its open proposals declined, so nobody is asked to
    help a person who is no longer in Samen. Confirmed matches and hours stay, for figures."""
    now = timezone.now()
    with transaction.atomic():
        Need.objects.filter(pk=need.pk).update(
            description=ANONYMISED, postcode=need.postcode[:4], status=Need.Status.CLOSED
        )
        need.matches.exclude(outcome_note="").update(outcome_note=ANONYMISED)
        need.matches.filter(status=Match.Status.PROPOSED).update(
            status=Match.Status.DECLINED, declined_at=now
        )
        audit.record(action="volunteering.need_anonymised", obj=need)


def anonymise_needs(need_ids) -> None:
    """anonymise_need for each of these needs (ids, or a values queryset of them): the ones
    made from a case that is being anonymised."""
    for need in Need.objects.filter(pk__in=need_ids):
        anonymise_need(need)


# need ids -> the ids of the Signaalpunt cases they came from. Registered by the concerns app
# (volunteering knows nothing of cases), so that "who read case X?" also finds its need.
_cases_of_needs: Callable[[list[int]], list[int]] = lambda ids: []  # noqa: E731


def register_cases_of_needs(lookup: Callable[[list[int]], list[int]]) -> None:
    global _cases_of_needs
    _cases_of_needs = lookup


def record_need_read(*, need: Need, actor, **detail) -> None:
    """Opening a need that came from a Signaalpunt case is audited (by id, never its text),
    with the case's id, so the line is found under that case in the audit log."""
    if need.source == Need.Source.SIGNAALPUNT:
        cases = _cases_of_needs([need.pk])
        audit.record(action="need.read", actor=actor, obj=need, cases=cases, **detail)


def record_need_listing(*, needs, actor, municipality: Municipality, **detail) -> None:
    """A page or API response that lists needs: one audit line with the ids of the listed
    needs that came from a Signaalpunt case (none: no line) and of those cases, like the
    caseworkers' queue."""
    ids = sorted({n.pk for n in needs if n.source == Need.Source.SIGNAALPUNT})
    if ids:
        audit.record(
            action="need.list",
            actor=actor,
            municipality=municipality,
            needs=ids,
            cases=_cases_of_needs(ids),
            **detail,
        )


def close_need(*, need: Need, actor) -> Need:
    with transaction.atomic():
        need.status = Need.Status.CLOSED
        need.save(update_fields=["status"])
        audit.record(action="volunteering.need_closed", actor=actor, obj=need)
    return need


def open_places(need: Need) -> int:
    taken = need.matches.exclude(status=Match.Status.DECLINED).count()
    return max(0, need.volunteers_needed - taken)


# --- matching -----------------------------------------------------------------------------


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
    """Propose the optimal set of new matches for the municipality (in its scope)."""
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


def decide(*, match: Match, side: str, accept: bool, actor=None) -> Match:
    """The organisation (side="organisation") or the volunteer (side="volunteer") accepts or
    declines a proposal. Both accepted: confirmed, and hours are proposed automatically."""
    if side not in ("organisation", "volunteer"):
        raise ValueError(side)
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("need").get(pk=match.pk)
        if match.status != Match.Status.PROPOSED:
            raise Conflict(_("Over dit voorstel is al besloten."))
        decision = Match.Decision.ACCEPTED if accept else Match.Decision.DECLINED
        setattr(match, f"{side}_decision", decision)
        now = timezone.now()
        if not accept:
            match.status = Match.Status.DECLINED
            match.declined_at = now
        elif (
            match.organisation_decision == Match.Decision.ACCEPTED
            and match.volunteer_decision == Match.Decision.ACCEPTED
        ):
            match.status = Match.Status.CONFIRMED
            match.confirmed_at = now
            need = match.need
            TimeEntry.objects.create(
                municipality=match.municipality,
                match=match,
                date=max(need.start_date or timezone.localdate(), timezone.localdate()),
                hours=need.hours_per_match,
                half_days=need.half_days_per_match,
            )
        match.save()
        audit.record(
            action=f"volunteering.match_{'accepted' if accept else 'declined'}",
            actor=actor,
            obj=match,
            side=side,
        )
    return match


# --- hours and outcomes -------------------------------------------------------------------


def confirm_hours(*, municipality: Municipality, entries, actor) -> int:
    """The organisation confirms proposed hours in bulk. Returns how many."""
    with transaction.atomic():
        ids = list(entries.filter(status=TimeEntry.Status.PROPOSED).values_list("pk", flat=True))
        TimeEntry.objects.filter(pk__in=ids).update(
            status=TimeEntry.Status.CONFIRMED, confirmed_at=timezone.now()
        )
        if ids:
            audit.record(
                action="volunteering.hours_confirmed",
                actor=actor,
                municipality=municipality,
                entries=ids,
            )
    return len(ids)


def correct_hours(*, entry: TimeEntry, hours: Decimal, date: dt.date, actor=None) -> TimeEntry:
    """The volunteer corrects the hours; the organisation confirms them again."""
    if hours <= 0 or hours > 24:
        raise ValidationError({"hours": _("Vul een aantal uren in tussen 0 en 24.")})
    with transaction.atomic():
        entry.hours = hours
        entry.date = date
        # Four hours make a half-day (dagdeel), rounded up to halves.
        entry.half_days = max(Decimal("0.5"), (hours / 4 * 2).to_integral_value("ROUND_UP") / 2)
        entry.status = TimeEntry.Status.PROPOSED
        entry.corrected_by_volunteer = True
        entry.confirmed_at = None
        entry.save()
        audit.record(action="volunteering.hours_corrected", actor=actor, obj=entry)
    return entry


def record_outcome(
    *, match: Match, actor, helped: str, people_reached: int | None, note: str = ""
) -> Match:
    """The short question to the organisation after a match: did it help, how many people."""
    if match.status != Match.Status.CONFIRMED:
        raise ValidationError(_("Alleen bij een bevestigde koppeling."))
    with transaction.atomic():
        match.helped = helped
        match.people_reached = people_reached
        match.outcome_note = note
        match.outcome_at = timezone.now()
        match.save(update_fields=["helped", "people_reached", "outcome_note", "outcome_at"])
        audit.record(action="volunteering.outcome_recorded", actor=actor, obj=match)
    return match


def volunteer_by_token(token: str) -> Volunteer | None:
    """The volunteer of a personal link: active, or under 16 and waiting for the parent (who
    may still ask for the parent's mail again, or delete the sign-up)."""
    volunteer = Volunteer.objects.filter(token_hash=hash_token(token[:200])).first()
    if volunteer is None or not (volunteer.active or awaiting_parent(volunteer)):
        return None
    return volunteer


# --- privacy: erasure, export, retention (issue 12) ---------------------------------------

# Why a volunteer was erased, as stored in the audit line (never the requester's own words).
ERASE_REASONS = {"self", "request", "objection", "idle", "mdt_age", "mdt_ended", "no_parent"}


def _may_erase(volunteer: Volunteer, actor, by_link: bool) -> str | None:
    """The audit action for who erases, or None when they may not: the volunteer (by their
    account, or by the personal link: actor None with by_link), the municipality's
    coordinator or its privacy officer."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "volunteer.erase" if by_link else None
    if volunteer.user_id is not None and volunteer.user_id == actor.pk:
        return "volunteer.erase"
    if actor.has_samen_perm(volunteer.municipality, "privacy.requests"):
        return "privacy.erase"
    if actor.has_samen_perm(volunteer.municipality, "volunteering.match"):
        return "volunteer.erase"  # the coordinator of the municipality's volunteering
    return None


def erase_volunteer(*, volunteer: Volunteer, actor, reason: str, by_link: bool = False) -> None:
    """AVG art. 17: delete the volunteer with their proposals and declined matches. A
    confirmed match stays without the person (no volunteer, explanation, distance or outcome
    note, which the organisation may have written about them) so that a programme's hours
    and people reached still add up; the hours carry only a date and a number. The audit
    line names the record and a reason code, nothing of the person."""
    from django.core.exceptions import PermissionDenied

    action = _may_erase(volunteer, actor, by_link)
    if action is None:
        raise PermissionDenied
    with transaction.atomic():
        _erase(volunteer, reason=reason, actor=actor, action=action)


def _erase(volunteer: Volunteer, *, reason: str, actor=None, action="volunteer.erase") -> None:
    from django_scopes import scopes_disabled

    from samen.core.models import Signup

    pk, municipality = volunteer.pk, volunteer.municipality
    audit.record(
        action=action,
        actor=actor,
        obj=volunteer,
        reason=reason if reason in ERASE_REASONS else "other",
    )
    volunteer.matches.filter(status=Match.Status.CONFIRMED).update(
        volunteer=None, breakdown={}, score=0, distance_km=None, outcome_note=""
    )
    volunteer.delete()  # and the other matches, with their hours
    with scopes_disabled():
        # What the sign-up forms still keep (a week at most): the profile as typed, and the
        # parent's link.
        Signup.objects.filter(
            municipality=municipality,
            purpose=VOLUNTEER_SIGNUP,
            email=signup.normal_email(volunteer.email),
        ).delete()
        Signup.objects.filter(
            municipality=municipality, purpose=PARENT_SIGNUP, data__volunteer=pk
        ).delete()


def export_volunteer(volunteer: Volunteer, *, actor=None) -> dict[str, object]:
    """AVG art. 15: everything Samen holds about the volunteer, under readable Dutch labels:
    the profile, the matches (with the explanation's points) and the hours. Audited as
    privacy.export (the record, not its contents)."""
    v = volunteer
    profile: dict[str, object] = {
        _("Soort"): v.get_kind_display(),
        _("Voornaam"): v.first_name,
        _("Achternaam"): v.last_name,
        _("E-mailadres"): v.email,
        _("Telefoon"): v.phone,
        _("Geboortedatum"): v.date_of_birth,
        _("Postcode"): v.postcode,
        _("Maximale reisafstand (km)"): v.max_distance_km,
        _("Dagdelen"): labels(HalfDay, v.availability),
        _("Soft skills"): labels(SoftSkill, v.soft_skills),
        _("Interesses"): labels(Interest, v.interests),
        _("Vaardigheden"): labels(Skill, v.skills),
        _("Talen"): labels(Language, v.languages),
        _("VOG"): v.get_vog_display(),
        _("Programma"): v.programme.name if v.programme else "",
        _("Account"): v.user.username if v.user else "",
        _("Actief"): _("ja") if v.active else _("nee"),
        _("Aangemeld op"): v.created_at,
    }
    if v.parent_email or v.parent_name:
        profile[_("Naam ouder of verzorger")] = v.parent_name
        profile[_("E-mailadres ouder of verzorger")] = v.parent_email
        profile[_("Bevestigd door ouder op")] = v.parent_confirmed_at
    matches = v.matches.select_related("need", "need__organisation").order_by("proposed_at")
    entries = TimeEntry.objects.filter(match__volunteer=v).select_related("match__need")
    export: dict[str, object] = {
        _("Profiel"): profile,
        _("Koppelingen"): [
            {
                _("Hulpvraag"): m.need.title,
                _("Organisatie"): m.need.organisation.name,
                _("Status"): m.get_status_display(),
                _("Voorgesteld op"): m.proposed_at,
                _("Uw keuze"): m.get_volunteer_decision_display(),
                _("Keuze organisatie"): m.get_organisation_decision_display(),
                _("Passend (punten)"): m.score,
                _("Afstand (km)"): m.distance_km,
                _("Toelichting organisatie"): m.outcome_note,
            }
            for m in matches
        ],
        _("Uren"): [
            {
                _("Hulpvraag"): e.match.need.title,
                _("Datum"): e.date,
                _("Uren"): e.hours,
                _("Status"): e.get_status_display(),
            }
            for e in entries.order_by("date", "pk")
        ],
    }
    audit.record(action="privacy.export", actor=actor, obj=v)
    return export


def delete_idle_volunteers(*, now: dt.datetime | None = None) -> int:
    """Daily retention of volunteers, across municipalities; returns how many were deleted.
    - idle: registered, with no match proposed, no login and no hours for
      SAMEN_VOLUNTEER_IDLE_DAYS (730);
    - MDT records when the volunteer turns 31, or when MDT has ended, which in this data
      model is an MDT volunteer made inactive (not one still waiting for a parent);
    - under 16 without the parent's confirmation within the sign-up window (the week the
      parent's link works, core.signup.CONFIRM_WITHIN)."""
    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django_scopes import scopes_disabled

    now = now or timezone.now()
    today = timezone.localdate(now)
    days = settings.SAMEN_VOLUNTEER_IDLE_DAYS
    cutoff = now - dt.timedelta(days=days)
    try:  # born on or before this day: 31 or older
        too_old = today.replace(year=today.year - MDT_MAX_AGE - 1)
    except ValueError:  # 29 February
        too_old = today.replace(year=today.year - MDT_MAX_AGE - 1, day=28)
    recent_match = Match.objects.filter(volunteer=OuterRef("pk"), proposed_at__gte=cutoff)
    recent_hours = TimeEntry.objects.filter(
        match__volunteer=OuterRef("pk"), date__gte=cutoff.date()
    )
    waiting = Q(kind=Volunteer.Kind.MDT, active=False, parent_confirmed_at__isnull=True) & ~Q(
        parent_email=""
    )
    rules = [
        (
            "idle",
            Q(created_at__lt=cutoff)
            & (
                Q(user__isnull=True)
                | Q(user__last_login__isnull=True)
                | Q(user__last_login__lt=cutoff)
            )
            & ~Q(Exists(recent_match))
            & ~Q(Exists(recent_hours)),
        ),
        ("mdt_age", Q(kind=Volunteer.Kind.MDT, date_of_birth__lte=too_old)),
        ("mdt_ended", Q(kind=Volunteer.Kind.MDT, active=False) & ~waiting),
        ("no_parent", waiting & Q(created_at__lt=now - signup.CONFIRM_WITHIN)),
    ]
    deleted = 0
    with scopes_disabled():
        for reason, rule in rules:
            for volunteer in Volunteer.objects.filter(rule).select_related("municipality"):
                with transaction.atomic():
                    _erase(volunteer, reason=reason)
                deleted += 1
    return deleted
