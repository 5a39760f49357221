"""The caseworkers' queue shows the area only, and opening it is in the audit log: who listed
which cases, on the web or through the API."""

from samen.concerns.models import Case
from samen.core.models import AuditEvent


def test_the_queue_shows_the_area_not_the_address(login, samenstad, unscoped):
    case = Case.objects.get(municipality=samenstad, address_key="9501GH-3")
    page = login("caseworker").get("/samenstad/beheer/signalen/").content.decode()
    assert f"/samenstad/beheer/signalen/{case.pk}/" in page
    assert "9501" in page
    assert "9501 GH" not in page and "9501GH" not in page


def test_opening_the_queue_is_audited_on_the_web(login, samenstad, user, unscoped):
    login("caseworker").get("/samenstad/beheer/signalen/")
    (event,) = AuditEvent.objects.filter(action="concern.list")
    assert event.actor == user("caseworker") and event.municipality == samenstad
    listed = set(
        Case.objects.filter(municipality=samenstad)
        .exclude(status="closed")
        .values_list("pk", flat=True)
    )
    assert set(event.detail["cases"]) == listed
    assert (event.detail["via"], event.detail["auth"]) == ("web", "session")


def test_opening_the_queue_is_audited_through_the_api(client, samenstad, user, bearer, unscoped):
    response = client.get("/api/v1/municipalities/samenstad/cases", **bearer("caseworker"))
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action="concern.list")
    assert event.actor == user("caseworker")
    assert set(event.detail["cases"]) == {row["id"] for row in response.json()}
    assert (event.detail["via"], event.detail["auth"]) == ("api", "token")
