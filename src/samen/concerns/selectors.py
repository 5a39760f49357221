"""Reads of the Signaalpunt. Anything outside the caseworker role gets counts only, suppressed
by the rules of `core.suppression` so that nobody can be recognised."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Municipality, Organisation, User
from samen.core.places import normalise_postcode
from samen.core.suppression import share, suppress, suppress_table

from .models import (
    BEFORE_CONTACT,
    Case,
    CaseEvent,
    Outcome,
    Report,
    ReporterType,
    Status,
    hash_status_token,
)
from .privacy import find_personal_details

if TYPE_CHECKING:
    from samen.core.kpi import KpiSection


class PublicStatus:
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    LABELS = {
        RECEIVED: _("Ontvangen"),
        IN_PROGRESS: _("Wordt opgepakt"),
        CLOSED: _("Afgerond"),
    }


@dataclass(frozen=True)
class ReporterView:
    reference: str
    status: str
    status_label: str
    updated_on: dt.date
    municipality: Municipality


def public_status(token: str) -> ReporterView | None:
    """What the reporter may know: the reference, a coarse status and a date. Never the
    person, the notes, the outcome or the caseworker."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        report = (
            Report.objects.select_related("case", "municipality")
            .filter(status_token_hash=hash_status_token(token))
            .first()
        )
    if report is None:
        return None
    case = report.case
    if case.status == Status.CLOSED:
        # Closed after this report came in (a closed case takes no new reports).
        status, changed = PublicStatus.CLOSED, case.closed_at
    elif report.seen_at is None or case.status == Status.NEW:
        # Not yet looked at: the report's own receipt, nothing about an already open case.
        status, changed = PublicStatus.RECEIVED, report.created_at
    else:
        status, changed = PublicStatus.IN_PROGRESS, max(case.updated_at, report.seen_at)
    return ReporterView(
        reference=report.reference,
        status=status,
        status_label=str(PublicStatus.LABELS[status]),
        updated_on=timezone.localdate(changed),
        municipality=report.municipality,
    )


QUEUE_ORDERINGS = {
    "deadline": ("deadline",),
    "urgency": ("-urgency", "deadline"),
    "new": ("-created_at",),
}


def case_queue(
    *,
    status: str = "",
    urgency: int | None = None,
    overdue: bool = False,
    area: str = "",
    reporter_type: str = "",
    assignee: User | None = None,
    include_closed: bool = False,
    order: str = "urgency",
) -> QuerySet[Case]:
    """The caseworkers' queue, in the current municipality scope."""
    cases = Case.objects.select_related("assignee").annotate(
        report_count=Count("reports", distinct=True),
        reporter_count=Count("reports__reporter_type", distinct=True),
    )
    if status:
        cases = cases.filter(status=status)
    elif not include_closed:
        cases = cases.exclude(status=Status.CLOSED)
    if urgency:
        cases = cases.filter(urgency=urgency)
    if overdue:
        cases = cases.filter(status__in=BEFORE_CONTACT, deadline__lt=timezone.now())
    if area:
        cases = cases.filter(area=area)
    if reporter_type:
        cases = cases.filter(
            Exists(Report.objects.filter(case=OuterRef("pk"), reporter_type=reporter_type))
        )
    if assignee is not None:
        cases = cases.filter(assignee=assignee)
    return cases.order_by(*QUEUE_ORDERINGS.get(order, QUEUE_ORDERINGS["urgency"]), "pk")


def distinct_reporters(case: Case) -> int:
    """How many different partners signalled about this person."""
    return case.reports.values("reporter_type", "reporter_organisation").distinct().count()


def staff_summary(municipality: Municipality, user: User) -> dict | None:
    """The Signaalpunt card on the staff home; None for roles without access."""
    if not user.has_samen_perm(municipality, "concerns.view_figures"):
        return None
    open_cases = Case.objects.exclude(status=Status.CLOSED)
    counts = open_cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=BEFORE_CONTACT, deadline__lt=timezone.now())),
    )
    handles = user.has_samen_perm(municipality, "concerns.handle")
    return {
        "open": counts["open"] if handles else suppress(counts["open"]),
        "overdue": counts["overdue"] if handles else suppress(counts["overdue"]),
        "queue_url": reverse("concerns:queue", args=[municipality.slug]) if handles else None,
        "figures_url": reverse("concerns:figures", args=[municipality.slug]),
    }


