"""Finding activities: one indexed query over materialised occurrences."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Municipality, Organisation, User
from samen.core.places import Point, bounding_box, cells_near, distance_km, geocode

from .calendar import AMSTERDAM
from .models import CATEGORY_BITS, Activity, Feed, Occurrence

if TYPE_CHECKING:
    from samen.core.kpi import KpiSection


@dataclass
class Search:
    q: str = ""
    category: str = ""
    near: Point | None = None
    radius_km: float = 10.0
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    free: bool = False
    accessible: bool = False
    no_signup: bool = False
    organisation_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def window(when: str, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """today / week / weekend / month -> [start, end) in Amsterdam time."""
    today = today or timezone.localdate()
    midnight = dt.datetime.combine(today, dt.time(0, 0), tzinfo=AMSTERDAM)
    if when == "today":
        return max(midnight, timezone.now()), midnight + dt.timedelta(days=1)
    if when == "weekend":
        saturday = midnight + dt.timedelta(days=(5 - today.weekday()) % 7)
        return saturday, saturday + dt.timedelta(days=2)
    if when == "month":
        return midnight, midnight + dt.timedelta(days=31)
    return midnight, midnight + dt.timedelta(days=7)


# Dates a search may name: far enough for any agenda, near enough that no arithmetic overflows.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)


def parse_search(
    params: Mapping[str, str],
    *,
    default_when: str = "week",
    may_ask_remote: Callable[[], bool] | None = None,
) -> Search:
    """Turn query parameters (from the agenda page, the feeds or the API) into a Search,
    collecting Dutch errors instead of failing."""
    search = Search(q=params.get("q", "").strip()[:100], category=params.get("category", ""))
    if "\x00" in search.q:  # PostgreSQL refuses a NUL in any text it is asked to compare
        search.errors["q"] = _("Null-tekens zijn niet toegestaan.")
        search.q = ""
    if search.category and search.category not in CATEGORY_BITS:
        search.errors["category"] = _("Onbekende categorie.")
        search.category = ""
    near = params.get("near", "").strip()
    if near:
        search.near = geocode(near, may_ask_remote=may_ask_remote)
        if search.near is None:
            search.errors["near"] = _(
                "Deze plaats of postcode kennen we niet. Probeer een postcode zoals 9501 AB."
            )
    radius = params.get("radius_km", "") or params.get("radius", "")
    if radius:
        try:
            search.radius_km = min(100.0, max(0.5, float(radius)))
        except ValueError:
            search.errors["radius_km"] = _("Vul een afstand in kilometers in.")
    start, end = window(params.get("when", default_when))
    for name in ("start", "end"):
        value = params.get(name, "")
        if not value:
            continue
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            search.errors[name] = _("Vul een datum in als JJJJ-MM-DD.")
            continue
        if not EARLIEST_DAY <= day <= LATEST_DAY:  # a week past 9999-12-31 overflows
            search.errors[name] = _("Kies een datum tussen 1900 en 2100.")
            continue
        moment = dt.datetime.combine(day, dt.time(0, 0), tzinfo=AMSTERDAM)
        if name == "start":
            start = moment
            if not params.get("end"):
                end = moment + dt.timedelta(days=7)
        else:
            end = moment + dt.timedelta(days=1)
    if end <= start:
        search.errors["end"] = _("De einddatum ligt voor de begindatum.")
        end = start + dt.timedelta(days=1)
    search.start, search.end = start, end
    search.free = params.get("free") in ("1", "true", "on")
    search.accessible = params.get("accessible") in ("1", "true", "on")
    search.no_signup = params.get("no_signup") in ("1", "true", "on")
    return search


# What began before a search's start and is still running is shown too. What began on the
# same day (the "today" window starts now) is in the search's own index range from that
# day's midnight (ends_at is in the indexes, so the test stays in them); what began on an
# earlier day and still runs crossed a midnight (Occurrence.is_long), and those few are found
# through a partial index of their own first (docs/decisions.md).


def _day_start(moment: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(moment.astimezone(AMSTERDAM).date(), dt.time(0, 0), tzinfo=AMSTERDAM)


def _window(search: Search) -> Q:
    """Begins in [start, end), or began earlier on the start's day and still runs."""
    assert search.start is not None and search.end is not None
    midnight = _day_start(search.start)
    if midnight == search.start:  # the usual: a window of whole days
        return Q(starts_at__gte=search.start, starts_at__lt=search.end)
    return Q(starts_at__gte=midnight, starts_at__lt=search.end) & (
        Q(starts_at__gte=search.start) | Q(ends_at__gt=search.start)
    )


