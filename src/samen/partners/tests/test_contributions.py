"""Editing and deleting a contribution (5 M's): a partner its own, the coordinator every one,
on the web and in the API, under the same principles as recording one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from samen.core.models import AuditEvent
from samen.partners import services
from samen.partners.models import Contribution, Partner


@pytest.fixture
def library(in_samenstad, user):
    return services.partner_for_own_organisation(municipality=in_samenstad, actor=user("partner"))


@pytest.fixture
def room(library, user):
    return services.record_contribution(
        partner=library,
        actor=user("partner"),
        data={"m": "means", "description": "Zaal voor de leesclub", "voluntary": True},
    )


@pytest.fixture
def meal(supermarket):
    return supermarket.contributions.get(m="money")


def _form(contribution, **changes):
    data = {
        "m": contribution.m,
        "description": contribution.description,
        "recipient": contribution.recipient,
        "recipient_name": contribution.recipient_name,
        "amount": contribution.amount or "",
        "started_on": contribution.started_on.isoformat(),
        "ended_on": "",
        "voluntary": "on",
    }
    return {**data, **changes}


def _url(contribution):
    return f"/samenstad/beheer/partners/bijdragen/{contribution.pk}/"


def test_partner_edits_its_own_contribution_and_the_register_follows(login, room):
    client = login("partner")
    own = client.get("/samenstad/beheer/partners/mijn-organisatie/").content.decode()
    assert _url(room) in own
    form = client.get(_url(room))
    assert form.status_code == 200 and "Zaal voor de leesclub" in form.content.decode()
    response = client.post(_url(room), _form(room, description="Zaal en koffie voor de leesclub"))
    assert response.status_code == 302
    assert response["Location"] == "/samenstad/beheer/partners/mijn-organisatie/#bijdragen"
    register = client.get("/samenstad/samenwerkingen/").content.decode()
    assert "Zaal en koffie voor de leesclub" in register


def test_partner_deletes_its_own_contribution(login, room):
    response = login("partner").post(_url(room), {"action": "delete"})
    assert response.status_code == 302
    assert not Contribution.objects.filter(pk=room.pk).exists()
    assert AuditEvent.objects.filter(action="partners.contribution_delete").exists()


def test_partner_cannot_touch_another_partners_contribution(login, meal):
    client = login("partner")
    assert client.get(_url(meal)).status_code == 404
    assert client.post(_url(meal), {"action": "delete"}).status_code == 404
    assert Contribution.objects.filter(pk=meal.pk).exists()


@pytest.mark.parametrize("username", ["caseworker", "programme", "volunteer"])
def test_other_roles_cannot_edit_contributions(login, meal, username):
    assert login(username).get(_url(meal)).status_code in (403, 404)
    assert login(username).post(_url(meal), {"action": "delete"}).status_code in (403, 404)
    assert Contribution.objects.filter(pk=meal.pk).exists()


def test_coordinator_edits_every_contribution_from_the_detail_page(login, meal, room):
    client = login("coordinator")
    detail = client.get("/samenstad/beheer/partners/organisaties/supermarkt-de-buurtmarkt/")
    assert _url(meal) in detail.content.decode()
    response = client.post(_url(meal), _form(meal, amount="750.00", ended_on="2099-12-31"))
    assert response.status_code == 302
    assert response["Location"].endswith("/organisaties/supermarkt-de-buurtmarkt/#bijdragen")
    meal.refresh_from_db()
    assert meal.amount == Decimal("750.00") and meal.ended_on == dt.date(2099, 12, 31)
    assert client.post(_url(room), {"action": "delete"}).status_code == 302
    assert not Contribution.objects.filter(pk=room.pk).exists()


def test_editing_money_towards_the_municipality_is_refused_in_dutch(login, meal):
    response = login("coordinator").post(_url(meal), _form(meal, recipient="municipality"))
    assert response.status_code == 200
    assert "sociaal beleid van de gemeente zijn uitgesloten" in response.content.decode()
    meal.refresh_from_db()
    assert meal.recipient == "foundation"
    assert AuditEvent.objects.filter(action="partners.donation_refused").exists()


def test_edit_form_errors_are_dutch(login, meal):
    response = login("coordinator").post(
        _url(meal), _form(meal, started_on="2026-05-01", ended_on="2026-04-01", amount="-3")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Minimaal 0." in page
    response = login("coordinator").post(
        _url(meal), _form(meal, started_on="2026-05-01", ended_on="2026-04-01")
    )
    assert "De einddatum ligt voor de begindatum." in response.content.decode()


def test_another_municipalitys_contribution_is_404(login, tweestad, meal):
    with scopes_disabled():
        contribution = Contribution.objects.create(
            municipality=tweestad,
            partner=Partner.objects.filter(municipality=tweestad).first(),
            m="people",
            description="Vrijwilligers",
        )
    client = login("coordinator")
    assert client.get(_url(contribution)).status_code == 404
    assert client.get(f"/tweestad/beheer/partners/bijdragen/{meal.pk}/").status_code == 404


# --- API ---------------------------------------------------------------------------------------


def _api(partner, contribution=None):
    base = f"/api/v1/municipalities/samenstad/partners/{partner.pk}/contributions"
    return f"{base}/{contribution.pk}" if contribution else base


def test_api_partner_changes_and_deletes_its_own(client, bearer, library, room):
    headers = bearer("partner")
    response = client.patch(
        _api(library, room),
        {"description": "Zaal op dinsdag", "ended_on": "2099-06-30"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "Zaal op dinsdag" and body["ended_on"] == "2099-06-30"
    assert body["m"] == "means"
    response = client.patch(
        _api(library, room), {"ended_on": None}, content_type="application/json", **headers
    )
    assert response.json()["ended_on"] is None
    assert client.delete(_api(library, room), **headers).status_code == 204
    assert not Contribution.objects.filter(pk=room.pk).exists()
    assert client.delete(_api(library, room), **headers).status_code == 404


def test_api_partner_creates_for_its_own_only(client, bearer, library, supermarket):
    headers = bearer("partner")
    data = {"m": "media", "description": "Posters in de hal", "voluntary": True}
    created = client.post(_api(library), data, content_type="application/json", **headers)
    assert created.status_code == 201
    other = client.post(_api(supermarket), data, content_type="application/json", **headers)
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"


def test_api_refuses_money_to_the_municipality_on_change(client, bearer, supermarket, meal):
    response = client.patch(
        _api(supermarket, meal),
        {"recipient": "municipality"},
        content_type="application/json",
        **bearer("coordinator"),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == "recipient"
    meal.refresh_from_db()
    assert meal.recipient == "foundation"


def test_api_other_partners_contribution_is_404_for_a_partner(client, bearer, supermarket, meal):
    headers = bearer("partner")
    assert client.delete(_api(supermarket, meal), **headers).status_code == 404
    response = client.patch(
        _api(supermarket, meal), {"amount": "1"}, content_type="application/json", **headers
    )
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["caseworker", "programme", "volunteer"])
def test_api_roles_without_the_permission_get_403(client, bearer, supermarket, meal, username):
    headers = bearer(username)
    assert client.delete(_api(supermarket, meal), **headers).status_code == 403
    response = client.patch(
        _api(supermarket, meal), {"amount": "1"}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    response = client.post(
        _api(supermarket),
        {"m": "media", "description": "x", "voluntary": True},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    assert Contribution.objects.filter(pk=meal.pk).exists()


def test_api_another_municipality_is_404(client, bearer, supermarket, meal):
    headers = bearer("coordinator")
    other = f"/api/v1/municipalities/tweestad/partners/{supermarket.pk}/contributions/{meal.pk}"
    assert client.delete(other, **headers).status_code == 404
    # Samenstad's contribution under another partner of Samenstad: not found either.
    restaurant = Partner.objects.get(organisation__slug="visrestaurant-de-haven")
    assert client.delete(_api(restaurant, meal), **headers).status_code == 404
    assert Contribution.objects.filter(pk=meal.pk).exists()


def test_an_unconfirmed_own_contribution_puts_nothing_on_the_longlist(in_samenstad, user):
    """A partner user without a partner record yet: the record comes with the contribution,
    so a refused contribution leaves no record behind."""
    partner_user = user("partner")
    organisation = services.own_organisation(partner_user, in_samenstad)
    assert not Partner.objects.filter(organisation=organisation).exists()
    with pytest.raises(ValidationError):
        services.record_own_contribution(
            municipality=in_samenstad,
            actor=partner_user,
            data={"m": "means", "description": "Zaal voor de leesclub"},
        )
    assert not Partner.objects.filter(organisation=organisation).exists()
    services.record_own_contribution(
        municipality=in_samenstad,
        actor=partner_user,
        data={"m": "means", "description": "Zaal voor de leesclub", "voluntary": True},
    )
    assert Partner.objects.get(organisation=organisation).contributions.count() == 1
