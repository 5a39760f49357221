"""The shape in which every capability hands its figures to the impact dashboard: tables
that render as HTML, charts, CSV, XLSX and JSON alike."""

from dataclasses import dataclass, field


@dataclass
class KpiTable:
    key: str  # stable identifier, used in export URLs and the API
    title: str
    columns: list[str]
    rows: list[list]  # cells: str, int, float or None (None = suppressed, shown as "< 5")
    chart_column: int | None = None  # which column to draw as bars against the first column
    note: str = ""


@dataclass
class KpiSection:
    key: str
    title: str
    headline: list[tuple[str, object]] = field(default_factory=list)  # (label, value)
    tables: list[KpiTable] = field(default_factory=list)
