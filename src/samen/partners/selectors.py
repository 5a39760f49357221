"""Reads of partners, each with a fixed number of queries whatever the size of the longlist."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Municipality, User

from . import scoring
from .models import (
    Contribution,
    DailyRoute,
    FiveM,
    Partner,
    PartnerRole,
    Recipient,
    ScoringWeights,
    Sector,
    Step,
)
from .services import stale_partners, weights_for

PAGE_SIZE = 50

LONGLIST_FIELDS = (
    "pk",
    "organisation__name",
    "organisation__slug",
    "organisation__address",
    "organisation__postcode",
    "kvk_number",
    "contact_name",
    "step",
    "shortlisted",
    "daily_routes",
    "last_spoken_at",
    "next_contact_on",
    "account_holder__first_name",
    "account_holder__last_name",
    "account_holder__username",
    *scoring.SCORE_FIELDS,
)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    offset: int


def _holder(row: dict[str, Any]) -> str:
    first, last = row["account_holder__first_name"] or "", row["account_holder__last_name"] or ""
    return f"{first} {last}".strip() or row["account_holder__username"] or ""


def _page(qs: QuerySet, page: int, size: int) -> tuple[int, int, int]:
    total = qs.count()
    pages = max(1, (total + size - 1) // size)
    page = min(max(1, page), pages)
    return total, pages, page


def longlist_filter(
    *, step: str = "", shortlisted: bool = False, sector: str = "", q: str = ""
) -> QuerySet[Partner]:
    partners = Partner.objects.all()
    if step in Step.values:
        partners = partners.filter(step=step)
    if shortlisted:
        partners = partners.filter(shortlisted=True)
    if sector in Sector.values:
        partners = partners.filter(sector=sector)
    if q:
        partners = partners.filter(
            Q(organisation__name__icontains=q) | Q(kvk_number=q) | Q(contact_name__icontains=q)
        )
    return partners


def ranked_longlist(
    weights: scoring.Weights,
    *,
    step: str = "",
    shortlisted: bool = False,
    sector: str = "",
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """The longlist ranked by score (highest first), one page of it, with each score's
    breakdown. Two queries: the count and the page, read along the ranking index (the
    stored score; `services.refresh_scores` recomputes it in SQL when the weights change)."""
    partners = longlist_filter(step=step, shortlisted=shortlisted, sector=sector, q=q)
    total, pages, page = _page(partners, page, size)
    offset = (page - 1) * size
    rows = list(
        partners.order_by("-score", "pk").values(*LONGLIST_FIELDS, "score")[offset : offset + size]
    )
    route_labels = dict(DailyRoute.choices)
    sector_labels = dict(Sector.choices)
    step_labels = dict(Step.choices)
    for rank, row in enumerate(rows, start=offset + 1):
        row["rank"] = rank
        row["breakdown"] = scoring.breakdown(row, weights)
        row["sector_label"] = sector_labels.get(row["sector"], row["sector"])
        row["step_label"] = step_labels.get(row["step"], row["step"])
        row["routes_label"] = ", ".join(
            str(route_labels[r]) for r in row["daily_routes"] if r in route_labels
        )
        row["account_holder"] = _holder(row)
    return Page(rows=rows, total=total, page=page, pages=pages, offset=offset)


def stale_list(*, weeks: int, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Partners nobody has spoken to in `weeks` weeks: two queries (count and page)."""
    partners = stale_partners(weeks=weeks)
    total, pages, page = _page(partners, page, size)
    offset = (page - 1) * size
    rows = list(
        partners.values(
            "pk",
            "organisation__name",
            "organisation__slug",
            "step",
            "shortlisted",
            "last_spoken_at",
            "last_contact_at",
            "next_contact_on",
            "account_holder__first_name",
            "account_holder__last_name",
            "account_holder__username",
        )[offset : offset + size]
    )
    step_labels = dict(Step.choices)
    now = timezone.now()
    for row in rows:
        row["step_label"] = step_labels.get(row["step"], row["step"])
        row["weeks_silent"] = (
            (now - row["last_spoken_at"]).days // 7 if row["last_spoken_at"] else None
        )
        row["account_holder"] = _holder(row)
    return Page(rows=rows, total=total, page=page, pages=pages, offset=offset)


def pipeline_counts() -> list[tuple[str, str, int]]:
    counts = dict(
        Partner.objects.values_list("step").annotate(n=Count("pk")).values_list("step", "n")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in Step.choices]


