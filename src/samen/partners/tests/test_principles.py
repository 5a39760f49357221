"""The principles: money never to the municipality's social policy, every cooperation in the
public register, voluntary and open to any business."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from samen.core.models import AuditEvent
from samen.partners import services
from samen.partners.models import Contribution, Partner


def _money(**extra):
    return {
        "m": "money",
        "description": "Sponsoring van het eenzaamheidsbeleid",
        "recipient": "municipality",
        "amount": Decimal("1000"),
        "voluntary": True,
        **extra,
    }


def test_a_donation_to_the_municipality_is_refused(user, restaurant):
    with pytest.raises(ValidationError) as error:
        services.record_contribution(partner=restaurant, actor=user("coordinator"), data=_money())
    assert "sociaal beleid van de gemeente zijn uitgesloten" in str(error.value)
    assert not Contribution.objects.filter(partner=restaurant).exists()
    assert AuditEvent.objects.filter(action="partners.donation_refused").exists()


def test_the_database_refuses_it_too(restaurant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            municipality=restaurant.municipality,
            partner=restaurant,
            m="money",
            description="x",
            recipient="municipality",
        )


def test_refusal_is_a_dutch_form_error_on_the_web(login, restaurant):
    client = login("coordinator")
    url = "/samenstad/beheer/partners/organisaties/visrestaurant-de-haven/"
    response = client.post(
        url,
        {"action": "contribution", "voluntary": "on", **_money(amount="1000")},
    )
    assert response.status_code == 200
    assert "sociaal beleid van de gemeente zijn uitgesloten" in response.content.decode()
    assert not Contribution.objects.filter(partner=restaurant).exists()


def test_refusal_is_problem_json_in_the_api(client, bearer, restaurant):
    response = client.post(
        f"/api/v1/municipalities/samenstad/partners/{restaurant.pk}/contributions",
        {"m": "money", "description": "Sponsoring", "recipient": "municipality", "voluntary": True},
        content_type="application/json",
        **bearer("coordinator"),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert "uitgesloten" in body["detail"]
    assert body["invalidParams"][0]["name"] == "recipient"


def test_money_to_an_independent_foundation_is_recorded_as_such(client, bearer, restaurant):
    response = client.post(
        f"/api/v1/municipalities/samenstad/partners/{restaurant.pk}/contributions",
        {
            "m": "money",
            "description": "Bijdrage aan de buurtmaaltijd",
            "recipient": "foundation",
            "recipient_name": "Stichting Samen Eten",
            "amount": "250.00",
            "voluntary": True,
        },
        content_type="application/json",
        **bearer("coordinator"),
    )
    assert response.status_code == 201, response.content
    register = client.get("/api/v1/municipalities/samenstad/partnerships").json()
    entry = next(e for e in register if e["organisation"] == "Visrestaurant De Haven")
    money = entry["contributions"][0]
    assert money["recipient"] == "foundation" and money["recipient_name"] == "Stichting Samen Eten"
    page = client.get("/samenstad/samenwerkingen/").content.decode()
    assert "Stichting Samen Eten" in page and "onafhankelijke stichting" in page


def test_money_needs_the_name_of_the_foundation(user, restaurant):
    with pytest.raises(ValidationError) as error:
        services.record_contribution(
            partner=restaurant,
            actor=user("coordinator"),
            data=_money(recipient="initiative"),
        )
    assert "naam van de stichting" in str(error.value)


def test_cooperation_is_voluntary(login, client, bearer, restaurant):
    response = login("coordinator").post(
        "/samenstad/beheer/partners/organisaties/visrestaurant-de-haven/",
        {"action": "contribution", "m": "means", "description": "Zaal voor de buurtmaaltijd"},
    )
    assert "Samenwerking is altijd vrijwillig" in response.content.decode()
    api = client.post(
        f"/api/v1/municipalities/samenstad/partners/{restaurant.pk}/contributions",
        {"m": "means", "description": "Zaal", "voluntary": False},
        content_type="application/json",
        **bearer("coordinator"),
    )
    assert api.status_code == 400
    assert api.json()["invalidParams"][0]["name"] == "voluntary"


def test_the_service_asks_for_the_voluntary_confirmation_itself(user, restaurant):
    """Every interface calls the service, so the rule is there (not in a form or endpoint)."""
    data = {"m": "means", "description": "Zaal voor de buurtmaaltijd"}
    for voluntary in (None, False):
        with pytest.raises(ValidationError) as error:
            services.record_contribution(
                partner=restaurant,
                actor=user("coordinator"),
                data=data if voluntary is None else {**data, "voluntary": voluntary},
            )
        assert "voluntary" in error.value.message_dict
    assert not Contribution.objects.filter(partner=restaurant).exists()


def test_every_cooperation_is_in_the_public_register(client, user, restaurant):
    page = client.get("/samenstad/samenwerkingen/").content.decode()
    assert "Supermarkt De Buurtmarkt" in page  # the demo's cooperation
    assert "Visrestaurant De Haven" not in page
    assert "geen voordeel bij inkoop of aanbesteding" in page
    services.record_contribution(
        partner=restaurant,
        actor=user("coordinator"),
        data={"m": "means", "description": "Zaal voor de buurtmaaltijd", "voluntary": True},
    )
    page = client.get("/samenstad/samenwerkingen/").content.decode()
    assert "Visrestaurant De Haven" in page and "Zaal voor de buurtmaaltijd" in page
    api = client.get("/api/v1/municipalities/samenstad/partnerships")
    assert api.status_code == 200
    names = [e["organisation"] for e in api.json()]
    assert "Visrestaurant De Haven" in names and "Supermarkt De Buurtmarkt" in names
    # Another municipality's register does not show Samenstad's cooperations.
    other = client.get("/api/v1/municipalities/tweestad/partnerships").json()
    assert all(e["organisation"] != "Visrestaurant De Haven" for e in other)
    assert client.get("/api/v1/municipalities/bestaat-niet/partnerships").status_code == 404


def test_any_business_may_join_on_the_open_page(client, in_samenstad, mailoutbox):
    page = client.get("/samenstad/samenwerkingen/meedoen/")
    assert page.status_code == 200 and "nooit exclusief" in page.content.decode()
    data = {
        "name": "Fietsenmaker De Ketting",
        "sector": "retail",
        "contact_name": "Kees",
        "contact_email": "kees@ketting.example",
        "roles": ["signal"],
        "message": "Ik zie veel ouderen in de winkel.",
    }
    with_errors = client.post("/samenstad/samenwerkingen/meedoen/", {**data, "contact_email": "x"})
    assert "Vul een geldig e-mailadres in" in with_errors.content.decode()
    done = client.post("/samenstad/samenwerkingen/meedoen/", data)
    assert "Bekijk uw e-mail" in done.content.decode()
    import re

    link = re.search(r"/samenstad/samenwerkingen/meedoen/bevestigen/\S+/", mailoutbox[0].body)
    assert "Dank u wel" in client.post(link.group(0)).content.decode()
    partner = Partner.objects.get(organisation__name="Fietsenmaker De Ketting")
    assert partner.step == "prepare" and partner.source == "join" and partner.roles == ["signal"]
    client.post(link.group(0))  # twice: no duplicate
    assert Partner.objects.filter(organisation__name="Fietsenmaker De Ketting").count() == 1


def test_partner_sees_and_edits_its_own_profile_and_contributions(login, in_samenstad):
    client = login("partner")  # Marieke of Bibliotheek Samenstad
    page = client.get("/samenstad/beheer/partners/mijn-organisatie/")
    assert page.status_code == 200 and "Bibliotheek Samenstad" in page.content.decode()
    response = client.post(
        "/samenstad/beheer/partners/mijn-organisatie/",
        {"action": "profile", "roles": ["inform", "community"], "public_description": "Leesclub"},
    )
    assert response.status_code == 302
    response = client.post(
        "/samenstad/beheer/partners/mijn-organisatie/",
        {"action": "contribution", "m": "means", "description": "Zaal", "voluntary": "on"},
    )
    assert response.status_code == 302
    refused = client.post(
        "/samenstad/beheer/partners/mijn-organisatie/",
        {"action": "contribution", "voluntary": "on", **_money()},
    )
    assert "uitgesloten" in refused.content.decode()
    partner = Partner.objects.get(organisation__slug="bibliotheek-samenstad")
    assert partner.roles == ["inform", "community"] and partner.contributions.count() == 1
    # Not the coordinator's pages, not another partner's record.
    assert client.get("/samenstad/beheer/partners/").status_code == 403
    assert (
        client.get("/samenstad/beheer/partners/organisaties/supermarkt-de-buurtmarkt/").status_code
        == 404
    )
    assert (
        login("coordinator").get("/samenstad/beheer/partners/mijn-organisatie/").status_code == 403
    )
