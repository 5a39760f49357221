"""Reading a longlist file (CSV or XLSX): the limits, the column names, the Dutch words for
sectors and routes, and the checks of each row. Pure functions on bytes and text: nothing here
touches the database; `services.import_longlist` writes what `parse` returns."""

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import DailyRoute, Sector

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
# An xlsx is a zip: 5 MB on disk can be gigabytes unpacked. What a 20,000-row longlist needs.
MAX_IMPORT_UNPACKED = 50 * 1024 * 1024
MAX_IMPORT_MEMBERS = 500
MAX_IMPORT_COLUMNS = 100
MAX_IMPORT_CELLS = 400_000
TOO_LARGE = "too_large"  # the code of errors the API answers with 413
HEADERS = {
    "naam": "name",
    "organisatie": "name",
    "bedrijf": "name",
    "bedrijfsnaam": "name",
    "name": "name",
    "sector": "sector",
    "branche": "sector",
    "adres": "address",
    "address": "address",
    "postcode": "postcode",
    "website": "website",
    "contactpersoon": "contact_name",
    "contact": "contact_name",
    "e-mail": "contact_email",
    "email": "contact_email",
    "e-mailadres": "contact_email",
    "telefoon": "contact_phone",
    "telefoonnummer": "contact_phone",
    "kvk": "kvk_number",
    "kvk-nummer": "kvk_number",
    "kvk nummer": "kvk_number",
    "kvknummer": "kvk_number",
    "nationale coalitie": "national_coalition",
    "lid nationale coalitie": "national_coalition",
    "lid nationale coalitie tegen eenzaamheid": "national_coalition",
    "dagelijkse routes": "daily_routes",
    "dagelijkse route": "daily_routes",
    "routes": "daily_routes",
    "imago ok": "image_ok",
    "mvo bekend": "csr_known",
    "mvo": "csr_known",
    "past bij eenzaamheidsdoelen": "fits_goals",
    "past bij doelen": "fits_goals",
    "eerdere samenwerking": "earlier_cooperation",
    "warm contact": "warm_contact",
    "shortlist": "shortlisted",
}
BOOLEAN_COLUMNS = (
    "national_coalition",
    "image_ok",
    "csr_known",
    "fits_goals",
    "earlier_cooperation",
    "warm_contact",
    "shortlisted",
)
TRUE = {"ja", "j", "x", "yes", "y", "1", "true", "waar", "✓", "v"}
FALSE = {"", "nee", "n", "no", "0", "false", "onwaar", "-"}
SECTOR_WORDS = [
    ("supermarkt", Sector.SUPERMARKET),
    ("gemakswinkel", Sector.SUPERMARKET),
    ("kringloop", Sector.RETAIL),
    ("winkel", Sector.RETAIL),
    ("detailhandel", Sector.RETAIL),
    ("bezorg", Sector.HOME_VISITS),
    ("installat", Sector.HOME_VISITS),
    ("nuts", Sector.HOME_VISITS),
    ("kapper", Sector.PERSONAL_CARE),
    ("pedicure", Sector.PERSONAL_CARE),
    ("schoonheid", Sector.PERSONAL_CARE),
    ("apotheek", Sector.PARAMEDICAL),
    ("opticien", Sector.PARAMEDICAL),
    ("audicien", Sector.PARAMEDICAL),
    ("diëtist", Sector.PARAMEDICAL),
    ("horeca", Sector.HOSPITALITY),
    ("restaurant", Sector.HOSPITALITY),
    ("café", Sector.HOSPITALITY),
    ("cafe", Sector.HOSPITALITY),
    ("sport", Sector.SPORT),
    ("notaris", Sector.PROFESSIONAL),
    ("advocaat", Sector.PROFESSIONAL),
    ("dierenarts", Sector.PROFESSIONAL),
    ("rijschool", Sector.PROFESSIONAL),
    ("vereniging", Sector.BUSINESS_NETWORK),
    ("mkb", Sector.BUSINESS_NETWORK),
    ("biz", Sector.BUSINESS_NETWORK),
]
ROUTE_WORDS = [
    ("boodschap", DailyRoute.GROCERIES),
    ("supermarkt", DailyRoute.GROCERIES),
    ("kapper", DailyRoute.HAIRDRESSER),
    ("apotheek", DailyRoute.PHARMACY),
    ("recept", DailyRoute.PHARMACY),
    ("sport", DailyRoute.SPORT),
    ("koffie", DailyRoute.HOSPITALITY),
    ("horeca", DailyRoute.HOSPITALITY),
    ("eten", DailyRoute.HOSPITALITY),
    ("thuis", DailyRoute.AT_HOME),
    ("bezorg", DailyRoute.AT_HOME),
    ("markt", DailyRoute.MARKET),
    ("winkelcentrum", DailyRoute.MARKET),
]