def long_running_ids(search: Search) -> list[int]:
    """Occurrences that began on a day before the search's start and still run at it (all
    municipalities: the search's own filters follow; the partial index holds only these)."""
    from django_scopes import scopes_disabled

    assert search.start is not None
    midnight = _day_start(search.start)
    with scopes_disabled():
        # Only what the partial index can answer is asked, without ORDER BY (a test of
        # starts_at or the model's order would have SQLite walk the starts_at index and
        # read every past date); the start is tested here.
        rows = (
            Occurrence.objects.filter(is_long=True, ends_at__gt=search.start)
            .order_by()
            .values_list("pk", "starts_at")
        )
        return [pk for pk, starts_at in rows[:10_000] if starts_at < midnight]


def occurrences(search: Search, municipality: Municipality | None = None) -> QuerySet[Occurrence]:
    """Occurrences matching the search, soonest first: those that begin in it and those
    that began before and still run. Outside a municipality scope pass the municipality
    explicitly (the API searches across municipalities when none is given)."""
    long_ids = long_running_ids(search)
    when = _window(search) | Q(pk__in=long_ids) if long_ids else _window(search)
    return _matching(search, municipality, when)


def _matching(search: Search, municipality: Municipality | None, when: Q) -> QuerySet[Occurrence]:
    """The occurrences `when` selects, with the search's other filters."""
    qs = (
        Occurrence.objects.all()
        if municipality is None
        else Occurrence.objects.filter(municipality=municipality)
    )
    qs = qs.filter(when)
    if search.near is not None:
        lat_min, lat_max, lon_min, lon_max = bounding_box(search.near, search.radius_km)
        qs = qs.filter(
            cell__in=cells_near(search.near, search.radius_km),
            latitude__range=(lat_min, lat_max),
            longitude__range=(lon_min, lon_max),
        )
    if search.category:
        bit = CATEGORY_BITS[search.category]
        qs = qs.annotate(category_hit=F("category_mask").bitand(bit)).filter(category_hit__gt=0)
    if search.free:
        qs = qs.filter(is_free=True)
    if search.accessible:
        qs = qs.filter(is_accessible=True)
    if search.no_signup:
        qs = qs.filter(signup_required=False)
    if search.organisation_id:
        qs = qs.filter(activity__organisation_id=search.organisation_id)
    if search.q:
        qs = qs.filter(
            Q(activity__title__icontains=search.q)
            | Q(activity__description__icontains=search.q)
            | Q(activity__venue__icontains=search.q)
        )
    return qs.select_related("activity", "activity__organisation").order_by("starts_at", "pk")


MATCH_FIELDS = ("pk", "starts_at", "latitude", "longitude", "dedup_key")


@dataclass
class Match:
    """One result of a search before its rows are loaded: enough to filter the exact
    distance, de-duplicate and count (step 1 of a search)."""

    pk: int
    starts_at: dt.datetime
    distance_km: float | None
    duplicates: list[int] = field(default_factory=list)


@dataclass
class Listing:
    occurrence: Occurrence
    distance_km: float | None
    also_listed_by: list[str]


def matches(
    search: Search, municipality: Municipality | None = None, *, cap: int = 2000
) -> list[Match]:
    """Step 1 of a search: the first `cap` matching occurrences as plain values (no model
    instances), within the exact distance, the same activity from several organisations
    once (its other listings kept as `duplicates`, for "ook vermeld door")."""
    long_ids = long_running_ids(search)  # usually none or a few: then one query more
    rows: list[tuple] = []
    if long_ids:  # they began before all the others: first
        running = _matching(search, municipality, Q(pk__in=long_ids))
        rows = list(running.values_list(*MATCH_FIELDS)[:cap])
    window = _matching(search, municipality, _window(search)).values_list(*MATCH_FIELDS)
    rows += list(window[: cap - len(rows)])
    found: list[Match] = []
    by_key: dict[tuple[str, dt.datetime], Match] = {}
    for pk, starts_at, latitude, longitude, dedup_key in rows:
        distance = None
        if search.near is not None and latitude is not None:
            distance = distance_km(search.near, Point(latitude, longitude))
            if distance > search.radius_km:
                continue
        if dedup_key and (dedup_key, starts_at) in by_key:
            by_key[dedup_key, starts_at].duplicates.append(pk)
            continue
        match = Match(pk, starts_at, distance)
        by_key[dedup_key, starts_at] = match
        found.append(match)
    return found


def listings(page: list[Match]) -> list[Listing]:
    """Step 2 of a search: load only these matches (and their duplicates) with their
    activity and organisation. An occurrence a feed refresh removed since step 1 is left out."""
    ids = [m.pk for m in page] + [pk for m in page for pk in m.duplicates]
    by_pk = {occurrence.pk: occurrence for occurrence in page_queryset(ids)}
    rows = []
    for match in page:
        occurrence = by_pk.get(match.pk)
        if occurrence is None:
            continue
        own = occurrence.activity.organisation.name
        others: list[str] = []
        for pk in match.duplicates:
            name = by_pk[pk].activity.organisation.name if pk in by_pk else own
            if name != own and name not in others:
                others.append(name)
        rows.append(Listing(occurrence, match.distance_km, others))
    return rows


