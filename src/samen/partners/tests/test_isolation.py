"""Partners of one municipality never show up in another's pages or API."""

import pytest
from django.urls import reverse

from samen.outreach.models import EmailTemplate
from samen.partners.models import Partner

STAFF_ROUTES = [
    "partners:longlist",
    "partners:new",
    "partners:import",
    "partners:weights",
    "partners:stale",
    "partners:own",
    "outreach:templates",
    "outreach:template-new",
    "outreach:campaign-new",
    "outreach:newsletters",
]


@pytest.fixture
def tweestad_partner(tweestad, unscoped):
    return Partner.objects.select_related("organisation").get(municipality=tweestad)


@pytest.mark.parametrize(
    "username", ["coordinator", "caseworker", "partner", "programme", "volunteer"]
)
def test_another_municipalitys_partner_pages_are_404(login, username, tweestad_partner):
    client = login(username)
    for name in STAFF_ROUTES:
        assert client.get(reverse(name, args=["tweestad"])).status_code == 404, name
    org = tweestad_partner.organisation.slug
    for name in ("partners:detail", "partners:edit"):
        url = reverse(name, args=["tweestad", org])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "step", "to_step": "retain"}).status_code == 404


def test_another_municipalitys_objects_are_404_under_ones_own_slug(
    login, tweestad_partner, unscoped
):
    client = login("coordinator")
    org = tweestad_partner.organisation.slug
    assert client.get(reverse("partners:detail", args=["samenstad", org])).status_code == 404
    template = EmailTemplate.objects.filter(municipality=tweestad_partner.municipality).first()
    # Same slug exists in both municipalities: Samenstad's own template is shown, never Tweestad's.
    page = client.get(reverse("outreach:template", args=["samenstad", template.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Samenstad" in body
    response = client.post(
        "/samenstad/beheer/partners/", {"action": "shortlist_add", "ids": [tweestad_partner.pk]}
    )
    assert response.status_code == 302
    tweestad_partner.refresh_from_db()
    assert not tweestad_partner.shortlisted
    response = client.get(
        f"/samenstad/beheer/partners/e-mail/versturen/?partner={tweestad_partner.pk}"
    )
    assert "Bakkerij" not in response.content.decode()


def test_non_coordinators_do_not_manage_partners(login, in_samenstad):
    for username in ("caseworker", "partner", "programme", "volunteer"):
        client = login(username)
        assert client.get("/samenstad/beheer/partners/").status_code == 403
        assert (
            client.get(
                "/samenstad/beheer/partners/organisaties/supermarkt-de-buurtmarkt/"
            ).status_code
            == 404
        )


@pytest.mark.parametrize("username", ["coordinator", "caseworker", "partner"])
def test_partner_api_of_another_municipality_is_404(client, bearer, username, tweestad_partner):
    headers = bearer(username)
    base = "/api/v1/municipalities/tweestad/partners"
    assert client.get(base, **headers).status_code == 404
    assert client.get(f"{base}/{tweestad_partner.pk}", **headers).status_code == 404
    response = client.post(
        f"{base}/{tweestad_partner.pk}/step-changes",
        {"to_step": "retain"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404


def test_partner_api_objects_of_another_municipality_are_404_under_ones_own_slug(
    client, bearer, tweestad_partner
):
    response = client.get(
        f"/api/v1/municipalities/samenstad/partners/{tweestad_partner.pk}", **bearer("coordinator")
    )
    assert response.status_code == 404


def test_ranked_longlist_api(client, bearer, samenstad):
    response = client.get(
        "/api/v1/municipalities/samenstad/partners?page_size=3", **bearer("coordinator")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["name"] == "Supermarkt De Buurtmarkt"
    assert body["results"][0]["score"] == sum(c["points"] for c in body["results"][0]["breakdown"])
    assert len(body["results"]) == 3 and body["total"] == 8
    bad = client.get(
        "/api/v1/municipalities/samenstad/partners?after=page-2", **bearer("coordinator")
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert (
        client.get("/api/v1/municipalities/samenstad/partners", **bearer("partner")).status_code
        == 403
    )


def test_staff_card(login, samenstad):
    assert (
        "Partners en ondernemers" in login("coordinator").get("/samenstad/beheer/").content.decode()
    )
    assert (
        "Uw organisatie als partner" in login("partner").get("/samenstad/beheer/").content.decode()
    )
    assert (
        "Partners en ondernemers"
        not in login("caseworker").get("/samenstad/beheer/").content.decode()
    )
