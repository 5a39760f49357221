import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from samen.core import csvfile
from samen.core.access import staff_view
from samen.core.suppression import shown

from . import selectors


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    return max(2000, min(2100, int(value))) if value.isdigit() else timezone.localdate().year


def _figures(request: HttpRequest) -> tuple[int, selectors.Figures]:
    year = _year(request)
    return year, selectors.figures(municipality=request.municipality, year=year)


def _context(request: HttpRequest) -> dict:
    year, figures = _figures(request)
    for section in figures.sections:  # our own copy, unpickled from the cache
        for table in section.tables:
            table.chart = selectors.bars(table)
    return {
        "year": year,
        "sections": figures.sections,
        "computed_at": figures.computed_at,
        "now": timezone.localdate(),
    }


@staff_view("impact.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "impact/dashboard.html", _context(request))


def _own_sections(request: HttpRequest) -> tuple[int, list]:
    organisation = request.user.organisation_in(request.municipality)
    if organisation is None:
        raise Http404
    year = _year(request)
    return year, selectors.organisation_kpis(organisation=organisation, year=year)


@staff_view("impact.own")
def own(request: HttpRequest) -> HttpResponse:
    """A partner organisation's or company programme's own figures: theirs only."""
    year, sections = _own_sections(request)
    for section in sections:
        for table in section.tables:
            table.chart = selectors.bars(table)
    context = {"year": year, "sections": sections, "now": timezone.localdate(), "own": True}
    return render(request, "impact/dashboard.html", context)


@staff_view("impact.own")
def own_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    year, sections = _own_sections(request)
    return _export(request, selectors.find_table(sections, key), key, fmt, year)


@staff_view("impact.view")
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The yearly report as a PDF file with the charts (reportlab)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from .pdf import yearly_report

    year, figures = _figures(request)
    municipality = request.municipality
    when = date_format(timezone.localtime(figures.computed_at), "j F Y, H:i")
    content = yearly_report(
        title=_("Impact %(name)s %(year)s") % {"name": municipality.name, "year": year},
        subtitle=_("Opgesteld met Samen; cijfers geteld op %(when)s.") % {"when": when},
        sections=figures.sections,
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{municipality.slug}-jaarverslag-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@staff_view("impact.view")
def refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the year's figures now (they are otherwise at most ten minutes old)."""
    year = _year(request)
    selectors.refresh(municipality=request.municipality, year=year)
    return redirect(f"{reverse('impact:dashboard', args=[request.municipality.slug])}?year={year}")


@staff_view("impact.view")
def report(request: HttpRequest) -> HttpResponse:
    """The yearly report: the same figures and charts, laid out for A4 (print or save as PDF)."""
    return render(request, "impact/report.html", _context(request))


@staff_view("impact.view")
def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    year, figures = _figures(request)
    return _export(request, selectors.find_table(figures.sections, key), key, fmt, year)


def _export(request: HttpRequest, table, key: str, fmt: str, year: int) -> HttpResponse:
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"{request.municipality.slug}-{key}-{year}.{fmt}"
    if fmt == "csv":
        rows = [table.columns, *[[shown(v) for v in row] for row in table.rows]]
        return csvfile.response(rows, filename)
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = table.title[:31]
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([shown(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