def figures(*, year: int) -> dict:
    """Anonymous figures for a year, for coordinators (and the impact dashboard). One pass
    over the year's reports and one over its cases, however many rows there are."""
    from samen.core.kpi import monthly, months, year_range

    in_time = Q(first_contact_at__isnull=False, first_contact_at__lte=F("deadline"))
    reports = year_range(Report.objects.all(), "created_at", year).aggregate(
        total=Count("pk"),
        **monthly("month", "created_at", year),
        **{f"type_{value}": Count("pk", filter=Q(reporter_type=value)) for value in ReporterType},
    )
    cases = year_range(Case.objects.all(), "created_at", year).aggregate(
        total=Count("pk"),
        in_time=Count("pk", filter=in_time),
        reached=Count("pk", filter=Q(first_contact_at__isnull=False)),
        open=Count("pk", filter=~Q(status=Status.CLOSED)),
        **monthly("in_time_month", "created_at", year, where=in_time),
        **{
            f"outcome_{value}": Count("pk", filter=Q(status=Status.CLOSED, outcome=value))
            for value in Outcome
        },
    )
    reached, in_time = cases["reached"], cases["in_time"]
    # Each breakdown adds up to a figure shown beside it: outcomes and "open" to the cases,
    # reporter types and months to the reports, the months in time to the contacts in time.
    outcome_cells: dict[str, int] = {value: cases[f"outcome_{value}"] for value in Outcome}
    outcomes = suppress_table({**outcome_cells, "open": cases["open"]}, total=cases["total"])
    type_cells: dict[str, int] = {value: reports[f"type_{value}"] for value in ReporterType}
    types = suppress_table(type_cells, total=reports["total"])
    return {
        "year": year,
        "reports": suppress(reports["total"]),
        "cases": suppress(cases["total"]),
        # All contacts (in the API only) beside those in time would give the late ones away,
        # and beside the cases those not reached.
        "contacted": suppress(reached)
        if suppress(reached - in_time) is not None
        and suppress(cases["total"] - reached) is not None
        else None,
        "contacted_in_time": suppress(in_time),
        "in_time_share": share(in_time, reached),
        "by_reporter_type": [(str(label), types[value]) for value, label in ReporterType.choices],
        "by_outcome": [(str(label), outcomes[value]) for value, label in Outcome.choices],
        "open": outcomes["open"],
        "reports_by_month": suppress_table(months(reports, "month"), total=reports["total"]),
        "in_time_by_month": suppress_table(months(cases, "in_time_month"), total=in_time),
    }


def partner_feedback() -> list[dict]:
    """Feedback to partners without details: per reporter type and area, how many signals
    and how many led to support. Counts under 5 are suppressed; a reporter could learn what
    their own signal led to, so 0 (none, or all, led to support) is suppressed as well."""
    query = (
        Report.objects.values("reporter_type", "case__area")
        .annotate(
            signals=Count("pk"),
            supported=Count(
                "pk", filter=Q(case__outcome=Outcome.CONNECTED) | Q(case__status=Status.HANDED_OVER)
            ),
        )
        .order_by("reporter_type", "case__area")
    )
    labels = dict(ReporterType.choices)
    rows = list(query)
    # The areas of one reporter type add up to that type's count on the figures page.
    signals: dict[int, int | None] = {}
    for reporter_type in {row["reporter_type"] for row in rows}:
        group = [i for i, row in enumerate(rows) if row["reporter_type"] == reporter_type]
        shown = suppress_table([rows[i]["signals"] for i in group])
        signals.update(zip(group, shown, strict=True))
    return [
        {
            "reporter_type": row["reporter_type"],
            "reporter_type_label": str(labels.get(row["reporter_type"], row["reporter_type"])),
            "area": row["case__area"] or "",
            "signals": signals[index],
            "supported": suppress_table(
                {"supported": row["supported"]}, total=row["signals"], zero=True
            )["supported"],
        }
        for index, row in enumerate(rows)
    ]


