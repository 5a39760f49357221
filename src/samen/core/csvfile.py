"""Every CSV download of Samen: written for Excel with Dutch regional settings.

Dutch Excel reads a CSV with `;` between the fields (the comma is the decimal sign), and only
recognises UTF-8 (ë, é, €) when the file starts with a byte order mark. Numbers with a
fraction get a decimal comma, dates are written dd-mm-jjjj (and a time as dd-mm-jjjj uu:mm,
Dutch time). LibreOffice and Numbers open the same file correctly.
"""

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

BOM = "\ufeff"
DELIMITER = ";"


def cell(value: object) -> str:
    """How one value is written in a Dutch CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float | Decimal):
        if value == int(value):
            return str(int(value))
        return str(value).replace(".", ",")
    return str(value)


def response(rows: Iterable[Iterable[object]], filename: str) -> HttpResponse:
    """A download of `rows` (the first row the column headings) as `filename`."""
    result = HttpResponse(content_type="text/csv; charset=utf-8")
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    result.write(BOM)
    writer = csv.writer(result, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return result
