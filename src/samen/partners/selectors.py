"""Reads of partners, each with a fixed number of queries whatever the size of the longlist."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samen.core.models import Municipality, Organisation, User
from samen.core.roles import Role

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
    StepChange,
)
from .services import weights_for

if TYPE_CHECKING:
    from samen.core.kpi import KpiSection

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
    "on_hold_since",
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


@dataclass(frozen=True)
class Cursor:
    """A place in the ranking: the score and id of a row (highest score first, then id)."""

    score: int
    pk: int

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        """`"7.1234"` -> Cursor(7, 1234); anything else -> None."""
        match = CURSOR_RE.fullmatch(text or "")
        return cls(int(match[1]), int(match[2])) if match else None

    def __str__(self) -> str:
        return f"{self.score}.{self.pk}"

    def ranked_after(self) -> Q:
        # `score <= x` is redundant but lets the database start the index scan at x.
        return Q(score__lte=self.score) & (
            Q(score__lt=self.score) | Q(score=self.score, pk__gt=self.pk)
        )

    def ranked_up_to(self) -> Q:
        return Q(score__gt=self.score) | Q(score=self.score, pk__lte=self.pk)

    def ranked_before(self) -> Q:
        return Q(score__gte=self.score) & (
            Q(score__gt=self.score) | Q(score=self.score, pk__lt=self.pk)
        )


CURSOR_RE = re.compile(r"([0-9]{1,5})\.([0-9]{1,18})")


@dataclass
class RankedPage:
    """One page of the ranking, reached by keyset (no OFFSET): `first` is the rank of the
    first row ("51-100 of 10,000"), the cursors lead to the next and previous page."""

    rows: list[dict[str, Any]]
    total: int
    first: int
    next: Cursor | None
    previous: Cursor | None

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def ranked_longlist(
    weights: scoring.Weights,
    *,
    step: str = "",
    shortlisted: bool = False,
    sector: str = "",
    q: str = "",
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> RankedPage:
    """The longlist ranked by score (highest first), the page after (or before) a cursor, with
    each score's breakdown. Two queries whatever the page: the counts (total and rows ahead of
    the cursor, in one scan) and the page, read along the ranking index from the cursor (the
    stored score; `services.refresh_scores` recomputes it when the weights change)."""
    partners = longlist_filter(step=step, shortlisted=shortlisted, sector=sector, q=q)
    ranking = partners.order_by("-score", "pk")
    counts: dict[str, Count] = {"total": Count("pk")}
    if after is not None:
        counts["ahead"] = Count("pk", filter=after.ranked_up_to())
        page = ranking.filter(after.ranked_after())
    elif before is not None:
        counts["ahead"] = Count("pk", filter=before.ranked_before())
        page = partners.filter(before.ranked_before()).order_by("score", "-pk")
    else:
        page = ranking
    totals: dict[str, int] = {"ahead": 0, **partners.aggregate(**counts)}
    rows = list(page.values(*LONGLIST_FIELDS, "score")[:size])
    if before is not None:
        rows.reverse()
        first = totals["ahead"] - len(rows) + 1
    else:
        first = totals["ahead"] + 1
    _label_rows(rows, weights, first)
    return RankedPage(
        rows=rows,
        total=totals["total"],
        first=first,
        next=_cursor(rows[-1]) if rows and first + len(rows) - 1 < totals["total"] else None,
        previous=_cursor(rows[0]) if rows and first > 1 else None,
    )


def _cursor(row: dict[str, Any]) -> Cursor:
    return Cursor(row["score"], row["pk"])


def _label_rows(rows: list[dict[str, Any]], weights: scoring.Weights, first: int) -> None:
    route_labels = dict(DailyRoute.choices)
    sector_labels = dict(Sector.choices)
    step_labels = dict(Step.choices)
    for rank, row in enumerate(rows, start=first):
        row["rank"] = rank
        row["breakdown"] = scoring.breakdown(row, weights)
        row["sector_label"] = sector_labels.get(row["sector"], row["sector"])
        row["step_label"] = step_labels.get(row["step"], row["step"])
        row["routes_label"] = ", ".join(
            str(route_labels[r]) for r in row["daily_routes"] if r in route_labels
        )
        row["account_holder"] = _holder(row)


def stale_list(*, weeks: int, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Partners nobody has spoken to in `weeks` weeks: two queries (count and page)."""
    partners = stale_partners(weeks=weeks)
    total, pages, page = _page(partners, page, size)
    offset = (page - 1) * size
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in partners.values(
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
    ]
    step_labels = dict(Step.choices)
    now = timezone.now()
    for row in rows:
        row["step_label"] = step_labels.get(row["step"], row["step"])
        row["weeks_silent"] = (
            (now - row["last_spoken_at"]).days // 7 if row["last_spoken_at"] else None
        )
        row["account_holder"] = _holder(row)
    return Page(rows=rows, total=total, page=page, pages=pages, offset=offset)


