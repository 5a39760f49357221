"""CSV downloads open correctly in Dutch Excel: `;` separated, UTF-8 with a BOM, decimal
comma, dates as dd-mm-jjjj."""

import datetime as dt
from decimal import Decimal

from samen.core import csvfile


def test_it_writes_semicolons_a_bom_decimal_commas_and_dutch_dates():
    rows = [
        ["naam", "uren", "datum", "aantal"],
        ["Buurthuis De Eik; Zuid", 2.5, dt.date(2026, 3, 7), 12],
        ["Café Ons Genoegen", Decimal("1.25"), dt.date(2026, 12, 24), None],
    ]
    data = csvfile.response(rows, "uren.csv").content
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "naam;uren;datum;aantal"
    assert lines[1] == '"Buurthuis De Eik; Zuid";2,5;07-03-2026;12'
    assert lines[2] == "Café Ons Genoegen;1,25;24-12-2026;"


def test_whole_numbers_stay_whole_and_times_are_dutch_time(settings):
    moment = dt.datetime(2026, 7, 1, 12, 30, tzinfo=dt.UTC)
    assert csvfile.cell(3.0) == "3"
    assert csvfile.cell(moment) == "01-07-2026 14:30"
    assert csvfile.cell("< 5") == "< 5"


def test_the_download_says_what_it_is():
    response = csvfile.response([["a"]], "x.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
