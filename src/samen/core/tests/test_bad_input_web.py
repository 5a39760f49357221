"""Bad input sent to the web pages gets a clear Dutch answer, never a 500, and stores nothing."""

import pytest

from .factories import MunicipalityFactory


@pytest.fixture
def samenstad(db):
    """Only the municipality: bad input is refused before any of the demo's rows matter."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


@pytest.fixture
def production(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def test_thousands_of_form_fields_get_a_dutch_400_and_store_nothing(
    production, samenstad, unscoped
):
    from samen.concerns.models import Report

    before = Report.objects.count()
    fields = {f"veld{i}": "x" for i in range(3000)}
    fields.update(
        {"description": "Gordijnen altijd dicht", "postcode": "9501AB", "house_number": "7"}
    )
    response = production.post("/samenstad/signaal/", fields)
    assert response.status_code == 400
    assert "Dit verzoek konden we niet lezen" in response.content.decode()
    assert Report.objects.count() == before


def test_a_body_over_the_upload_limit_gets_a_dutch_400(production, samenstad, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = production.post("/samenstad/signaal/", {"description": "x" * 20_000})
    assert response.status_code == 400
    assert "Dit verzoek konden we niet lezen" in response.content.decode()


def test_a_nul_byte_in_a_report_is_a_form_error(production, samenstad, unscoped):
    from samen.concerns.models import Report

    before = Report.objects.count()
    response = production.post(
        "/samenstad/signaal/",
        {"description": "Post\x00 stapelt zich op", "postcode": "9501AB", "house_number": "7"},
    )
    assert response.status_code == 200
    assert "Null-tekens zijn niet toegestaan." in response.content.decode()
    assert Report.objects.count() == before


@pytest.mark.parametrize(
    "path",
    [
        "/samenstad/agenda/?start=9999-12-31",
        "/samenstad/agenda/?start=0001-01-01",
        "/samenstad/agenda.ics?start=9999-12-31",
        "/samenstad/agenda.rss?start=9999-12-31",
        "/samenstad/agenda.atom?start=9999-12-31",
        "/samenstad/agenda/print/?start=9999-12-31",
        "/samenstad/agenda/print/?week=9999-12-31",
        "/samenstad/agenda/?q=%00",
        "/samenstad/agenda/?postcode=%00",
    ],
)
def test_far_away_dates_and_nul_bytes_in_the_agenda_never_give_a_500(production, samenstad, path):
    response = production.get(path)
    assert response.status_code in (200, 400), response.status_code


def test_a_line_break_in_a_name_on_the_join_form_is_a_form_error(production, samenstad, unscoped):
    from django.core import mail

    from samen.core.models import Signup

    response = production.post(
        "/samenstad/meedoen/",
        {"name": "Bieb\r\nBcc: x@example.org", "email": "a@example.org", "step": "confirm"},
    )
    assert response.status_code == 200
    assert "Gebruik hier één regel, zonder regeleinde." in response.content.decode()
    assert not Signup.objects.exists() and mail.outbox == []


def test_a_line_break_in_a_name_on_the_report_form_is_a_form_error(production, samenstad, unscoped):
    from samen.concerns.models import Report

    before = Report.objects.count()
    response = production.post(
        "/samenstad/signaal/",
        {
            "description": "Post stapelt zich op bij de deur",
            "postcode": "9501AB",
            "house_number": "7",
            "reporter_name": "Jan\r\nBcc: x@example.org",
        },
    )
    assert response.status_code == 200
    assert "Gebruik hier één regel, zonder regeleinde." in response.content.decode()
    assert Report.objects.count() == before


def test_a_line_break_in_a_newsletter_name_is_a_form_error(production, samenstad, unscoped):
    from samen.core.models import Signup

    response = production.post(
        "/samenstad/nieuwsbrief/",
        {"name": "Jan\nBcc: x@example.org", "email": "jan@example.org"},
    )
    assert "Gebruik hier één regel, zonder regeleinde." in response.content.decode()
    assert not Signup.objects.exists()
