"""Hostile strings typed into forms are escaped on every page that shows them."""

import datetime as dt

import pytest
from django.utils import timezone

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_activity(samenstad, unscoped, user):
    from samen.activities import services
    from samen.activities.models import Activity
    from samen.core.models import Organisation

    organisation = Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")
    starts = timezone.now() + dt.timedelta(days=1)
    activity = Activity(municipality=samenstad, organisation=organisation)
    data = {
        "title": HOSTILE,
        "description": HOSTILE,
        "venue": HOSTILE,
        "contact": HOSTILE,
        "postcode": "9501GH",
        "categories": ["meeting"],
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=1),
    }
    return services.save_activity(activity=activity, actor=user("partner"), data=data)


def test_activity_fields_are_escaped_everywhere(client, login, samenstad, hostile_activity):
    pages = [
        client.get("/samenstad/agenda/"),
        client.get(f"/samenstad/activiteiten/{hostile_activity.pk}/"),
        client.get("/samenstad/agenda/print/"),
        client.get("/samenstad/agenda/embed/"),
        client.get("/samenstad/agenda.rss"),
        login("partner").get("/samenstad/beheer/activiteiten/"),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in body and "<img src=x" not in body, response.request[
            "PATH_INFO"
        ]


def test_report_fields_are_escaped_for_the_caseworker(client, login, samenstad, unscoped):
    from samen.concerns.models import Report

    response = client.post(
        "/samenstad/signaal/",
        {
            "description": HOSTILE,
            "postcode": "9501AB",
            "house_number": "99",
            "person_name": HOSTILE,
            "reporter_name": HOSTILE,
        },
    )
    assert response.status_code == 302
    case = Report.objects.get(description=HOSTILE).case
    for url in (f"/samenstad/beheer/signalen/{case.pk}/", "/samenstad/beheer/signalen/"):
        body = login("caseworker").get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body


def test_search_terms_are_escaped(client, samenstad):
    body = client.get("/samenstad/agenda/", {"q": HOSTILE, "near": HOSTILE}).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
