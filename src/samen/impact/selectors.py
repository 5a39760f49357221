"""The impact dashboard gathers each capability's `selectors.kpis(year=...)` for one
municipality (in its scope). A capability that has no figures yet is simply left out."""

from django.utils.module_loading import import_string

from samen.core.kpi import KpiSection, KpiTable

KPI_PROVIDERS = [
    "samen.concerns.selectors.kpis",
    "samen.activities.selectors.kpis",
    "samen.partners.selectors.kpis",
    "samen.volunteering.selectors.kpis",
]


def municipality_kpis(*, year: int) -> list[KpiSection]:
    sections = []
    for path in KPI_PROVIDERS:
        try:
            provider = import_string(path)
        except ImportError:
            continue
        sections.append(provider(year=year))
    return sections


def find_table(sections: list[KpiSection], key: str) -> KpiTable | None:
    return next((t for s in sections for t in s.tables if t.key == key), None)


def bars(table: KpiTable, width: int = 560, bar_height: int = 22) -> dict | None:
    """Geometry of a horizontal bar chart (rendered as inline SVG, no JavaScript)."""
    if table.chart_column is None:
        return None
    values = [row[table.chart_column] for row in table.rows]
    numeric = [v for v in values if isinstance(v, int | float)]
    top = max(numeric, default=0) or 1
    label_width = 190
    rows = []
    for index, row in enumerate(table.rows):
        value = row[table.chart_column]
        length = (value / top) * (width - label_width - 60) if isinstance(value, int | float) else 0
        rows.append(
            {
                "label": str(row[0]),
                "value": "< 5" if value is None else value,
                "y": index * (bar_height + 6),
                "length": round(length, 1),
                "text_x": label_width + round(length, 1) + 6,
            }
        )
    return {
        "width": width,
        "height": len(rows) * (bar_height + 6),
        "bar_height": bar_height,
        "label_width": label_width,
        "rows": rows,
        "text_dy": bar_height * 0.7,
    }


def as_json(sections: list[KpiSection]) -> list[dict]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "headline": [{"label": label, "value": value} for label, value in s.headline],
            "tables": [
                {"key": t.key, "title": t.title, "columns": t.columns, "rows": t.rows}
                for t in s.tables
            ],
        }
        for s in sections
    ]


def staff_card(municipality, user) -> dict | None:
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not user.has_samen_perm(municipality, "impact.view"):
        return None
    return {
        "title": _("Impact"),
        "figure": timezone.localdate().year,
        "label": _("dashboard en jaarverslag"),
        "links": [
            {
                "text": _("Naar het dashboard"),
                "url": reverse("impact:dashboard", args=[municipality.slug]),
            }
        ],
    }