def register() -> list[dict[str, Any]]:
    """The public transparency register: every partner with a contribution (a cooperation),
    what it does and contributes, and where money goes. Two queries."""
    today = timezone.localdate()
    contributions = Contribution.objects.order_by("m", "started_on", "pk")
    partners = (
        Partner.objects.filter(Exists(Contribution.objects.filter(partner=OuterRef("pk"))))
        .select_related("organisation")
        .prefetch_related(Prefetch("contributions", queryset=contributions))
        .order_by("organisation__name", "pk")
    )
    m_labels = dict(FiveM.choices)
    recipient_labels = dict(Recipient.choices)
    entries = []
    for partner in partners:
        items = []
        for c in partner.contributions.all():
            items.append(
                {
                    "m": c.m,
                    "m_label": str(m_labels[c.m]),
                    "description": c.description,
                    "recipient": c.recipient,
                    "recipient_label": str(recipient_labels[c.recipient]),
                    "recipient_name": c.recipient_name,
                    "amount": c.amount,
                    "started_on": c.started_on,
                    "ended_on": c.ended_on,
                    "active": c.ended_on is None or c.ended_on >= today,
                }
            )
        entries.append(
            {
                "partner": partner,
                "id": partner.pk,
                "organisation": partner.organisation.name,
                "organisation_slug": partner.organisation.slug,
                "sector": partner.get_sector_display(),
                "roles": partner.get_roles_display(),
                "role_codes": list(partner.roles),
                "description": partner.public_description,
                "since": min(i["started_on"] for i in items),
                "active": any(i["active"] for i in items),
                "contributions": items,
            }
        )
    return entries


def contributions_by_m(partner: Partner) -> list[tuple[str, str, str, list[Contribution]]]:
    from .models import FIVE_M_HELP

    by_m: dict[str, list[Contribution]] = {value: [] for value in FiveM.values}
    for c in partner.contributions.all():
        by_m[c.m].append(c)
    return [
        (value, str(label), str(FIVE_M_HELP[value]), by_m[value]) for value, label in FiveM.choices
    ]


def role_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PartnerRole.choices]


def staff_card(municipality: Municipality, user: User) -> dict | None:
    """The partners card on the staff home; None for roles without access."""
    if user.has_samen_perm(municipality, "partners.manage"):
        weeks = (
            ScoringWeights.objects.filter(municipality=municipality).first() or ScoringWeights()
        ).stale_weeks
        cooperating = Partner.objects.filter(
            Exists(Contribution.objects.filter(partner=OuterRef("pk")))
        ).count()
        stale = stale_partners(weeks=weeks).count()
        return {
            "title": _("Partners en ondernemers"),
            "figure": cooperating,
            "label": _("samenwerkingen in het register"),
            "links": [
                {
                    "text": _("Longlist en vijf stappen"),
                    "url": reverse("partners:longlist", args=[municipality.slug]),
                },
                {
                    "text": _("%(n)d partners %(w)d weken niet gesproken")
                    % {"n": stale, "w": weeks},
                    "url": reverse("partners:stale", args=[municipality.slug]),
                },
                {
                    "text": _("E-mail en nieuwsbrief"),
                    "url": reverse("partners:templates", args=[municipality.slug]),
                },
                {
                    "text": _("Transparantieregister"),
                    "url": reverse("partners:register", args=[municipality.slug]),
                },
            ],
        }
    if user.has_samen_perm(municipality, "partners.own_profile"):
        from .services import own_organisation

        organisation = own_organisation(user, municipality)
        if organisation is None:
            return None
        contributions = Contribution.objects.filter(partner__organisation=organisation).count()
        return {
            "title": _("Uw organisatie als partner"),
            "figure": contributions,
            "label": _("bijdragen vastgelegd"),
            "links": [
                {
                    "text": _("Profiel en bijdragen bekijken"),
                    "url": reverse("partners:own", args=[municipality.slug]),
                },
                {
                    "text": _("Transparantieregister"),
                    "url": reverse("partners:register", args=[municipality.slug]),
                },
            ],
        }
    return None


def weights_of(municipality: Municipality) -> scoring.Weights:
    return scoring.Weights.of(weights_for(municipality))


def next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


def kpis(*, year: int):
    """Partners per step and what they contribute in the 5 M's, for the impact dashboard."""
    from samen.core.kpi import KpiSection, KpiTable

    from .models import Contribution, FiveM, StepChange

    steps = pipeline_counts()
    active = Contribution.objects.filter(started_on__year__lte=year).filter(
        Q(ended_on__isnull=True) | Q(ended_on__year__gte=year)
    )
    by_m = dict(active.values_list("m").annotate(n=Count("pk")).values_list("m", "n"))
    partners_by_m = dict(
        active.values_list("m").annotate(n=Count("partner", distinct=True)).values_list("m", "n")
    )
    moves = StepChange.objects.filter(at__year=year).count()
    cooperating = active.values("partner").distinct().count()
    return KpiSection(
        key="partners",
        title=_("Partners (de 5 stappen)"),
        headline=[
            (_("partners in beeld"), sum(n for _value, _label, n in steps)),
            (_("partners die bijdragen"), cooperating),
            (_("stappen gezet dit jaar"), moves),
        ],
        tables=[
            KpiTable(
                "partners-steps",
                _("Partners per stap"),
                [_("stap"), _("partners")],
                [[label, n] for _value, label, n in steps],
                chart_column=1,
            ),
            KpiTable(
                "partners-5m",
                _("Bijdragen in de 5 M's"),
                [_("M"), _("bijdragen"), _("partners")],
                [
                    [str(label), by_m.get(value, 0), partners_by_m.get(value, 0)]
                    for value, label in FiveM.choices
                ],
                chart_column=1,
            ),
        ],
    )