def page_queryset(ids: list[int]) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(pk__in=ids).select_related(
        "activity", "activity__organisation"
    )


def search_page(
    search: Search,
    municipality: Municipality | None = None,
    *,
    page: int = 1,
    page_size: int = 20,
    cap: int = 2000,
) -> tuple[int, list[Listing]]:
    """What the agenda and the API show: the number of results (at most `cap`) and one
    page of them."""
    found = matches(search, municipality, cap=cap)
    first = (page - 1) * page_size
    return len(found), listings(found[first : first + page_size])


def feed_status(organisation_id: int) -> list[Feed]:
    return list(Feed.objects.filter(organisation_id=organisation_id).order_by("pk"))


def staff_card(municipality: Municipality, user: User) -> dict | None:
    upcoming = Occurrence.objects.filter(
        starts_at__gte=timezone.now(), starts_at__lt=timezone.now() + dt.timedelta(days=7)
    ).count()
    links = [
        {"text": _("Naar de agenda"), "url": reverse("activities:agenda", args=[municipality.slug])}
    ]
    if user.organisation_in(municipality) is not None:
        links.append(
            {
                "text": _("Activiteiten van mijn organisatie"),
                "url": reverse("activities:mine", args=[municipality.slug]),
            }
        )
    if user.has_samen_perm(municipality, "organisations.manage"):
        links.append(
            {
                "text": _("Aanmeldingen en feeds"),
                "url": reverse("activities:registrations", args=[municipality.slug]),
            }
        )
    return {
        "title": _("Activiteiten"),
        "figure": upcoming,
        "label": _("activiteiten in de komende 7 dagen"),
        "links": links,
    }


def upcoming_dates(activity: Activity, *, limit: int = 8) -> list[Occurrence]:
    """The activity's next dates, the one under way first."""
    now = timezone.now()
    running = Q(ends_at__gt=now) | Q(ends_at__isnull=True, starts_at__gte=now)
    return list(activity.occurrences.filter(running).order_by("starts_at", "pk")[:limit])


def activities_of(organisation_id: int) -> QuerySet[Activity]:
    return Activity.objects.filter(organisation_id=organisation_id).order_by("-updated_at")


def suggest_for_referral(postcode: str, *, limit: int = 25) -> list[tuple[int, str]]:
    """Activities to refer someone to from the Signaalpunt: the coming month, nearest first
    when the postcode is known. Used by the concerns app (in the municipality scope)."""
    search = Search(start=timezone.now(), end=timezone.now() + dt.timedelta(days=31), radius_km=10)
    search.near = geocode(postcode) if postcode else None
    _count, rows = search_page(search, page_size=400, cap=400)
    rows.sort(
        key=lambda row: (
            row.distance_km if row.distance_km is not None else 999,
            row.occurrence.starts_at,
        )
    )
    seen: dict[int, str] = {}
    for row in rows:
        activity = row.occurrence.activity
        if activity.pk not in seen:
            distance = f" · {row.distance_km:.1f} km" if row.distance_km is not None else ""
            seen[activity.pk] = f"{activity.title} ({activity.organisation.name}{distance})"
        if len(seen) >= limit:
            break
    return list(seen.items())


def activity_label(activity_id: int) -> str | None:
    activity = Activity.objects.filter(pk=activity_id).select_related("organisation").first()
    return f"{activity.title} ({activity.organisation.name})" if activity else None


