"""Anyone reports a concern in two minutes, on the web or through the API."""

import pytest

from samen.concerns.models import Case, Report
from samen.core.roles import Role
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, bearer, member

URL = "/api/v1/municipalities/samenstad/concerns"
MINIMAL = {"description": "Gordijnen al dagen dicht", "postcode": "1234AB", "house_number": "7"}


@pytest.fixture
def samenstad(db):
    """Only the municipality: the intake needs none of the demo's rows."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


@pytest.fixture
def count_reports(unscoped):
    return lambda: Report.objects.count()


def test_minimal_api_report_is_accepted_and_stored(client, samenstad, count_reports, unscoped):
    before = count_reports()
    response = client.post(URL, MINIMAL, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("SP-2026-") or body["reference"].startswith("SP-")
    assert len(body["status_token"]) >= 30
    assert count_reports() == before + 1
    report = Report.objects.get(reference=body["reference"], municipality=samenstad)
    assert report.case.postcode == "1234AB" and report.case.house_number == "7"
    assert report.source == "api"


def test_references_count_up_per_municipality(client, samenstad):
    first = client.post(URL, MINIMAL, content_type="application/json").json()["reference"]
    second = client.post(
        URL, {**MINIMAL, "house_number": "8"}, content_type="application/json"
    ).json()["reference"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_reporter_sees_only_coarse_status(client, samenstad):
    created = client.post(
        URL, {**MINIMAL, "person_name": "Mevrouw Geheim"}, content_type="application/json"
    ).json()
    status = client.get(f"/api/v1/concerns/status/{created['status_token']}")
    assert status.status_code == 200
    assert set(status.json()) == {"reference", "status", "status_label", "updated_on"}
    assert status.json()["status"] == "received"
    page = client.get(created["status_url"].split("testserver")[-1]).content.decode()
    assert created["reference"] in page
    assert "Geheim" not in page and "1234AB" not in page and "Gordijnen" not in page


def test_unknown_status_token_is_404(client, samenstad):
    response = client.get("/api/v1/concerns/status/verzonnen")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({**MINIMAL, "postcode": "12AB"}, "postcode", "Vul een postcode in zoals 1234 AB."),
        ({**MINIMAL, "house_number": ""}, "house_number", "Vul ook het huisnummer in."),
        (
            {"postcode": "1234AB", "house_number": "7"},
            "description",
            "Kies wat u is opgevallen of vertel het in uw eigen woorden.",
        ),
        (
            {"description": "x"},
            "postcode",
            "Vul postcode en huisnummer in, of beschrijf waar de persoon woont.",
        ),
        (
            {**MINIMAL, "reporter_email": "geen-mail"},
            "reporter_email",
            "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
        ),
        ({**MINIMAL, "signs": ["onbekend"]}, "signs", "Kies een van de mogelijkheden."),
    ],
)
def test_invalid_fields_get_a_dutch_reason_and_nothing_is_stored(
    client, samenstad, count_reports, payload, field, reason
):
    before = count_reports()
    response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert {"name": field, "reason": reason} in response.json()["invalidParams"]
    assert count_reports() == before


def test_too_long_text_is_refused(client, samenstad, count_reports):
    before = count_reports()
    response = client.post(
        URL, {**MINIMAL, "description": "x" * 5000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "description"
    assert count_reports() == before


def test_immediate_danger_stores_nothing_and_says_112(client, samenstad, count_reports):
    before = count_reports()
    response = client.post(
        URL, {**MINIMAL, "immediate_danger": True}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "112" in response.json()["detail"]
    web = client.post("/samenstad/signaal/", {**MINIMAL, "immediate_danger": "on"})
    assert "Bel nu 112" in web.content.decode()
    assert count_reports() == before


def test_web_form_files_a_report_and_shows_the_status_link(client, samenstad, count_reports):
    before = count_reports()
    form = {
        "signs": ["mail_piling", "curtains_closed"],
        "description": "",
        "postcode": "9501 ab",
        "house_number": "12",
        "relation": "delivery",
        "person_aware": "no",
        "reporter_type": "delivery",
    }
    response = client.post("/samenstad/signaal/", form, follow=True)
    assert count_reports() == before + 1
    body = response.content.decode()
    assert "Bedankt! Uw signaal is ontvangen." in body
    assert "SP-" in body and "Ontvangen" in body


def test_web_form_shows_dutch_errors_and_keeps_the_input(client, samenstad, count_reports):
    before = count_reports()
    response = client.post(
        "/samenstad/signaal/", {"description": "Mijn buurvrouw", "postcode": "99"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vul een postcode in zoals 1234 AB." in body
    assert "Mijn buurvrouw" in body
    assert count_reports() == before


def test_honeypot_stores_nothing(client, samenstad, count_reports):
    before = count_reports()
    response = client.post("/samenstad/signaal/", {**MINIMAL, "website": "http://spam.example"})
    assert response.status_code == 200
    assert count_reports() == before


def test_intake_is_rate_limited_per_client(client, samenstad, settings, count_reports):
    settings.SAMEN_CONCERN_RATE = "2/h"
    for number in ("1", "2"):
        assert (
            client.post(
                URL, {**MINIMAL, "house_number": number}, content_type="application/json"
            ).status_code
            == 201
        )
    response = client.post(URL, {**MINIMAL, "house_number": "3"}, content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"


def test_partner_token_records_the_organisation(client, samenstad, unscoped):
    library = OrganisationFactory(municipality=samenstad, slug="bibliotheek-samenstad")
    partner = member(samenstad, Role.PARTNER, organisation=library)
    body = client.post(URL, MINIMAL, content_type="application/json", **bearer(partner)).json()
    report = Report.objects.get(reference=body["reference"], municipality=samenstad)
    assert report.reporter_organisation.slug == "bibliotheek-samenstad"


def test_reports_about_the_same_address_share_one_case_and_raise_urgency(
    client, samenstad, unscoped
):
    for reporter_type in ("shop", "delivery", "pharmacy"):
        client.post(
            URL,
            {**MINIMAL, "house_number": "77", "reporter_type": reporter_type},
            content_type="application/json",
        )
    cases = Case.objects.filter(municipality=samenstad, address_key="1234AB-77")
    assert cases.count() == 1
    case = cases.get()
    assert case.reports.count() == 3
    assert case.urgency == 3
    assert case.events.filter(kind="linked").count() == 2


def test_unknown_municipality_is_404(client, db):
    assert (
        client.post(
            "/api/v1/municipalities/nergens/concerns", MINIMAL, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/nergens/signaal/").status_code == 404
