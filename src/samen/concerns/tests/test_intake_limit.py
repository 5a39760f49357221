"""Only an organisation that may report in this municipality skips the intake limit; any
other token is counted like an anonymous client."""

import pytest
from django.test import Client

URL = "/api/v1/municipalities/samenstad/concerns"
MINIMAL = {"description": "Gordijnen al dagen dicht", "postcode": "1234AB", "house_number": "7"}


def _post(client, n, headers):
    return client.post(
        URL, {**MINIMAL, "house_number": str(n)}, content_type="application/json", **headers
    )


@pytest.mark.parametrize("username", ["volunteer", "caseworker-tweestad", "programme"])
def test_a_token_without_concerns_report_here_is_limited(samenstad, settings, bearer, username):
    settings.SAMEN_CONCERN_RATE = "2/h"
    client = Client()
    headers = bearer(username)
    statuses = [_post(client, n, headers).status_code for n in range(1, 4)]
    assert statuses == [201, 201, 429]


def test_such_a_token_shares_the_anonymous_count_of_its_address(samenstad, settings, bearer):
    settings.SAMEN_CONCERN_RATE = "2/h"
    client = Client()
    assert _post(client, 1, {}).status_code == 201
    assert _post(client, 2, bearer("volunteer")).status_code == 201
    assert _post(client, 3, {}).status_code == 429


def test_a_partner_organisation_of_this_municipality_is_not_limited(samenstad, settings, bearer):
    settings.SAMEN_CONCERN_RATE = "2/h"
    client = Client()
    headers = bearer("partner")
    assert [_post(client, n, headers).status_code for n in range(1, 5)] == [201] * 4


def test_on_the_web_a_logged_in_partner_is_not_limited_but_a_volunteer_is(
    samenstad, settings, user, unscoped
):
    from samen.concerns.models import Report

    settings.SAMEN_CONCERN_RATE = "1/h"
    form = {
        "signs": ["mail_piling"],
        "postcode": "9501 ab",
        "house_number": "12",
        "relation": "delivery",
        "person_aware": "no",
        "reporter_type": "delivery",
    }
    before = Report.objects.count()
    partner = Client()
    partner.force_login(user("partner"))
    assert [partner.post("/samenstad/signaal/", form).status_code for _ in range(3)] == [302] * 3
    volunteer = Client(REMOTE_ADDR="198.51.100.3")
    volunteer.force_login(user("volunteer"))
    assert volunteer.post("/samenstad/signaal/", form).status_code == 302
    assert volunteer.post("/samenstad/signaal/", form).status_code == 429
    assert Report.objects.count() == before + 4
