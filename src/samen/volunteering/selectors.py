"""Reads of volunteering. Who sees what:
- an organisation (partner) sees its own needs, their proposals and hours; the coordinator
  sees all of the municipality;
- a volunteer sees their own profile, proposals and hours;
- a programme manager sees only the figures of the programmes of their own organisation."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Municipality, Organisation, User
from samen.core.roles import Role

from .matching import CRITERIA, WEIGHTS
from .models import Match, Need, Programme, TimeEntry, Volunteer

if TYPE_CHECKING:
    from samen.core.kpi import KpiSection

CRITERION_LABELS = {
    "soft_skills": "Soft skills",
    "interests": "Interesses",
    "skills": "Vaardigheden",
    "distance": "Afstand",
}


def sees_all(user: User, municipality: Municipality) -> bool:
    return user.is_superuser or user.role_in(municipality) == Role.COORDINATOR


def needs_for(user: User, municipality: Municipality) -> QuerySet[Need]:
    """Needs the user may see and manage: their organisation's, or all for the coordinator."""
    needs = Need.objects.select_related("organisation")
    if sees_all(user, municipality):
        return needs
    if not user.has_samen_perm(municipality, "volunteering.post_needs"):
        return needs.none()
    organisation = user.organisation_in(municipality)
    return needs.filter(organisation=organisation) if organisation else needs.none()


def matches_for_organisation(user: User, municipality: Municipality) -> QuerySet[Match]:
    return Match.objects.filter(need__in=needs_for(user, municipality)).select_related(
        "need", "volunteer"
    )


def volunteer_of(user: User) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).select_related("programme").first()


def volunteers_by_email(municipality: Municipality, email: str) -> list[Volunteer]:
    """The municipality's volunteers with this e-mail address (any case), for a data subject
    request; the caller audits what it does with them."""
    return list(
        Volunteer.objects.filter(municipality=municipality, email__iexact=email.strip())
        .select_related("programme", "user")
        .order_by("pk")
    )


def programmes_for(user: User, municipality: Municipality) -> QuerySet[Programme]:
    """A programme manager sees only their own organisation's programmes."""
    programmes = Programme.objects.select_related("organisation")
    if sees_all(user, municipality):
        return programmes
    if not user.has_samen_perm(municipality, "volunteering.programme"):
        return programmes.none()
    organisation = user.organisation_in(municipality)
    return programmes.filter(organisation=organisation) if organisation else programmes.none()


def explanation(match: Match) -> list[dict]:
    """Why this proposal: points per criterion out of the maximum."""
    rows = []
    for name in CRITERIA:
        rows.append(
            {
                "criterion": name,
                "label": CRITERION_LABELS[name],
                "points": int(match.breakdown.get(name, 0)),
                "max": WEIGHTS[name],
            }
        )
    return rows


