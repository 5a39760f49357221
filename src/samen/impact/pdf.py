"""The yearly report as a PDF, drawn with reportlab: the same sections, headline figures, bar
charts and tables as the printable page, for a council letter or an archive."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from samen.core.kpi import KpiSection, KpiTable
from samen.core.suppression import SHOWN_AS

BLUE = colors.HexColor("#154273")
GREY = colors.HexColor("#f3f3f3")
WIDTH = A4[0] - 36 * mm


def _cell(value) -> str:
    if value is None:
        return SHOWN_AS
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def _chart(table: KpiTable) -> Drawing:
    labels = [str(row[0]) for row in table.rows]
    values = [row[table.chart_column] for row in table.rows]
    numbers = [v if isinstance(v, int | float) else 0 for v in values]
    height = 14 * len(labels) + 25  # the bars and, below them, the value axis with its labels
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 130, 20, WIDTH - 170, height - 25
    chart.data = [list(reversed(numbers))]  # reportlab draws the first category at the bottom
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    top = max(numbers, default=0)
    chart.valueAxis.valueMax = top or 1
    chart.valueAxis.valueStep = max(1, -(-top // 5)) if top >= 1 else 1  # whole numbers
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _table(table: KpiTable) -> Table:
    rows = [[str(c) for c in table.columns]] + [[_cell(v) for v in row] for row in table.rows]
    flowable = Table(rows, repeatRows=1, hAlign="LEFT")
    flowable.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("BACKGROUND", (0, 0), (-1, 0), GREY),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return flowable


def yearly_report(*, title: str, subtitle: str, sections: list[KpiSection]) -> bytes:
    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(subtitle), styles["Normal"]),
    ]
    story.append(
        Paragraph(
            escape(
                _(
                    "Aantallen over signalen onder de 5 tonen we niet (“< 5”), zodat niemand "
                    "herkenbaar is; soms ook een tweede aantal, zodat een totaal het niet verraadt."
                )
            ),
            styles["Italic"],
        )
    )
    for section in sections:
        story += [Spacer(1, 6 * mm), Paragraph(escape(str(section.title)), styles["Heading2"])]
        headline = [[_cell(value), str(label)] for label, value in section.headline]
        if headline:
            figures = Table(headline, hAlign="LEFT", colWidths=[30 * mm, WIDTH - 30 * mm])
            figures.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 12),
                        ("TEXTCOLOR", (0, 0), (0, -1), BLUE),
                        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                    ]
                )
            )
            story.append(figures)
        for table in section.tables:
            parts = [Paragraph(escape(str(table.title)), styles["Heading3"])]
            if table.chart_column is not None and table.rows:
                parts.append(_chart(table))
            story.append(KeepTogether(parts))
            story += [_table(table), Spacer(1, 3 * mm)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Samen",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
