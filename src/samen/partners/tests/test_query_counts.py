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