def _normal_header(value: Any) -> str:
    text = str(value or "").strip().lower().replace("_", " ").replace("?", "")
    return re.sub(r"\s+", " ", text).strip()


def _too_many_cells() -> ValidationError:
    return ValidationError(
        _("Het bestand heeft meer dan %(n)d cellen. Splits het in delen.")
        % {"n": MAX_IMPORT_CELLS},
        code=TOO_LARGE,
    )


def _kept(row, counted: list[int]) -> list[str]:
    """A row as stripped text without its empty tail, counting its cells against the limit."""
    cells = ["" if cell is None else str(cell).strip() for cell in row[:MAX_IMPORT_COLUMNS]]
    while cells and not cells[-1]:
        cells.pop()
    counted[0] += len(cells)
    if counted[0] > MAX_IMPORT_CELLS:
        raise _too_many_cells()
    return cells


_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"))


def _check_xlsx_archive(content: bytes) -> None:
    """Refuse a zip bomb by the unpacked sizes, and any DTD (no spreadsheet needs one; entity
    tricks live there), before openpyxl reads a byte. defusedxml guards openpyxl's parser too."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if len(members) > MAX_IMPORT_MEMBERS or (
            sum(info.file_size for info in members) > MAX_IMPORT_UNPACKED
        ):
            raise ValidationError(
                _("Het bestand is uitgepakt groter dan %(n)d MB. Splits het in delen.")
                % {"n": MAX_IMPORT_UNPACKED // (1024 * 1024)},
                code=TOO_LARGE,
            )
        for info in members:
            if info.filename.lower().startswith(("xl/media/", "docprops/thumbnail")):
                continue  # pictures: openpyxl does not parse them as XML
            with archive.open(info) as member:  # reads at most the declared size
                tail = b""
                while chunk := member.read(1024 * 1024):
                    if any(mark in tail + chunk for mark in _DTD_MARKS):
                        raise ValidationError(
                            _(
                                "Dit Excel-bestand bevat een DTD en dat doet een gewoon "
                                "spreadsheet nooit. Sla het opnieuw op als .xlsx of als CSV."
                            )
                        )
                    tail = chunk[-32:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ValidationError(
            _("Dit Excel-bestand kunnen we niet lezen. Sla het op als .xlsx of als CSV.")
        ) from exc


def read_rows(name: str, content: bytes) -> list[list[str]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("Het bestand is groter dan 5 MB. Splits het in delen."), code=TOO_LARGE
        )
    counted = [0]
    if name.lower().endswith(".xlsx"):
        import zipfile
        from xml.etree.ElementTree import ParseError

        from defusedxml import DefusedXmlException
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        _check_xlsx_archive(content)
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                _kept(row, counted)
                for _n, row in zip(
                    range(MAX_IMPORT_ROWS + 2),
                    sheet.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS),
                    strict=False,
                )
            ]
        except DefusedXmlException as exc:
            raise ValidationError(
                _(
                    "Dit Excel-bestand bevat een DTD en dat doet een gewone spreadsheet nooit. "
                    "Sla het opnieuw op als .xlsx of als CSV."
                )
            ) from exc
        except (
            zipfile.BadZipFile,
            InvalidFileException,
            ParseError,
            KeyError,
            IndexError,
            ValueError,
            TypeError,
            OSError,
        ) as exc:
            raise ValidationError(
                _("Dit Excel-bestand kunnen we niet lezen. Sla het op als .xlsx of als CSV.")
            ) from exc
        return rows
    if not name.lower().endswith((".csv", ".txt")):
        raise ValidationError(_("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ValidationError(
            _("Dit bestand is geen tekstbestand. Kies een CSV- of Excel-bestand.")
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for n, row in enumerate(reader):
            if n > MAX_IMPORT_ROWS + 1:
                break
            rows.append(_kept(row, counted))
    except csv.Error as exc:
        raise ValidationError(
            _("Dit CSV-bestand kunnen we niet lezen: %(e)s") % {"e": exc}
        ) from exc
    return rows


def parse_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def parse_sector(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return Sector.OTHER
    for code, label in Sector.choices:
        if text in (code, str(label).lower()):
            return code
    for word, code in SECTOR_WORDS:
        if word in text:
            return code
    return None


def parse_routes(value: str) -> tuple[list[str], list[str]]:
    routes, unknown = [], []
    for part in re.split(r"[,;/]", value):
        text = part.strip().lower()
        if not text:
            continue
        match = next(
            (code for code, label in DailyRoute.choices if text in (code, str(label).lower())),
            None,
        ) or next((code for word, code in ROUTE_WORDS if word in text), None)
        if match:
            if match not in routes:
                routes.append(match)
        else:
            unknown.append(part.strip())
    return routes, unknown


def clean_row(values: dict[str, str], line: int, result: "Parsed") -> dict[str, Any] | None:
    """One row as partner and organisation fields; None (and its problems in `result.errors`)
    when it cannot be imported, or when it is empty."""
    data: dict[str, Any] = {}
    problems = []
    name = values.get("name", "").strip()
    if not name:
        if any(v.strip() for v in values.values()):
            problems.append(_("naam ontbreekt"))
        else:
            return None  # empty line
    elif len(name) > 200:
        problems.append(_("naam is langer dan 200 tekens"))
    data["name"] = name
    for key, limit in (
        ("address", 200),
        ("postcode", 7),
        ("contact_name", 120),
        ("contact_phone", 30),
        ("website", 200),
    ):
        if key in values:
            value = values[key].strip()
            if key == "postcode":
                value = value.replace(" ", "").upper()
            if len(value) > limit:
                problems.append(_("%(col)s is te lang") % {"col": key})
            data[key] = value
    if values.get("website") and not values["website"].startswith(("http://", "https://")):
        data["website"] = "https://" + values["website"].strip()
    if "contact_email" in values:
        email = values["contact_email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("e-mailadres '%(v)s' klopt niet") % {"v": email})
        data["contact_email"] = email
    if "kvk_number" in values:
        kvk = re.sub(r"[\s.]", "", values["kvk_number"])
        if kvk.endswith(".0"):
            kvk = kvk[:-2]
        if kvk and not re.fullmatch(r"[0-9]{8}", kvk):
            problems.append(
                _("KvK-nummer '%(v)s' heeft geen 8 cijfers") % {"v": values["kvk_number"]}
            )
        data["kvk_number"] = kvk
    if "sector" in values:
        sector = parse_sector(values["sector"])
        if sector is None:
            result.warnings.append(
                _("Regel %(n)d: sector '%(v)s' onbekend, op 'Anders' gezet.")
                % {"n": line, "v": values["sector"]}
            )
            sector = Sector.OTHER
        data["sector"] = sector
    if "daily_routes" in values:
        routes, unknown = parse_routes(values["daily_routes"])
        if unknown:
            result.warnings.append(
                _("Regel %(n)d: route '%(v)s' onbekend, overgeslagen.")
                % {"n": line, "v": ", ".join(unknown)}
            )
        data["daily_routes"] = routes
    for key in BOOLEAN_COLUMNS:
        if key in values:
            parsed = parse_bool(values[key])
            if parsed is None:
                problems.append(_("'%(v)s' is geen ja of nee") % {"v": values[key]})
            data[key] = bool(parsed)
    if problems:
        result.errors.append(
            (
                line,
                _("Regel %(n)d (%(name)s): %(p)s.")
                % {"n": line, "name": name or "?", "p": "; ".join(str(p) for p in problems)},
            )
        )
        return None
    return data


@dataclass
class Parsed:
    """The rows to import, each as (line number, fields); the rows left out, each as (line
    number, what was wrong); and warnings."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse(filename: str, content: bytes) -> Parsed:
    """Read the file and check every row. A file that cannot be read, has no 'naam' column
    or too many rows raises ValidationError (code TOO_LARGE for the limits); a row with
    problems is left out and reported in `errors`."""
    rows = read_rows(filename, content)
    while rows and not any(rows[0]):
        rows = rows[1:]  # blank lines above the header
    if not rows:
        raise ValidationError(_("Het bestand is leeg."))
    columns = [HEADERS.get(_normal_header(h)) for h in rows[0]]
    if "name" not in columns:
        raise ValidationError(
            _("De eerste regel moet kolomnamen hebben, met in elk geval 'naam'. Gevonden: %(h)s.")
            % {"h": ", ".join(str(h) for h in rows[0][:12]) or "-"}
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationError(_("Maximaal %(n)d regels per bestand.") % {"n": MAX_IMPORT_ROWS})
    result = Parsed()
    for line, row in enumerate(rows[1:], start=2):
        values = {
            col: (row[i] if i < len(row) else "")
            for i, col in enumerate(columns)
            if col is not None
        }
        data = clean_row(values, line, result)
        if data is not None:
            result.rows.append((line, data))
    return result