def kpis(*, year: int) -> "KpiSection":
    """The hub's figures for the impact dashboard."""
    from django.db.models import Sum
    from django.db.models.functions import ExtractMonth

    from samen.core.kpi import KpiSection, KpiTable, per_month

    from .models import UsageDay

    months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    activities = Activity.objects.filter(kind=Activity.Kind.ACTIVITY)
    occurrences_by_month = per_month(Occurrence.objects.all(), "starts_at", year)
    usage = {
        row["month"]: row
        for row in UsageDay.objects.filter(day__year=year)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(s=Sum("searches"), sub=Sum("subscriptions"), p=Sum("prints"))
    }
    monthly = [
        [
            months[m - 1],
            occurrences_by_month[m - 1],
            (usage.get(m) or {}).get("s") or 0,
            (usage.get(m) or {}).get("sub") or 0,
            (usage.get(m) or {}).get("p") or 0,
        ]
        for m in range(1, 13)
    ]
    by_category = {c: 0 for c in CATEGORY_BITS}
    for categories in activities.values_list("categories", flat=True):
        for category in categories or []:
            if category in by_category:
                by_category[category] += 1
    from .models import Category

    labels = dict(Category.choices)
    totals = UsageDay.objects.filter(day__year=year).aggregate(
        s=Sum("searches"), sub=Sum("subscriptions")
    )
    return KpiSection(
        key="activities",
        title=str(_("Activiteiten")),
        headline=[
            (
                str(_("organisaties met activiteiten")),
                activities.values("organisation").distinct().count(),
            ),
            (str(_("activiteiten")), activities.count()),
            (str(_("zoekopdrachten")), totals["s"] or 0),
            (str(_("abonnementen (iCal/RSS)")), totals["sub"] or 0),
        ],
        tables=[
            KpiTable(
                "activities-monthly",
                str(_("Bijeenkomsten en gebruik per maand")),
                [
                    str(_("maand")),
                    str(_("bijeenkomsten")),
                    str(_("zoekopdrachten")),
                    str(_("abonnementen")),
                    str(_("afdrukken")),
                ],
                monthly,
                chart_column=1,
            ),
            KpiTable(
                "activities-categories",
                str(_("Aanbod per soort")),
                [str(_("soort")), str(_("activiteiten"))],
                [[str(labels[c]), n] for c, n in by_category.items()],
                chart_column=1,
            ),
        ],
    )


def upcoming_for_newsletter(
    municipality: Municipality, *, days: int = 14, limit: int = 10
) -> list[dict]:
    """The coming activities for the coalition's newsletter (partners app), soonest first,
    each activity once."""
    from django.conf import settings

    now = timezone.now()
    search = Search(start=now, end=now + dt.timedelta(days=days))
    result: list[dict] = []
    seen: set[int] = set()
    for occurrence in occurrences(search, municipality)[:200]:
        activity = occurrence.activity
        if activity.pk in seen:
            continue
        seen.add(activity.pk)
        url = settings.SITE_URL + reverse(
            "activities:activity", args=[municipality.slug, activity.pk]
        )
        result.append({"title": activity.title, "starts_at": occurrence.starts_at, "url": url})
        if len(result) == limit:
            break
    return result


def organisation_meetings(*, organisation: Organisation, year: int) -> dict:
    """For the organisation's own figures (impact): its meetings in the agenda that year,
    `total` and `month_0`..`month_11`."""
    from django.db.models import Count

    from samen.core.kpi import monthly, year_range

    return year_range(
        Occurrence.objects.filter(activity__organisation=organisation), "starts_at", year
    ).aggregate(total=Count("pk"), **monthly("month", "starts_at", year))


# More organisations new in the agenda than this are one milestone, not one each.
FIRSTS_APART = 3


def milestones(municipality: Municipality, today: dt.date) -> list:
    """To celebrate: organisations that put their first activity in the agenda in the last
    weeks (core.capabilities.MILESTONE_DAYS). One query."""
    from django.db.models import Min

    from samen.core.capabilities import MILESTONE_DAYS, Milestone

    start = dt.datetime.combine(today - dt.timedelta(days=MILESTONE_DAYS), dt.time(), AMSTERDAM)
    firsts = (
        Activity.objects.filter(municipality=municipality, kind=Activity.Kind.ACTIVITY)
        .values("organisation_id", "organisation__name")
        .annotate(first=Min("created_at"))
        .filter(first__gte=start)
        .order_by("-first")[:50]
    )
    rows = [row for row in firsts if timezone.localdate(row["first"]) <= today]
    if len(rows) > FIRSTS_APART:
        # Many at once (a new deployment, a week of sign-ups): one item for the newsletter.
        names = [row["organisation__name"] for row in reversed(rows)]
        shown = ", ".join(names[:8]) + (
            _(" en %(n)d andere") % {"n": len(names) - 8} if len(names) > 8 else ""
        )
        return [
            Milestone(
                key=f"activities.first.{len(rows)}",
                on=timezone.localdate(rows[0]["first"]),
                title=_("%(n)d organisaties voor het eerst in de agenda") % {"n": len(rows)},
                text=_(
                    "Nieuw in de agenda van %(m)s: %(names)s. Welkom! Kijk in de agenda wat zij "
                    "organiseren."
                )
                % {"m": municipality.name, "names": shown},
            )
        ]
    found = []
    for row in rows:
        day = timezone.localdate(row["first"])
        name = row["organisation__name"]
        found.append(
            Milestone(
                key=f"activities.first.{row['organisation_id']}",
                on=day,
                title=_("%(org)s: eerste activiteit in de agenda") % {"org": name},
                text=_(
                    "Nieuw in de agenda van %(m)s: %(org)s. Welkom! Kijk in de agenda wat "
                    "%(org)s organiseert."
                )
                % {"org": name, "m": municipality.name},
            )
        )
    return found
