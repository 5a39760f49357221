"""The shape in which every capability hands its figures to the impact dashboard: tables
that render as HTML, charts, CSV, XLSX and JSON alike."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


@dataclass
class KpiTable:
    key: str  # stable identifier, used in export URLs and the API
    title: str
    columns: list[str]
    rows: list[list]  # cells: str, int, float or None (suppressed: see core.suppression)
    chart_column: int | None = None  # which column to draw as bars against the first column
    note: str = ""


@dataclass
class KpiSection:
    key: str
    title: str
    headline: list[tuple[str, object]] = field(default_factory=list)  # (label, value)
    tables: list[KpiTable] = field(default_factory=list)


MONTHS_NL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def month_starts(year: int, *, dates: bool = False) -> list:
    """The first moments of the 12 months of `year` and of the next January (13 bounds), in
    the municipality's time zone; plain dates for a DateField."""
    days = [dt.date(year, month, 1) for month in range(1, 13)] + [dt.date(year + 1, 1, 1)]
    if dates:
        return days
    zone = timezone.get_current_timezone()
    return [dt.datetime.combine(day, dt.time(), tzinfo=zone) for day in days]


def year_range(queryset, field: str, year: int):
    """`queryset` limited to `year` (Dutch time) by a plain range on `field`."""
    is_date = not isinstance(queryset.model._meta.get_field(field), models.DateTimeField)
    bounds = month_starts(year, dates=is_date)
    return queryset.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[12]})


def monthly(
    name: str,
    field: str,
    year: int,
    aggregate=Count,
    expression: str = "pk",
    *,
    dates: bool = False,
    where: Q | None = None,
) -> dict:
    """Twelve filtered aggregates `<name>_0` .. `<name>_11`, one per month of `year`, to pass
    to `.aggregate()` beside other figures of the same rows: the twelve figures come from the
    same single pass as the rest. (Grouping by a month function instead would convert every
    row's time zone, which SQLite does in Python, row by row.) `dates` for a DateField; `where`
    narrows the rows counted.
    Read them back with `months()`."""
    bounds = month_starts(year, dates=dates)
    return {
        f"{name}_{month}": aggregate(
            expression,
            filter=Q(**{f"{field}__gte": bounds[month], f"{field}__lt": bounds[month + 1]})
            & (where or Q()),
        )
        for month in range(12)
    }


def months(figures: dict, name: str) -> list:
    return [figures[f"{name}_{month}"] or 0 for month in range(12)]


def per_month(queryset, field: str, year: int, aggregate=Count, expression: str = "pk") -> list:
    """Twelve monthly figures of a year in one query (see `monthly`)."""
    is_date = not isinstance(queryset.model._meta.get_field(field), models.DateTimeField)
    figures = year_range(queryset, field, year).aggregate(
        **monthly("m", field, year, aggregate, expression, dates=is_date)
    )
    return months(figures, "m")
