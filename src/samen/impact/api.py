import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from samen.api import AUTH, tenant_endpoint

from . import selectors

router = Router(tags=["Impact"])


class HeadlineOut(Schema):
    label: str
    value: int | float | str | None


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[int | float | str | None]]


class SectionOut(Schema):
    key: str
    title: str
    headline: list[HeadlineOut]
    tables: list[TableOut]


class KpisOut(Schema):
    municipality: str
    year: int
    computed_at: dt.datetime = Field(description="When these figures were counted.")
    sections: list[SectionOut]


@router.get(
    "/municipalities/{slug}/kpis",
    response=KpisOut,
    auth=AUTH,
    summary="Impact figures of a year",
    operation_id="getKpis",
)
@tenant_endpoint("impact.view")
def get_kpis(request: HttpRequest, slug: str, year: int = Query(None, ge=2000, le=2100)):
    """The dashboard's figures as JSON: per capability a few headline figures and tables.
    Counts about concerns under 5 are null. Figures are recounted at most every ten minutes;
    `computed_at` says when."""
    municipality = request.municipality
    year = year or timezone.localdate().year
    figures = selectors.figures(municipality=municipality, year=year)
    return {
        "municipality": municipality.slug,
        "year": year,
        "computed_at": figures.computed_at,
        "sections": selectors.as_json(figures.sections),
    }
