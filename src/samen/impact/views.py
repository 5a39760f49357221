import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from samen.core.tenancy import staff_view

from . import selectors


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    return max(2000, min(2100, int(value))) if value.isdigit() else timezone.localdate().year


def _context(request: HttpRequest) -> dict:
    year = _year(request)
    sections = selectors.municipality_kpis(year=year)
    for section in sections:
        for table in section.tables:
            table.chart = selectors.bars(table)
    return {"year": year, "sections": sections, "now": timezone.localdate()}


@staff_view("impact.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "impact/dashboard.html", _context(request))


@staff_view("impact.view")
def report(request: HttpRequest) -> HttpResponse:
    """The yearly report: the same figures and charts, laid out for A4 (print or save as PDF)."""
    return render(request, "impact/report.html", _context(request))


def _cell(value):
    return "< 5" if value is None else value


@staff_view("impact.view")
def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    year = _year(request)
    table = selectors.find_table(selectors.municipality_kpis(year=year), key)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"{request.municipality.slug}-{key}-{year}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(table.columns)
        writer.writerows([[_cell(v) for v in row] for row in table.rows])
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = table.title[:31]
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
