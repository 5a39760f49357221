"""Longlist import from CSV and XLSX: upsert by KvK number or name, errors per line."""

import io

from openpyxl import Workbook

from samen.core.models import Organisation
from samen.partners import longlist_import, services
from samen.partners.models import Partner

CSV = """naam;sector;adres;postcode;contactpersoon;e-mail;kvk;nationale coalitie;dagelijkse routes;imago ok;mvo bekend;past bij eenzaamheidsdoelen;eerdere samenwerking;warm contact
Kapsalon Knip;kapper;Dorpsstraat 3;9501 AA;Anouk de Wit;anouk@knip.example;12345678;nee;kapper;ja;nee;ja;nee;ja
Supermarkt De Buurtmarkt;supermarkt;;;;;;ja;boodschappen;x;x;x;ja;x
Drogisterij Het Kruidvat;winkel;Marktplein 9;;;;23456789;ja;boodschappen, markt;ja;ja;;;
;;;;;;;;;;;;;
Zonder KvK;kapper;;;;;12;ja;;;;;;
Fout E-mail;;;;;geen-adres;;;;;;;;
Onbekend;ruimtevaart;;;;;;;;;;;;
"""


def _upload(client, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/samenstad/beheer/partners/importeren/", {"file": SimpleUploadedFile(name, content)}
    )


def test_csv_import_creates_updates_and_reports(login, in_samenstad):
    client = login("coordinator")
    before = Organisation.objects.count()
    response = _upload(client, "longlist.csv", CSV.encode("utf-8"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 nieuw op de longlist, 1 bijgewerkt" in page
    assert "Regel 6 (Zonder KvK): KvK-nummer" in page and "Regel 7 (Fout E-mail)" in page
    assert "sector &#x27;ruimtevaart&#x27; onbekend" in page
    knip = Partner.objects.get(kvk_number="12345678")
    assert knip.organisation.name == "Kapsalon Knip" and knip.sector == "personal_care"
    assert knip.daily_routes == ["hairdresser"] and knip.warm_contact and not knip.csr_known
    assert knip.organisation.postcode == "9501AA"
    assert knip.step_changes.get().to_step == "prepare"
    drogist = Partner.objects.get(kvk_number="23456789")
    assert drogist.daily_routes == ["groceries", "market"] and drogist.national_coalition
    # The supermarket was already an organisation and a partner: updated, not duplicated.
    supermarket = Partner.objects.get(organisation__slug="supermarkt-de-buurtmarkt")
    assert supermarket.national_coalition and supermarket.kvk_number == "40123456"
    assert Organisation.objects.count() == before + 3


def test_importing_the_same_file_twice_does_not_duplicate(user, in_samenstad):
    coordinator = user("coordinator")
    first = services.import_longlist(
        municipality=in_samenstad, actor=coordinator, filename="a.csv", content=CSV.encode()
    )
    counts = (Organisation.objects.count(), Partner.objects.count())
    second = services.import_longlist(
        municipality=in_samenstad, actor=coordinator, filename="a.csv", content=CSV.encode()
    )
    assert first.created == 3 and second.created == 0 and second.updated == 0
    assert (Organisation.objects.count(), Partner.objects.count()) == counts


def test_xlsx_import(login, in_samenstad):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Naam", "Sector", "KvK-nummer", "Imago ok?", "Warm contact?"])
    sheet.append(["Opticien Scherp", "opticien", 34567890, "ja", "nee"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(login("coordinator"), "lijst.xlsx", buffer.getvalue())
    assert "1 nieuw op de longlist" in response.content.decode()
    partner = Partner.objects.get(kvk_number="34567890")
    assert partner.sector == "paramedical" and partner.image_ok and not partner.warm_contact


def test_unreadable_files_give_a_dutch_error(login, in_samenstad):
    client = login("coordinator")
    assert "kunnen we niet lezen" in _upload(client, "x.xlsx", b"not a zip").content.decode()
    assert "Kies een CSV-bestand" in _upload(client, "x.pdf", b"%PDF").content.decode()
    assert (
        "met in elk geval &#x27;naam&#x27;"
        in _upload(client, "x.csv", b"a;b\n1;2\n").content.decode()
    )
    assert "Het bestand is leeg" in _upload(client, "x.csv", b"\n\n").content.decode()
    assert "geen tekstbestand" in _upload(client, "x.csv", b"naam\x00\x01").content.decode()


def test_add_by_hand_with_dutch_errors(login, in_samenstad):
    client = login("coordinator")
    bad = client.post(
        "/samenstad/beheer/partners/nieuw/",
        {"name": "Bakker Brood", "sector": "retail", "kvk_number": "12", "postcode": "abc"},
    )
    page = bad.content.decode()
    assert "Een KvK-nummer heeft 8 cijfers." in page and "Vul een postcode in" in page
    ok = client.post(
        "/samenstad/beheer/partners/nieuw/",
        {"name": "Bakker Brood", "sector": "retail", "kvk_number": "4567 8901", "image_ok": "on"},
    )
    assert ok.status_code == 302
    partner = Partner.objects.get(kvk_number="45678901")
    assert partner.image_ok and partner.organisation.kind == "shop"
    duplicate = client.post(
        "/samenstad/beheer/partners/nieuw/",
        {"name": "Iemand anders", "sector": "retail", "kvk_number": "45678901"},
    )
    assert "al een partner met dit KvK-nummer" in duplicate.content.decode()


def test_reading_the_file_needs_no_database():
    """`longlist_import.parse` is pure (no `db` fixture here: a query would fail the test)."""
    parsed = longlist_import.parse("lijst.csv", CSV.encode())
    assert [line for line, _data in parsed.rows] == [2, 3, 4, 8]
    assert [line for line, _message in parsed.errors] == [6, 7]
    assert parsed.rows[0][1]["kvk_number"] == "12345678"
    assert parsed.rows[0][1]["postcode"] == "9501AA"
    assert any("ruimtevaart" in w for w in parsed.warnings)
