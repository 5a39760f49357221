"""Reads of volunteering. Who sees what:
- an organisation (partner) sees its own needs, their proposals and hours; the coordinator
  sees all of the municipality;
- a volunteer sees their own profile, proposals and hours;
- a programme manager sees only the figures of the programmes of their own organisation."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Municipality, User
from samen.core.roles import Role

from .matching import CRITERIA, WEIGHTS
from .models import Match, Need, Programme, TimeEntry, Volunteer

CRITERION_LABELS = {
    "soft_skills": "Soft skills",
    "interests": "Interesses",
    "skills": "Vaardigheden",
    "distance": "Afstand",
}


def _organisation_id(user: User, municipality: Municipality) -> int | None:
    membership = user.membership_in(municipality)
    return membership.organisation_id if membership else None


def sees_all(user: User, municipality: Municipality) -> bool:
    return user.is_superuser or user.role_in(municipality) == Role.COORDINATOR


def needs_for(user: User, municipality: Municipality) -> QuerySet[Need]:
    """Needs the user may see and manage: their organisation's, or all for the coordinator."""
    needs = Need.objects.select_related("organisation")
    if sees_all(user, municipality):
        return needs
    if not user.has_samen_perm(municipality, "volunteering.post_needs"):
        return needs.none()
    organisation = _organisation_id(user, municipality)
    return needs.filter(organisation_id=organisation) if organisation else needs.none()


def matches_for_organisation(user: User, municipality: Municipality) -> QuerySet[Match]:
    return Match.objects.filter(need__in=needs_for(user, municipality)).select_related(
        "need", "volunteer"
    )


def volunteer_of(user: User) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).select_related("programme").first()


def programmes_for(user: User, municipality: Municipality) -> QuerySet[Programme]:
    """A programme manager sees only their own organisation's programmes."""
    programmes = Programme.objects.select_related("organisation")
    if sees_all(user, municipality):
        return programmes
    if not user.has_samen_perm(municipality, "volunteering.programme"):
        return programmes.none()
    organisation = _organisation_id(user, municipality)
    return programmes.filter(organisation_id=organisation) if organisation else programmes.none()


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
    volunteered = confirmed.values("volunteer").distinct().count()
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


def open_places_map(needs) -> dict[int, int]:
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


def kpis(*, year: int):
    """Volunteers, hours, participation, needs served and people reached, per month."""
    from django.db.models.functions import ExtractMonth

    from samen.core.kpi import KpiSection, KpiTable

    months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    confirmed = Match.objects.filter(status=Match.Status.CONFIRMED, confirmed_at__year=year)
    entries = TimeEntry.objects.filter(status=TimeEntry.Status.CONFIRMED, date__year=year)
    hours_by_month = dict(
        entries.annotate(month=ExtractMonth("date"))
        .values_list("month")
        .annotate(h=Sum("hours"))
        .values_list("month", "h")
    )
    matches_by_month = dict(
        confirmed.annotate(month=ExtractMonth("confirmed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    monthly = [
        [months[m - 1], matches_by_month.get(m, 0), float(hours_by_month.get(m) or 0)]
        for m in range(1, 13)
    ]
    programmes = []
    for programme in Programme.objects.all().order_by("name"):
        figures = programme_figures(programme)
        programmes.append(
            [
                programme.name,
                figures["volunteered"],
                figures["employees"],
                figures["participation"],
                float(figures["hours"]),
                float(figures["half_days"]),
            ]
        )
    return KpiSection(
        key="volunteering",
        title=_("Vrijwilligerswerk"),
        headline=[
            (_("vrijwilligers"), Volunteer.objects.filter(active=True).count()),
            (_("uren (bevestigd)"), float(entries.aggregate(h=Sum("hours"))["h"] or 0)),
            (_("hulpvragen geholpen"), confirmed.values("need").distinct().count()),
            (_("mensen bereikt"), confirmed.aggregate(n=Sum("people_reached"))["n"] or 0),
        ],
        tables=[
            KpiTable(
                "volunteering-monthly",
                _("Matches en uren per maand"),
                [_("maand"), _("matches"), _("uren")],
                monthly,
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
                programmes,
                chart_column=3,
            ),
        ],
    )