def programme_figures(
    programme: Programme, start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """Participation, hours and half-days against the budget, people reached and needs
    served, for one programme and period (default: the programme's own period)."""
    start = start or programme.period_start
    end = end or programme.period_end
    matches = Match.objects.filter(
        programme=programme, proposed_at__date__gte=start, proposed_at__date__lte=end
    )
    confirmed = matches.filter(status=Match.Status.CONFIRMED)
    entries = TimeEntry.objects.filter(match__in=confirmed)
    totals = entries.aggregate(
        confirmed_hours=Sum("hours", filter=Q(status=TimeEntry.Status.CONFIRMED)),
        confirmed_half_days=Sum("half_days", filter=Q(status=TimeEntry.Status.CONFIRMED)),
        proposed_hours=Sum("hours", filter=Q(status=TimeEntry.Status.PROPOSED)),
    )
    registered = programme.volunteers.filter(active=True).count()
    employees = programme.employees or registered
    # people, so not the matches kept without their erased volunteer
    volunteered = confirmed.filter(volunteer__isnull=False).values("volunteer").distinct().count()
    budget = programme.half_days_per_employee * employees
    half_days = totals["confirmed_half_days"] or Decimal(0)
    return {
        "programme": programme,
        "start": start,
        "end": end,
        "employees": employees,
        "registered": registered,
        "volunteered": volunteered,
        "participation": round(100 * volunteered / employees) if employees else 0,
        "hours": totals["confirmed_hours"] or Decimal(0),
        "hours_proposed": totals["proposed_hours"] or Decimal(0),
        "half_days": half_days,
        "budget": budget,
        "budget_share": round(100 * half_days / budget) if budget else 0,
        "people_reached": confirmed.aggregate(n=Sum("people_reached"))["n"] or 0,
        "needs_served": confirmed.values("need").distinct().count(),
        "proposals": matches.filter(status=Match.Status.PROPOSED).count(),
    }


def organisation_summary(user: User, municipality: Municipality) -> dict:
    needs = needs_for(user, municipality)
    matches = Match.objects.filter(need__in=needs)
    return {
        "open_needs": needs.filter(status=Need.Status.OPEN).count(),
        "to_decide": matches.filter(
            status=Match.Status.PROPOSED, organisation_decision=Match.Decision.PENDING
        ).count(),
        "hours_to_confirm": TimeEntry.objects.filter(
            match__in=matches, status=TimeEntry.Status.PROPOSED
        ).count(),
    }


def staff_card(municipality: Municipality, user: User) -> dict | None:
    """The volunteering card on the staff home; None for roles without access."""
    slug = municipality.slug
    if user.has_samen_perm(municipality, "volunteering.post_needs"):
        summary = organisation_summary(user, municipality)
        links = [
            {
                "text": _("Hulpvragen en voorstellen"),
                "url": reverse("volunteering:needs", args=[slug]),
            },
            {"text": _("Nieuwe hulpvraag"), "url": reverse("volunteering:need-new", args=[slug])},
        ]
        if user.has_samen_perm(municipality, "volunteering.match"):
            links.append(
                {"text": _("Koppelen"), "url": reverse("volunteering:matching", args=[slug])}
            )
        if user.has_samen_perm(municipality, "volunteering.programme"):
            links.append(
                {"text": _("Programma's"), "url": reverse("volunteering:programme", args=[slug])}
            )
        return {
            "title": _("Vrijwilligerswerk"),
            "figure": summary["to_decide"],
            "label": _("voorstellen wachten op uw akkoord"),
            "links": links,
        }
    if user.has_samen_perm(municipality, "volunteering.programme"):
        programmes = list(programmes_for(user, municipality))
        figure = programme_figures(programmes[0])["participation"] if programmes else 0
        return {
            "title": _("Vrijwilligersprogramma"),
            "figure": f"{figure}%",
            "label": _("van de medewerkers deed mee"),
            "links": [
                {
                    "text": _("Naar het programma"),
                    "url": reverse("volunteering:programme", args=[slug]),
                }
            ],
        }
    if user.has_samen_perm(municipality, "volunteering.volunteer"):
        volunteer = volunteer_of(user)
        waiting = (
            volunteer.matches.filter(
                status=Match.Status.PROPOSED, volunteer_decision=Match.Decision.PENDING
            ).count()
            if volunteer
            else 0
        )
        return {
            "title": _("Mijn vrijwilligerswerk"),
            "figure": waiting,
            "label": _("voorstellen voor u"),
            "links": [
                {
                    "text": _("Naar mijn voorstellen"),
                    "url": reverse("volunteering:mine", args=[slug]),
                }
            ],
        }
    return None


def open_places_map(needs: list[Need]) -> dict[int, int]:
    taken = dict(
        Match.objects.filter(need__in=needs)
        .exclude(status=Match.Status.DECLINED)
        .values_list("need")
        .annotate(n=Count("pk"))
        .values_list("need", "n")
    )
    return {n.pk: max(0, n.volunteers_needed - taken.get(n.pk, 0)) for n in needs}


def today() -> dt.date:
    return timezone.localdate()


def programme_rows(
    confirmed: QuerySet[Match],
    entries: QuerySet[TimeEntry],
    organisation: Organisation | None = None,
) -> list[list]:
    """Per company programme, for the year of `confirmed`/`entries`: who took part, the
    participation rate, hours and half-days. Three grouped queries however many programmes."""
    volunteered = dict(
        confirmed.values_list("programme")
        .annotate(n=Count("volunteer", distinct=True))
        .values_list("programme", "n")
    )
    worked = {
        row["match__programme"]: row
        for row in entries.values("match__programme").annotate(h=Sum("hours"), d=Sum("half_days"))
    }
    rows = []
    programmes = Programme.objects.order_by("name").annotate(
        registered=Count("volunteers", filter=Q(volunteers__active=True))
    )
    if organisation is not None:
        programmes = programmes.filter(organisation=organisation)
    for programme in programmes:
        employees = programme.employees or programme.registered
        took_part = volunteered.get(programme.pk, 0)
        hours = worked.get(programme.pk, {})
        rows.append(
            [
                programme.name,
                took_part,
                employees,
                round(100 * took_part / employees) if employees else 0,
                float(hours.get("h") or 0),
                float(hours.get("d") or 0),
            ]
        )
    return rows


def kpis(*, year: int) -> "KpiSection":
    """Volunteers, hours, participation, needs served and people reached, per month."""
    from samen.core.kpi import MONTHS_NL, KpiSection, KpiTable, monthly, months, year_range

    confirmed = year_range(
        Match.objects.filter(status=Match.Status.CONFIRMED), "confirmed_at", year
    )
    entries = year_range(TimeEntry.objects.filter(status=TimeEntry.Status.CONFIRMED), "date", year)
    hours = entries.aggregate(
        total=Sum("hours"), **monthly("month", "date", year, Sum, "hours", dates=True)
    )
    matches = confirmed.aggregate(
        needs=Count("need", distinct=True),
        reached=Sum("people_reached"),
        **monthly("month", "confirmed_at", year),
    )
    by_month = zip(months(matches, "month"), months(hours, "month"), strict=True)
    per_month = [[MONTHS_NL[m], n, float(h)] for m, (n, h) in enumerate(by_month)]
    return KpiSection(
        key="volunteering",
        title=_("Vrijwilligerswerk"),
        headline=[
            (_("vrijwilligers"), Volunteer.objects.filter(active=True).count()),
            (_("uren (bevestigd)"), float(hours["total"] or 0)),
            (_("hulpvragen geholpen"), matches["needs"]),
            (_("mensen bereikt"), matches["reached"] or 0),
        ],
        tables=[
            KpiTable(
                "volunteering-monthly",
                _("Matches en uren per maand"),
                [_("maand"), _("matches"), _("uren")],
                per_month,
                chart_column=2,
            ),
            KpiTable(
                "volunteering-programmes",
                _("Bedrijfsprogramma's"),
                [
                    _("programma"),
                    _("deden mee"),
                    _("medewerkers"),
                    _("deelname %"),
                    _("uren"),
                    _("dagdelen"),
                ],
                programme_rows(confirmed, entries),
                chart_column=3,
            ),
        ],
    )


@dataclass(frozen=True)
class HandoverRecipient:
    organisation: str
    title: str
    description: str
    postcode: str
    status: str
    matched: bool


def handover_recipients(need_ids: list[int]) -> list[HandoverRecipient]:
    """The hulpvragen a Signaalpunt case was handed over as (by id), with the organisation
    that received each and whether a volunteer was linked, for the person's AVG art. 15
    export: who received their data. The volunteer is not named (their data, not the person's)."""
    needs = (
        Need.objects.filter(pk__in=need_ids)
        .select_related("organisation")
        .annotate(linked=Count("matches", filter=Q(matches__status=Match.Status.CONFIRMED)))
        .order_by("pk")
    )
    return [
        HandoverRecipient(
            organisation=need.organisation.name,
            title=need.title,
            description=need.description,
            postcode=need.postcode,
            status=need.get_status_display(),
            matched=need.linked > 0,
        )
        for need in needs
    ]


def organisation_help(*, organisation: Organisation, year: int) -> dict:
    """For the organisation's own figures (impact): the confirmed matches on its needs that
    year (`matches`, `reached`), the hours of its volunteers (`hours`: `total` and
    `month_0`..`month_11`) and its company programmes' rows (see programme_rows)."""
    from samen.core.kpi import monthly, year_range

    confirmed = year_range(
        Match.objects.filter(status=Match.Status.CONFIRMED), "confirmed_at", year
    )
    helped = confirmed.filter(need__organisation=organisation).aggregate(
        matches=Count("pk"), reached=Sum("people_reached")
    )
    entries = year_range(TimeEntry.objects.filter(status=TimeEntry.Status.CONFIRMED), "date", year)
    hours = entries.filter(match__need__organisation=organisation).aggregate(
        total=Sum("hours"), **monthly("month", "date", year, Sum, "hours", dates=True)
    )
    programmes = programme_rows(
        confirmed.filter(programme__organisation=organisation),
        entries.filter(match__programme__organisation=organisation),
        organisation=organisation,
    )
    return {**helped, "hours": hours, "programmes": programmes}


def milestones(municipality: Municipality, today: dt.date) -> list:
    """To celebrate: company programmes whose employees' first volunteer hours were confirmed
    in the last weeks (core.capabilities.MILESTONE_DAYS). Names the company, never a
    volunteer. One query."""
    from django.db.models import Min

    from samen.core.capabilities import MILESTONE_DAYS, Milestone

    start = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=MILESTONE_DAYS), dt.time())
    )
    firsts = (
        TimeEntry.objects.filter(
            municipality=municipality,
            status=TimeEntry.Status.CONFIRMED,
            confirmed_at__isnull=False,
            match__programme__isnull=False,
        )
        .values("match__programme_id", "match__programme__organisation__name")
        .annotate(first=Min("confirmed_at"))
        .filter(first__gte=start)
        .order_by("-first")[:20]
    )
    found = []
    for row in firsts:
        day = timezone.localdate(row["first"])
        if day > today:
            continue
        name = row["match__programme__organisation__name"]
        found.append(
            Milestone(
                key=f"volunteering.first_hours.{row['match__programme_id']}",
                on=day,
                title=_("%(org)s: de eerste vrijwilligersuren") % {"org": name},
                text=_(
                    "Medewerkers van %(org)s hebben hun eerste uren vrijwilligerswerk gedaan "
                    "bij een organisatie in %(m)s. Mooi dat u meedoet!"
                )
                % {"org": name, "m": municipality.name},
            )
        )
    return found