def campaign_recipients(
    selection: str, *, partner_ids: list[int] | None = None, step: str = ""
) -> QuerySet[Partner]:
    """Who gets a templated e-mail: the chosen partners, the shortlist, a step or everyone.
    A selection of many leaves out the partners on hold; one chosen by name is mailed."""
    if selection == "one":
        return Partner.objects.filter(pk__in=partner_ids or [])
    active = Partner.objects.filter(on_hold_since__isnull=True)
    if selection == "shortlist":
        return active.filter(shortlisted=True)
    if selection == "step":
        return active.filter(step=step or Step.PREPARE)
    return active


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
                "ambassador": partner.organisation.is_ambassador,
                "sector": partner.get_sector_display(),
                "roles": partner.get_roles_display(),
                "role_codes": list(partner.roles),
                "description": partner.public_description,
                "since": min(i["started_on"] for i in items),  # type: ignore[type-var]
                "active": any(i["active"] for i in items),
                "contributions": items,
            }
        )
    return entries


def contributions_by_m(partner: Partner) -> list[tuple[str, str, str, list[Contribution]]]:
    from .models import FIVE_M_HELP

    by_m: dict[str, list[Contribution]] = {value: [] for value in FiveM.values}
    help_of: dict[str, object] = {str(k): v for k, v in FIVE_M_HELP.items()}
    for c in partner.contributions.all():
        by_m[c.m].append(c)
    return [(value, str(label), str(help_of[value]), by_m[value]) for value, label in FiveM.choices]


def role_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PartnerRole.choices]


MILESTONES_SHOWN = 6


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
        from samen.core.capabilities import milestones as all_milestones

        return {
            "milestones": all_milestones(municipality, timezone.localdate())[:MILESTONES_SHOWN],
            "newsletter_url": reverse("outreach:newsletters", args=[municipality.slug]),
            "title": _("Partners en ondernemers"),
            "figure": cooperating,
            "label": _("samenwerkingen in het register"),
            "links": [
                {
                    "text": _("Longlist en vijf stappen"),
                    "url": reverse("partners:longlist", args=[municipality.slug]),
                },
                {
                    "text": ngettext(
                        "%(n)d partner %(w)d weken niet gesproken",
                        "%(n)d partners %(w)d weken niet gesproken",
                        stale,
                    )
                    % {"n": stale, "w": weeks},
                    "url": reverse("partners:stale", args=[municipality.slug]),
                },
                {
                    "text": _("E-mail en nieuwsbrief"),
                    "url": reverse("outreach:templates", args=[municipality.slug]),
                },
                {
                    "text": _("Ambassadeursnetwerk"),
                    "url": reverse("partners:ambassadors", args=[municipality.slug]),
                },
                {
                    "text": _("Ons aanbod aan ondernemers"),
                    "url": reverse("partners:offer", args=[municipality.slug]),
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


def kpis(*, year: int) -> "KpiSection":
    """Partners per step and what they contribute in the 5 M's, for the impact dashboard."""
    from samen.core.kpi import KpiSection, KpiTable

    from .models import Contribution, FiveM, StepChange

    steps = pipeline_counts()
    active = Contribution.objects.filter(started_on__year__lte=year).filter(
        Q(ended_on__isnull=True) | Q(ended_on__year__gte=year)
    )
    contributions = active.aggregate(
        cooperating=Count("partner", distinct=True),
        **{f"n_{m}": Count("pk", filter=Q(m=m)) for m in FiveM.values},
        **{f"partners_{m}": Count("partner", distinct=True, filter=Q(m=m)) for m in FiveM.values},
    )
    cooperating = contributions["cooperating"]
    moves = StepChange.objects.filter(at__year=year).count()
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
                    [str(label), contributions[f"n_{value}"], contributions[f"partners_{value}"]]
                    for value, label in FiveM.choices
                ],
                chart_column=1,
            ),
        ],
    )


