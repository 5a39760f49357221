"""A hostile spreadsheet (a DTD, entity expansion, a zip bomb, millions of cells) is refused
with a Dutch error, on the web and through the API, and nothing of it is imported."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from samen.core.models import Organisation
from samen.partners import longlist_import

WEB = "/samenstad/beheer/partners/importeren/"
API = "/api/v1/municipalities/samenstad/partner-imports"

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>\n"
)


def _xlsx(rows=(("Naam", "Sector"), ("Kapsalon Knip", "kapper"))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(content: bytes, change) -> bytes:
    """The same workbook with one or more members changed or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    members = {info.filename: source.read(info) for info in source.infolist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out.getvalue()


def _with_prolog(prolog: str, entity: str = ""):
    """The worksheet with a DTD in front, and the first company's name replaced by `entity`."""

    def change(members):
        sheet = members["xl/worksheets/sheet1.xml"].decode()
        if entity:
            sheet = sheet.replace("Kapsalon Knip", entity)
        members["xl/worksheets/sheet1.xml"] = (prolog + sheet).encode()

    return change


HOSTILE = {
    "dtd": lambda: _rewrite(_xlsx(), _with_prolog('<?xml version="1.0"?>\n<!DOCTYPE x>\n')),
    "billion-laughs": lambda: _rewrite(_xlsx(), _with_prolog(LAUGHS, "&lol9;")),
    "external-entity": lambda: _rewrite(
        _xlsx(),
        _with_prolog(
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n',
            "&e;",
        ),
    ),
}


def _web(client, name, content):
    return client.post(WEB, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_spreadsheet_with_a_dtd_is_refused_on_the_web(login, in_samenstad, kind):
    before = Organisation.objects.count()
    response = _web(login("coordinator"), "lijst.xlsx", HOSTILE[kind]())
    assert response.status_code == 200
    assert "bevat een DTD" in response.content.decode()
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_spreadsheet_with_a_dtd_is_a_400_on_the_api(client, bearer, in_samenstad, kind):
    before = Organisation.objects.count()
    response = client.post(
        API, {"file": SimpleUploadedFile("lijst.xlsx", HOSTILE[kind]())}, **bearer("coordinator")
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "bevat een DTD" in response.content.decode()
    assert Organisation.objects.count() == before


def _bomb() -> bytes:
    """Under 1 MB on disk, 60 MB once unpacked."""
    return _rewrite(_xlsx(), lambda m: m.__setitem__("xl/media/image1.bin", b"\0" * 60_000_000))


def test_a_zip_bomb_is_refused_by_its_unpacked_size(login, in_samenstad):
    content = _bomb()
    assert len(content) < 1_000_000
    before = Organisation.objects.count()
    response = _web(login("coordinator"), "lijst.xlsx", content)
    assert "uitgepakt groter dan" in response.content.decode()
    assert Organisation.objects.count() == before


def test_a_zip_bomb_is_a_413_on_the_api(client, bearer, in_samenstad):
    before = Organisation.objects.count()
    response = client.post(
        API, {"file": SimpleUploadedFile("lijst.xlsx", _bomb())}, **bearer("coordinator")
    )
    assert response.status_code == 413
    assert response.json()["title"] == "Te groot"
    assert response["Content-Type"] == "application/problem+json"
    assert "uitgepakt groter dan" in response.content.decode()
    assert Organisation.objects.count() == before


def _grid(rows: int, columns: int) -> list[list[str]]:
    header = ["Naam"] + [f"kolom {c}" for c in range(1, columns)]
    return [header] + [[f"Bedrijf {r}"] + ["x"] * (columns - 1) for r in range(rows)]


@pytest.mark.parametrize("name", ["lijst.xlsx", "lijst.csv"])
def test_too_many_cells_are_refused(login, in_samenstad, monkeypatch, name):
    monkeypatch.setattr(longlist_import, "MAX_IMPORT_CELLS", 100)
    grid = _grid(rows=20, columns=10)  # 210 cells, 21 rows: under the row limit
    if name.endswith(".xlsx"):
        content = _xlsx(grid)
    else:
        content = "\n".join(";".join(row) for row in grid).encode()
    before = Organisation.objects.count()
    response = _web(login("coordinator"), name, content)
    assert "meer dan 100 cellen" in response.content.decode()
    assert Organisation.objects.count() == before


def test_too_many_cells_is_a_413_on_the_api(client, bearer, in_samenstad, monkeypatch):
    monkeypatch.setattr(longlist_import, "MAX_IMPORT_CELLS", 100)
    content = _xlsx(_grid(rows=20, columns=10))
    response = client.post(
        API, {"file": SimpleUploadedFile("lijst.xlsx", content)}, **bearer("coordinator")
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_an_ordinary_spreadsheet_still_imports(login, in_samenstad):
    response = _web(login("coordinator"), "lijst.xlsx", _xlsx())
    assert "1 nieuw op de longlist" in response.content.decode()
