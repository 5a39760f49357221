import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from ninja import Field, Query, Router, Schema

from samen.api import QueryDate
from samen.core.access import resolve
from samen.core.errors import problem
from samen.core.models import Municipality
from samen.core.places import remote_budget
from samen.core.tenancy import municipality_scope

from . import calendar, selectors, services
from .models import Category

router = Router(tags=["Activities"])


class ActivitySearch(Schema):
    municipality: str = Field(
        "", max_length=50, description="Slug of a municipality; empty searches all."
    )
    q: str = Field("", max_length=100)
    category: Category | None = None
    near: str = Field("", max_length=100, description="A postcode (1234AB) or 'lat,lon'.")
    radius_km: float = Field(10, ge=0.5, le=100)
    start: QueryDate | None = None
    end: QueryDate | None = None
    free: bool = False
    accessible: bool = False
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(20, ge=1, le=100)


class OccurrenceOut(Schema):
    activity_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    all_day: bool = Field(
        description="A whole day (or days): show the date only. starts_at is then midnight "
        "in Amsterdam and ends_at the midnight after the last day."
    )
    schedule: str
    organisation: str
    also_listed_by: list[str]
    venue: str
    postcode: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    categories: list[str]
    is_free: bool
    cost: str | None
    wheelchair: bool
    signup_required: bool
    url: str


class OccurrencePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OccurrenceOut]


@router.get(
    "/activities",
    response=OccurrencePage,
    auth=None,
    summary="Find activities (occurrences)",
    operation_id="listActivities",
)
def list_activities(request: HttpRequest, filters: Query[ActivitySearch]):
    """Occurrences of activities, soonest first, filtered like the public agenda. Without
    `start`/`end` the next 7 days."""
    params = {k: str(v) for k, v in filters.dict().items() if v not in (None, "", False)}
    params.update({k: "1" for k in ("free", "accessible") if getattr(filters, k)})
    search = selectors.parse_search(params, may_ask_remote=remote_budget(request))
    if search.errors:
        params = [{"name": name, "reason": str(reason)} for name, reason in search.errors.items()]
        return problem(400, _("Ongeldige invoer"), params[0]["reason"], invalidParams=params)
    municipality = None
    if filters.municipality:
        municipality = resolve(request, filters.municipality, cached=True)
        with municipality_scope(municipality):
            services.count_usage(municipality_id=municipality.pk, kind="searches")
    with scopes_disabled():  # activities are public; the municipality filter is explicit
        count, rows = selectors.search_page(
            search, municipality, page=filters.page, page_size=filters.page_size
        )
        page_municipalities = {row.occurrence.municipality_id for row in rows}
        slugs = dict(
            Municipality.objects.filter(pk__in=page_municipalities).values_list("pk", "slug")
        )
    results = []
    for row in rows:
        a, o = row.occurrence.activity, row.occurrence
        results.append(
            {
                "activity_id": a.pk,
                "title": a.title,
                "starts_at": o.starts_at,
                "ends_at": o.ends_at,
                "all_day": a.all_day,
                "schedule": calendar.describe(a.rrule, a.starts_at, a.ends_at, a.all_day),
                "organisation": a.organisation.name,
                "also_listed_by": row.also_listed_by,
                "venue": a.venue,
                "postcode": a.postcode,
                "latitude": a.latitude,
                "longitude": a.longitude,
                "distance_km": round(row.distance_km, 2) if row.distance_km is not None else None,
                "categories": a.categories,
                "is_free": a.is_free,
                "cost": str(a.cost) if a.cost is not None else None,
                "wheelchair": a.wheelchair,
                "signup_required": a.signup_required,
                "url": request.build_absolute_uri(
                    reverse("activities:activity", args=[slugs[a.municipality_id], a.pk])
                ),
            }
        )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": results,
    }