def organisation_contributions(*, organisation: Organisation) -> list[tuple[str, int]]:
    """For the organisation's own figures (impact): its contributions per M of the 5 M's."""
    counts = dict(
        Contribution.objects.filter(partner__organisation=organisation)
        .values_list("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    return [(str(label), counts.get(value, 0)) for value, label in FiveM.choices]


def stale_partners(*, weeks: int, now: dt.datetime | None = None) -> QuerySet[Partner]:
    """Partners in contact (past voorbereiden, or on the shortlist) nobody has spoken to in
    `weeks` weeks, in the current scope, longest silence first. Partners on hold ("bij
    twijfel: niet doen") are left out until the coordinator takes them back."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(weeks=weeks)
    return (
        Partner.objects.filter(Q(last_spoken_at__isnull=True) | Q(last_spoken_at__lt=cutoff))
        .filter(~Q(step=Step.PREPARE) | Q(shortlisted=True))
        .filter(on_hold_since__isnull=True)
        .order_by(F("last_spoken_at").asc(nulls_first=True), "pk")
    )


# --- for outreach (which reads partners only through these) ----------------------------------


def partners_by_ids(ids: list[int]) -> list[Partner]:
    return list(Partner.objects.select_related("organisation").filter(pk__in=ids))


def unknown_partner_ids(ids: list[int]) -> set[int]:
    return set(ids) - set(Partner.objects.filter(pk__in=ids).values_list("pk", flat=True))


def persuading_count(municipality: Municipality) -> int:
    """Partners in the steps verbinden or verleiden, not on hold (to invite in the Week tegen
    Eenzaamheid)."""
    return Partner.objects.filter(
        municipality=municipality,
        step__in=[Step.CONNECT, Step.PERSUADE],
        on_hold_since__isnull=True,  # "bij twijfel: niet doen": not invited either
    ).count()


def coordinator_addresses(municipality: Municipality) -> list[str]:
    return list(
        User.objects.filter(
            memberships__municipality=municipality,
            memberships__role=Role.COORDINATOR,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def reminder_digest(
    municipality: Municipality, *, today: dt.date
) -> tuple[int, list[dict[str, Any]]]:
    """For the Monday reminder: the municipality's N weeks, and per account holder ("user")
    the partners nobody spoke to in N weeks ("stale") and those to contact this week ("due").
    Names the municipality, so it also works outside a scope."""
    weights = ScoringWeights.objects.filter(municipality=municipality).first()
    weeks = weights.stale_weeks if weights else 6
    stale = stale_partners(weeks=weeks).filter(
        municipality=municipality, account_holder__isnull=False
    )
    due = Partner.objects.filter(
        municipality=municipality,
        account_holder__isnull=False,
        next_contact_on__lte=today + dt.timedelta(days=6),
        on_hold_since__isnull=True,
    )
    per_holder: dict[int, dict[str, Any]] = {}
    for partner in stale.select_related("organisation", "account_holder")[:2000]:
        assert partner.account_holder_id is not None  # filtered above
        per_holder.setdefault(
            partner.account_holder_id,
            {"stale": [], "due": [], "user": partner.account_holder},
        )["stale"].append(partner)
    for partner in due.select_related("organisation", "account_holder")[:2000]:
        assert partner.account_holder_id is not None  # filtered above
        per_holder.setdefault(
            partner.account_holder_id,
            {"stale": [], "due": [], "user": partner.account_holder},
        )["due"].append(partner)
    return weeks, list(per_holder.values())


def highlights(*, since: dt.datetime) -> list[str]:
    """Recent good news: partners that started cooperating and new contributions."""
    lines = []
    moved = (
        StepChange.objects.filter(at__gte=since, to_step__in=[Step.RETAIN, Step.STRENGTHEN])
        .select_related("partner__organisation")
        .order_by("at")
    )
    seen = set()
    for change in moved:
        if change.partner_id in seen:
            continue
        seen.add(change.partner_id)
        lines.append(
            _("%(org)s doet mee: %(what)s")
            % {
                "org": change.partner.organisation.name,
                "what": change.partner.public_description
                or ", ".join(change.partner.get_roles_display()).lower()
                or _("welkom in de coalitie"),
            }
        )
    for contribution in (
        Contribution.objects.filter(created_at__gte=since)
        .exclude(partner_id__in=seen)
        .select_related("partner__organisation")
        .order_by("created_at")
    ):
        lines.append(
            f"{contribution.partner.organisation.name} ({contribution.get_m_display()}): "
            f"{contribution.description}"
        )
    return lines


def account_holders(municipality: Municipality) -> QuerySet[User]:
    return User.objects.filter(
        memberships__municipality=municipality,
        memberships__role__in=[Role.COORDINATOR, Role.CASEWORKER, Role.PROGRAMME],
        is_active=True,
    ).order_by("first_name", "username")


# --- ambassadors, the offer, milestones ------------------------------------------------------


def ambassadors() -> list[dict[str, Any]]:
    """The ambassador network: organisations and businesses marked ambassador, by name, with
    their partner record where they have one. One query."""
    rows = Organisation.objects.filter(is_ambassador=True).order_by("name", "pk")
    kinds = dict(Organisation.Kind.choices)
    return [
        {
            "pk": row["pk"],
            "name": row["name"],
            "slug": row["slug"],
            "website": row["website"],
            "kind": str(kinds.get(row["kind"], row["kind"])),
            "business": row["kind"] in BUSINESS_KINDS,
            "partner_step": row["partner__step"],
            "step_label": str(dict(Step.choices).get(row["partner__step"], "")),
        }
        for row in rows.values("pk", "name", "slug", "website", "kind", "partner__step")
    ]


# Kinds of organisation that are businesses (for the split of the ambassador network).
BUSINESS_KINDS = frozenset(
    {
        Organisation.Kind.SHOP,
        Organisation.Kind.PHARMACY,
        Organisation.Kind.HOSPITALITY,
        Organisation.Kind.BUSINESS,
    }
)


def ambassador_candidates(q: str, limit: int = 20) -> list[Organisation]:
    """Organisations of the coalition that are not an ambassador yet, matching `q`."""
    found = Organisation.objects.filter(is_ambassador=False)
    if q:
        found = found.filter(name__icontains=q)
    return list(found.order_by("name", "pk")[:limit])


def offer_points(municipality: Municipality) -> list[Any]:
    """The offer to businesses as shown: the visible points (`title`, `explanation`)."""
    from . import offer

    return offer.visible_points(municipality)


def offer_text(municipality: Municipality) -> str:
    """The offer as plain text, one line per point, for `{aanbod}` in the e-mails."""
    from . import offer

    return offer.as_text(municipality)


CONTRIBUTION_MILESTONES = (10, 25, 50, 100, 250, 500, 1000)


def milestones(municipality: Municipality, today: dt.date) -> list[Any]:
    """Partners' good news of the last weeks, to celebrate in the newsletter: a partner a
    year (two, three, ...) in the coalition, counted from its first contribution, and the
    coalition's 10th, 25th, 50th, ... contribution in the register. Two queries, plus one
    per round number reached."""
    from django.db.models import Min

    from samen.core.capabilities import MILESTONE_DAYS, Milestone

    start = today - dt.timedelta(days=MILESTONE_DAYS)
    found: list[Milestone] = []
    firsts = (
        Contribution.objects.filter(municipality=municipality)
        .values("partner_id", "partner__organisation__name")
        .annotate(first=Min("started_on"))
        .filter(first__lte=today - dt.timedelta(days=365 - MILESTONE_DAYS))
    )
    for row in firsts:
        first: dt.date = row["first"]
        years = today.year - first.year
        for n in (years - 1, years):
            if n < 1:
                continue
            try:
                day = first.replace(year=first.year + n)
            except ValueError:  # 29 February
                day = first.replace(year=first.year + n, day=28)
            if start <= day <= today:
                name = row["partner__organisation__name"]
                found.append(
                    Milestone(
                        key=f"partners.year.{row['partner_id']}.{n}",
                        on=day,
                        title=_("%(org)s: %(n)d jaar partner") % {"org": name, "n": n}
                        if n > 1
                        else _("%(org)s: een jaar partner") % {"org": name},
                        text=(
                            _(
                                "%(org)s doet nu %(n)d jaar mee met de coalitie tegen "
                                "eenzaamheid in %(m)s. Dank u wel!"
                            )
                            if n > 1
                            else _(
                                "%(org)s doet nu een jaar mee met de coalitie tegen "
                                "eenzaamheid in %(m)s. Dank u wel!"
                            )
                        )
                        % {"org": name, "n": n, "m": municipality.name},
                    )
                )
    contributions = Contribution.objects.filter(municipality=municipality).order_by(
        "created_at", "pk"
    )
    total = contributions.count()
    for n in CONTRIBUTION_MILESTONES:
        if n > total:
            break
        reached = contributions.values_list("created_at", flat=True)[n - 1]
        day = timezone.localdate(reached)
        if start <= day <= today:
            found.append(
                Milestone(
                    key=f"partners.contributions.{n}",
                    on=day,
                    title=_("De %(n)de bijdrage in het register") % {"n": n},
                    text=_(
                        "Partners in %(m)s hebben samen al %(n)d bijdragen geleverd tegen "
                        "eenzaamheid: mensen, middelen, massa, media en munten. Bekijk ze in "
                        "het transparantieregister."
                    )
                    % {"n": n, "m": municipality.name},
                )
            )
    return found


def partner_history(partner: Partner) -> list[dict[str, Any]]:
    """The partner's history, newest first: its moves between the steps and the times it was
    put on hold (with the reason) or taken back. Two queries."""
    from .models import HoldChange

    lines: list[dict[str, Any]] = []
    for change in partner.step_changes.select_related("actor"):
        lines.append(
            {
                "at": change.at,
                "pk": change.pk,
                "actor": change.actor,
                "title": (
                    f"{change.get_from_step_display()} → {change.get_to_step_display()}"
                    if change.from_step
                    else str(change.get_to_step_display())
                ),
                "note": change.note,
            }
        )
    for hold in HoldChange.objects.filter(partner=partner).select_related("actor"):
        lines.append(
            {
                "at": hold.at,
                "pk": hold.pk,
                "actor": hold.actor,
                "title": _("In de wacht gezet (bij twijfel: niet doen)")
                if hold.on_hold
                else _("Teruggenomen uit de wacht"),
                "note": hold.reason,
                "hold": True,
            }
        )
    return sorted(lines, key=lambda line: (line["at"], line["pk"]), reverse=True)