def kpis(*, year: int) -> "KpiSection":
    """The Signaalpunt's figures for the impact dashboard: anonymous, small counts suppressed."""
    from samen.core.kpi import MONTHS_NL, KpiSection, KpiTable

    data = figures(year=year)
    monthly = [
        [MONTHS_NL[m], data["reports_by_month"][m], data["in_time_by_month"][m]] for m in range(12)
    ]
    share = data["in_time_share"]
    return KpiSection(
        key="concerns",
        title=str(_("Signaalpunt")),
        headline=[
            (str(_("signalen ontvangen")), data["reports"]),
            (str(_("personen (casussen)")), data["cases"]),
            (
                str(_("eerste contact binnen de termijn")),
                f"{share}%" if share is not None else None,
            ),
        ],
        tables=[
            KpiTable(
                "concerns-monthly",
                str(_("Signalen per maand")),
                [str(_("maand")), str(_("signalen")), str(_("binnen termijn opgepakt"))],
                monthly,
                chart_column=1,
            ),
            KpiTable(
                "concerns-sources",
                str(_("Wie signaleerde")),
                [str(_("soort melder")), str(_("signalen"))],
                [list(row) for row in data["by_reporter_type"]],
                chart_column=1,
            ),
            KpiTable(
                "concerns-outcomes",
                str(_("Uitkomsten")),
                [str(_("uitkomst")), str(_("casussen"))],
                [list(row) for row in data["by_outcome"]],
                chart_column=1,
            ),
        ],
    )


CONTACT_KINDS = {"phone", "email"}


def contact_like_notes(case: Case) -> list[CaseEvent]:
    """History notes that look like contact details (a phone number, an e-mail address): the
    caseworker is offered to blank them when the case closes."""
    return [
        event
        for event in case.events.exclude(note="")
        if CONTACT_KINDS & set(find_personal_details(event.note))
    ]


def cases_of_needs(need_ids: list[int]) -> list[int]:
    """The cases whose hand-over made these buddy hulpvragen (for the audit log)."""
    events = CaseEvent.objects.filter(need_id__in=need_ids)
    return sorted(set(events.values_list("case_id", flat=True)))


REFERENCE_QUERY = re.compile(r"^\s*SP-(\d{4})-(\d{1,6})\s*$", re.IGNORECASE)
CASE_QUERY = re.compile(r"^\s*(?:casus\s*)?#?(\d{1,9})\s*$", re.IGNORECASE)
# A postcode, then a house number as the intake form takes it (14, 14A, 14-2, 3 hs, 7bis).
ADDRESS_QUERY = re.compile(
    r"^\s*([1-9]\d{3}\s?[A-Za-z]{2})(?:[\s,]+([1-9]\d{0,4}(?:\s?[A-Za-z0-9-]{1,6})?))?\s*$"
)


def cases_for_request(municipality: Municipality, query: str) -> list[Case]:
    """The municipality's cases a data subject request may be about, found by what the person
    or the privacy officer has: a melding's kenmerk (SP-2026-00012), the case number, a
    postcode with or without house number, or (part of) the person's name as written in the case."""
    cases = Case.objects.filter(municipality=municipality)
    if match := REFERENCE_QUERY.match(query):
        reference = f"SP-{match.group(1)}-{int(match.group(2)):05d}"  # SP-2026-12 too
        found = cases.filter(reports__reference=reference)
    elif match := CASE_QUERY.match(query):
        found = cases.filter(pk=int(match.group(1)))
    elif match := ADDRESS_QUERY.match(query):
        found = cases.filter(postcode=normalise_postcode(match.group(1)))
        number = (match.group(2) or "").upper().replace(" ", "")
        if number and found.filter(house_number=number).exists():
            found = found.filter(house_number=number)
        elif number:
            # Not that exact number: every addition to the same number (14-2 for "14 2",
            # 14A for "14"), so a typing difference does not make the answer "nothing held".
            base = re.match(r"\d+", match.group(2)).group(0)  # type: ignore[union-attr]
            found = found.filter(house_number__regex=rf"^{base}(\D|$)")
    elif len(query.strip()) >= 3:
        found = cases.filter(person_name__icontains=" ".join(query.split()))
    else:
        return []
    return list(found.distinct().order_by("-created_at")[:50])


def organisation_signals(*, organisation: Organisation, year: int) -> dict:
    """For the organisation's own figures (impact): the signals it passed on that year,
    `total`, `supported` (connected with support) and `month_0`..`month_11`; not suppressed
    yet."""
    from samen.core.kpi import monthly, year_range

    return year_range(
        Report.objects.filter(reporter_organisation=organisation), "created_at", year
    ).aggregate(
        total=Count("pk"),
        supported=Count("pk", filter=Q(case__outcome=Outcome.CONNECTED)),
        **monthly("month", "created_at", year),
    )
