"""Privacy of volunteers (issue 12): erasure (AVG art. 17), export (art. 15) and the daily
retention. Like services: keyword-only, one transaction each, written to the audit log."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit, signup
from samen.core.models import Signup

from .models import (
    HalfDay,
    Interest,
    Language,
    Match,
    Skill,
    SoftSkill,
    TimeEntry,
    Volunteer,
    labels,
)
from .services import MDT_MAX_AGE, PARENT_SIGNUP, VOLUNTEER_SIGNUP

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
    action = _may_erase(volunteer, actor, by_link)
    if action is None:
        raise PermissionDenied
    with transaction.atomic():
        _erase(volunteer, reason=reason, actor=actor, action=action)


def _erase(volunteer: Volunteer, *, reason: str, actor=None, action="volunteer.erase") -> None:
    from django_scopes import scopes_disabled

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


def export_volunteer(volunteer: Volunteer, *, actor) -> dict[str, object]:
    """AVG art. 15: everything Samen holds about the volunteer, under readable Dutch labels:
    the profile, the account, the mails to a parent, the matches (with the explanation's
    points and the outcome) and the hours. For the volunteer themself, the coordinator or the
    privacy officer; audited as privacy.export (the record, not its contents)."""
    from .selectors import explanation

    if _may_erase(volunteer, actor, by_link=False) is None:
        raise PermissionDenied
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
        _("Account"): {
            _("Gebruikersnaam"): v.user.username,
            _("Naam"): v.user.get_full_name(),
            _("E-mailadres"): v.user.email,
            _("Laatst ingelogd"): v.user.last_login,
        }
        if v.user
        else "",
        _("Actief"): _("ja") if v.active else _("nee"),
        _("Aangemeld op"): v.created_at,
    }
    if v.parent_email or v.parent_name:
        profile[_("Naam ouder of verzorger")] = v.parent_name
        profile[_("E-mailadres ouder of verzorger")] = v.parent_email
        profile[_("Bevestigd door ouder op")] = v.parent_confirmed_at
        profile[_("Mails aan ouder of verzorger verstuurd op")] = [
            s.created_at
            for s in Signup.objects.filter(
                municipality=v.municipality, purpose=PARENT_SIGNUP, data__volunteer=v.pk
            ).order_by("created_at")
        ]
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
                _("Bevestigd op"): m.confirmed_at,
                _("Afgewezen op"): m.declined_at,
                _("Passend (punten)"): m.score,
                _("Waarom voorgesteld"): {
                    str(row["label"]): f"{row['points']} / {row['max']}" for row in explanation(m)
                },
                _("Afstand (km)"): m.distance_km,
                _("Dagdelen"): m.half_days,
                _("Geholpen"): m.get_helped_display(),
                _("Aantal mensen bereikt"): m.people_reached,
                _("Toelichting organisatie"): m.outcome_note,
                _("Uitkomst vastgelegd op"): m.outcome_at,
            }
            for m in matches
        ],
        _("Uren"): [
            {
                _("Hulpvraag"): e.match.need.title,
                _("Datum"): e.date,
                _("Uren"): e.hours,
                _("Dagdelen"): e.half_days,
                _("Door u aangepast"): _("ja") if e.corrected_by_volunteer else _("nee"),
                _("Status"): e.get_status_display(),
                _("Bevestigd op"): e.confirmed_at,
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
