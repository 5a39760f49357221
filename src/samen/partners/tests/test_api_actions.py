"""The API for what the coordinator does on the web: import a longlist, through the same
service function as the web view. E-mail and the newsletter: outreach/tests/test_api.py."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from samen.partners.models import Partner

BASE = "/api/v1/municipalities/samenstad"
CSV = (
    "naam;sector;kvk;e-mail;warm contact\n"
    "Kapsalon Knip;kapper;12345678;anouk@knip.example;ja\n"
    "Zonder KvK;kapper;12;;ja\n"
)


def _import(client, headers, name, content, slug="samenstad"):
    return client.post(
        f"/api/v1/municipalities/{slug}/partner-imports",
        {"file": SimpleUploadedFile(name, content)},
        **headers,
    )


# --- import ------------------------------------------------------------------------------------


def test_api_imports_a_csv_longlist_twice_without_duplicates(client, bearer, in_samenstad):
    headers = bearer("coordinator")
    response = _import(client, headers, "longlist.csv", CSV.encode())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 1 and body["updated"] == 0
    assert body["errors"][0].startswith("Regel 3 (Zonder KvK): KvK-nummer")
    knip = Partner.objects.get(kvk_number="12345678")
    assert knip.organisation.name == "Kapsalon Knip" and knip.warm_contact
    again = _import(client, headers, "longlist.csv", CSV.encode()).json()
    assert again["created"] == 0 and Partner.objects.filter(kvk_number="12345678").count() == 1


def test_api_imports_xlsx(client, bearer, in_samenstad):
    workbook = Workbook()
    workbook.active.append(["Naam", "Sector", "Dagelijkse routes"])
    workbook.active.append(["Apotheek Oost", "apotheek", "apotheek"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(client, bearer("coordinator"), "lijst.xlsx", buffer.getvalue())
    assert response.status_code == 201 and response.json()["created"] == 1
    assert Partner.objects.get(organisation__name="Apotheek Oost").daily_routes == ["pharmacy"]


def test_api_import_of_an_unreadable_file_is_a_dutch_problem(client, bearer, in_samenstad):
    response = _import(client, bearer("coordinator"), "lijst.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["invalidParams"] == [
        {"name": "file", "reason": "Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."}
    ]
    missing = client.post(f"{BASE}/partner-imports", {}, **bearer("coordinator"))
    assert missing.status_code == 400
    assert missing["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("username", ["caseworker", "partner", "programme", "volunteer"])
def test_api_import_needs_the_coordinator(client, bearer, in_samenstad, username):
    response = _import(client, bearer(username), "longlist.csv", CSV.encode())
    assert response.status_code == 403
    assert not Partner.objects.filter(kvk_number="12345678").exists()


def test_api_import_into_another_municipality_is_404(client, bearer, in_samenstad):
    response = _import(client, bearer("coordinator"), "longlist.csv", CSV.encode(), "tweestad")
    assert response.status_code == 404


# --- templated e-mail --------------------------------------------------------------------------
