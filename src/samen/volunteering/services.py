"""Every change in volunteering goes through these functions: keyword-only, one transaction
each, written to the audit log. Views, API and the `samen match` command call them."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit, signup
from samen.core.errors import Conflict
from samen.core.models import Municipality, Organisation, User

from .models import (
    HalfDay,
    Interest,
    Match,
    Need,
    Programme,
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


def check_age(data: dict[str, Any], kind: str) -> None:
    """The MDT rule: 12 to 30 years old, and under 16 a parent (not the young person's own
    address) confirms. Every sign-up path calls it; the forms show its errors."""
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
    check_age(data, kind)
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

    check_age(data, kind)

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


def update_profile(
    *, volunteer: Volunteer, data: dict[str, Any], actor: User | None = None
) -> Volunteer:
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


def _used_by_volunteer(programme: Programme, volunteer_ids: list[int]) -> dict[int, Decimal]:
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
        if m.volunteer_id is None:  # an erased volunteer's kept match
            continue
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


def owner_of_new_need(
    *, actor: User, municipality: Municipality, chosen: Organisation | None = None
) -> Organisation:
    """Who owns a new need: the coordinator names the organisation (`chosen`); anyone else
    posts for their own organisation, whatever they name."""
    from .selectors import sees_all

    owner = chosen if sees_all(actor, municipality) else actor.organisation_in(municipality)
    if owner is None:
        raise ValidationError(_("Kies de organisatie van deze hulpvraag."))
    return owner


def create_need(
    *,
    municipality: Municipality,
    actor: User,
    data: dict[str, Any],
    organisation: Organisation | None = None,
    source: str = Need.Source.WEB,
) -> Need:
    """A partner posts a need for its own organisation, the coordinator for `organisation`."""
    if not actor.has_samen_perm(municipality, "volunteering.post_needs"):
        raise PermissionDenied
    owner = owner_of_new_need(actor=actor, municipality=municipality, chosen=organisation)
    return _create_need(
        municipality=municipality, organisation=owner, actor=actor, data=data, source=source
    )


def _create_need(
    *,
    municipality: Municipality,
    organisation: Organisation,
    actor: User | None,
    data: dict[str, Any],
    source: str,
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
    actor: User,
    description: str,
    postcode: str,
) -> Need:
    """Hook for the Signaalpunt: a caseworker's referral becomes a buddy need of the welfare
    organisation. Only what the caseworker chooses to type is stored: no name, no address
    beyond the postcode (used for the distance)."""
    contact = actor.get_full_name() if getattr(actor, "is_authenticated", False) else ""
    return _create_need(
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


def anonymise_needs(need_ids: list[int]) -> None:
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


def record_need_read(*, need: Need, actor: User | None, **detail: Any) -> None:
    """Opening a need that came from a Signaalpunt case is audited (by id, never its text),
    with the case's id, so the line is found under that case in the audit log."""
    if need.source == Need.Source.SIGNAALPUNT:
        cases = _cases_of_needs([need.pk])
        audit.record(action="need.read", actor=actor, obj=need, cases=cases, **detail)


def record_need_listing(
    *, needs: list[Need], actor: User | None, municipality: Municipality, **detail: Any
) -> None:
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


def check_manages(need: Need, actor: User | None) -> None:
    """Only the need's own organisation, or the coordinator, works a need."""
    from .selectors import sees_all

    municipality = need.municipality
    if actor is None or not actor.has_samen_perm(municipality, "volunteering.post_needs"):
        raise PermissionDenied
    own = actor.organisation_in(municipality)
    if not sees_all(actor, municipality) and (own is None or own.pk != need.organisation_id):
        raise PermissionDenied


def close_need(*, need: Need, actor: User | None) -> Need:
    check_manages(need, actor)
    with transaction.atomic():
        need.status = Need.Status.CLOSED
        need.save(update_fields=["status"])
        audit.record(action="volunteering.need_closed", actor=actor, obj=need)
    return need


def open_places(need: Need) -> int:
    taken = need.matches.exclude(status=Match.Status.DECLINED).count()
    return max(0, need.volunteers_needed - taken)


# --- decisions ----------------------------------------------------------------------------


def decide(*, match: Match, side: str, accept: bool, actor: User | None = None) -> Match:
    """The organisation (side="organisation") or the volunteer (side="volunteer") accepts or
    declines a proposal. Both accepted: confirmed, and hours are proposed automatically."""
    if side not in ("organisation", "volunteer"):
        raise ValueError(side)
    if side == "organisation":
        check_manages(match.need, actor)
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


def confirm_hours(
    *, municipality: Municipality, entries: QuerySet[TimeEntry], actor: User | None
) -> int:
    """The organisation confirms proposed hours in bulk. Returns how many."""
    if actor is None or not actor.has_samen_perm(municipality, "volunteering.post_needs"):
        raise PermissionDenied
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


def correct_hours(
    *, entry: TimeEntry, hours: Decimal, date: dt.date, actor: User | None = None
) -> TimeEntry:
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
    *, match: Match, actor: User | None, helped: str, people_reached: int | None, note: str = ""
) -> Match:
    """The short question to the organisation after a match: did it help, how many people."""
    check_manages(match.need, actor)
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
