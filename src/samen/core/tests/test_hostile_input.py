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


def test_partner_fields_are_escaped_for_the_coordinator(login, user, samenstad, unscoped):
    from django.urls import reverse

    from samen.partners import services as partners

    partner = partners.create_partner(
        municipality=samenstad,
        actor=user("coordinator"),
        data={"name": HOSTILE, "contact_name": HOSTILE, "notes": HOSTILE},
    )
    slug = partner.organisation.slug
    client = login("coordinator")
    for url in [
        "/samenstad/beheer/partners/",
        "/samenstad/beheer/partners/niet-gesproken/",
        reverse("partners:detail", args=["samenstad", slug]),
    ]:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert" not in body and "<img src=x" not in body, url


def test_need_fields_are_escaped_for_organisation_and_coordinator(login, user, samenstad, unscoped):
    from django.urls import reverse

    from samen.core.models import Organisation
    from samen.volunteering import services as volunteering

    welfare = Organisation.objects.get(municipality=samenstad, slug="welzijn-samenstad")
    need = volunteering.create_need(
        municipality=samenstad,
        organisation=welfare,
        actor=user("welzijn"),
        data={
            "kind": "buddy",
            "title": HOSTILE,
            "description": HOSTILE,
            "place": HOSTILE,
            "postcode": "9501AB",
            "contact_name": HOSTILE,
        },
    )
    pages = [
        (login("welzijn"), "/samenstad/beheer/vrijwilligerswerk/"),
        (login("welzijn"), reverse("volunteering:need", args=["samenstad", need.reference])),
        (login("coordinator"), "/samenstad/beheer/vrijwilligerswerk/koppelen/"),
    ]
    for client, url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body or "koppelen" in url, url
