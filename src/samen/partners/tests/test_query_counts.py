"""The partners longlist page and listPartners cost the same number of queries for 3
partners as for 9 (no N+1); the numbers are pinned so that a new query per page shows up."""

import pytest

from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, bearer, cold_caches, member
from samen.partners.services import weights_for
from samen.partners.tests.factories import ContributionFactory, PartnerFactory

N = 3


@pytest.fixture
def town(db):
    """A municipality whose scoring weights exist (the first visit makes them: not measured)."""
    town = MunicipalityFactory()
    with municipality_scope(town):
        weights_for(town)
    return town


@pytest.fixture
def coordinator(town):
    return member(town, Role.COORDINATOR)


def add_partners(town, coordinator, n):
    """Partners with an account holder and a contribution, some on the shortlist."""
    partners = []
    for i in range(n):
        partner = PartnerFactory(
            municipality=town, account_holder=coordinator, shortlisted=bool(i % 2)
        )
        ContributionFactory(municipality=town, partner=partner)
        partners.append(partner)
    return partners


def test_longlist_page(client, town, coordinator, django_assert_num_queries):
    client.force_login(coordinator)
    partners = []
    for n in (N, 2 * N):
        partners += add_partners(town, coordinator, n)  # N, then 3N in all
        cold_caches()
        with django_assert_num_queries(8):
            response = client.get(f"/{town.slug}/beheer/partners/")
        assert response.status_code == 200
        assert all(p.organisation.name in response.content.decode() for p in partners)


def test_list_partners_api(client, town, coordinator, django_assert_num_queries):
    total = 0
    for n in (N, 2 * N):
        add_partners(town, coordinator, n)
        total += n
        headers = bearer(coordinator)
        cold_caches()
        with django_assert_num_queries(7):
            response = client.get(f"/api/v1/municipalities/{town.slug}/partners", **headers)
        assert response.status_code == 200
        assert response.json()["total"] == total


def test_ambassador_network_page(client, town, coordinator, django_assert_num_queries):
    client.force_login(coordinator)
    names = []
    for n in (N, 2 * N):
        for partner in add_partners(town, coordinator, n):
            partner.organisation.is_ambassador = True
            partner.organisation.save()
            names.append(partner.organisation.name)
        cold_caches()
        # the request (session, user, municipality, membership), then one for the network
        with django_assert_num_queries(5):
            response = client.get(f"/{town.slug}/beheer/partners/ambassadeurs/")
        assert all(name in response.content.decode() for name in names)


def test_public_register_with_ambassadors(client, town, coordinator, django_assert_num_queries):
    for n in (N, 2 * N):
        for partner in add_partners(town, coordinator, n):
            partner.organisation.is_ambassador = True
            partner.organisation.save()
        cold_caches()
        # the municipality, the cooperations and their contributions, the ambassadors
        with django_assert_num_queries(4):
            response = client.get(f"/{town.slug}/samenwerkingen/")
        assert response.status_code == 200
