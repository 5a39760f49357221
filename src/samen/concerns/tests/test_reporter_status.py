"""A reporter's status follows their own report until a caseworker has looked at it (#12)."""

import datetime as dt

from django.utils import timezone
from time_machine import travel

from samen.concerns import services
from samen.concerns.models import Case

from .test_intake import MINIMAL, URL


def _status(client, created):
    api = client.get(f"/api/v1/concerns/status/{created['status_token']}").json()
    page = client.get(created["status_url"].split("testserver")[-1]).content.decode()
    return api, page


def test_new_report_about_an_open_case_says_received_until_a_caseworker_reads_it(
    client, login, samenstad, user, unscoped
):
    data = {**MINIMAL, "house_number": "88"}
    a = client.post(URL, data, content_type="application/json").json()
    case = Case.objects.get(municipality=samenstad, address_key="1234AB-88")
    caseworker = user("caseworker")
    services.change_status(case=case, actor=caseworker, to_status="triaged")
    later = timezone.now() + dt.timedelta(days=3)
    with travel(later, tick=False):
        b = client.post(URL, data, content_type="application/json").json()
    api, page = _status(client, b)
    assert api["status"] == "received"
    assert api["updated_on"] == timezone.localdate(later).isoformat()
    assert "Ontvangen" in page
    # A, which the caseworker has not opened either, also stays received.
    assert client.get(f"/api/v1/concerns/status/{a['status_token']}").json()["status"] == (
        "received"
    )
    login("caseworker").get(f"/samenstad/beheer/signalen/{case.pk}/")
    api, page = _status(client, b)
    assert api["status"] == "in_progress"
    assert "Wordt opgepakt" in page
