"""Longlist scoring: the guide's table of crosses (Sector? Imago ok? Mvo bekend? Past bij
eenzaamheidsdoelen? Eerdere samenwerking? Warm contact?) plus membership of the Nationale
Coalitie and the residents' daily routes, each with a weight the municipality sets.

One table of criteria, two ways to use it: `score()` / `breakdown()` on a plain mapping in
Python, and `score_expression()` for ranking in SQL. Tests keep the two equal."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_PRIORITY_SECTORS, ScoringWeights

# key, label (the guide's column), boolean field on Partner (None: computed)
CRITERIA: list[tuple[str, Any, str | None]] = [
    ("sector", _("Sector?"), None),
    ("image_ok", _("Imago ok?"), "image_ok"),
    ("csr_known", _("Mvo bekend?"), "csr_known"),
    ("fits_goals", _("Past bij eenzaamheidsdoelen?"), "fits_goals"),
    ("earlier_cooperation", _("Eerdere samenwerking?"), "earlier_cooperation"),
    ("warm_contact", _("Warm contact?"), "warm_contact"),
    ("national_coalition", _("Nationale Coalitie?"), "national_coalition"),
    ("daily_route", _("Dagelijkse route?"), "on_daily_route"),
]
# Short column headings for the ranked table (the full label is the title).
SHORT_LABELS = {
    "sector": _("Sector"),
    "image_ok": _("Imago"),
    "csr_known": _("Mvo"),
    "fits_goals": _("Doelen"),
    "earlier_cooperation": _("Eerder"),
    "warm_contact": _("Warm"),
    "national_coalition": _("NCtE"),
    "daily_route": _("Route"),
}
# Fields a row needs for scoring (e.g. in a values() query).
SCORE_FIELDS = ["sector", *[field for _key, _label, field in CRITERIA if field]]


@dataclass(frozen=True)
class Weights:
    weights: dict[str, int]
    priority_sectors: frozenset[str]

    @classmethod
    def default(cls) -> "Weights":
        return cls(
            {key: 1 for key, _label, _field in CRITERIA}, frozenset(DEFAULT_PRIORITY_SECTORS)
        )

    @classmethod
    def of(cls, row: ScoringWeights) -> "Weights":
        return cls(
            {key: getattr(row, f"weight_{key}") for key, _label, _field in CRITERIA},
            frozenset(row.priority_sectors),
        )

    @property
    def maximum(self) -> int:
        return sum(self.weights.values())


@dataclass(frozen=True)
class CriterionScore:
    key: str
    label: str
    met: bool
    weight: int

    @property
    def points(self) -> int:
        return self.weight if self.met else 0


def _met(row: Mapping[str, Any], key: str, field: str | None, weights: Weights) -> bool:
    if key == "sector":
        return row["sector"] in weights.priority_sectors
    return bool(row[field])


def breakdown(row: Mapping[str, Any], weights: Weights) -> list[CriterionScore]:
    """Each criterion: met or not, its weight and the points it gives."""
    return [
        CriterionScore(key, str(label), _met(row, key, field, weights), weights.weights[key])
        for key, label, field in CRITERIA
    ]


def score(row: Mapping[str, Any], weights: Weights) -> int:
    return sum(item.points for item in breakdown(row, weights))


def score_expression(weights: Weights) -> Combinable:
    """The same score as an SQL expression, to rank a whole longlist in one query."""
    total: Combinable = Value(0, output_field=IntegerField())
    for key, _label, field in CRITERIA:
        weight = weights.weights[key]
        if not weight:
            continue
        condition = (
            Q(sector__in=sorted(weights.priority_sectors))
            if key == "sector"
            else Q(**{field: True})
        )
        total = total + Case(
            When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField()
        )
    return total


def instance_row(partner) -> dict[str, Any]:
    return {field: getattr(partner, field) for field in SCORE_FIELDS}
