"""The needs page and the needs and matches API cost the same number of queries for 3 rows
as for 9 (no N+1); the numbers are pinned so that a new query per page shows up here."""

import pytest

from samen.core.roles import Role
from samen.core.tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    bearer,
    cold_caches,
    member,
)
from samen.volunteering.models import Need
from samen.volunteering.tests.factories import MatchFactory, NeedFactory, VolunteerFactory

N = 3


@pytest.fixture
def town(db):
    return MunicipalityFactory()


@pytest.fixture
def organisation(town):
    return OrganisationFactory(municipality=town)


@pytest.fixture
def partner(town, organisation):
    return member(town, Role.PARTNER, organisation=organisation)


def add_needs(town, organisation, n, volunteer=None):
    """Needs of the organisation, each with a proposal waiting for its decision; one in three
    came from the Signaalpunt (listing those is audited)."""
    needs = []
    for i in range(n):
        source = Need.Source.SIGNAALPUNT if i % 3 == 0 else Need.Source.WEB
        need = NeedFactory(municipality=town, organisation=organisation, source=source)
        MatchFactory(
            municipality=town,
            need=need,
            **({"volunteer": volunteer} if volunteer else {}),
            breakdown={"soft_skills": 200, "distance": 100},
        )
        needs.append(need)
    return needs


def test_needs_page(client, town, organisation, partner, django_assert_num_queries):
    client.force_login(partner)
    needs = []
    for n in (N, 2 * N):
        needs += add_needs(town, organisation, n)  # N, then 3N in all
        cold_caches()
        with django_assert_num_queries(10):
            response = client.get(f"/{town.slug}/beheer/vrijwilligerswerk/")
        assert response.status_code == 200
        assert all(need.title in response.content.decode() for need in needs)


def test_list_needs_api(client, town, organisation, partner, django_assert_num_queries):
    total = 0
    for n in (N, 2 * N):
        add_needs(town, organisation, n)
        total += n
        headers = bearer(partner)
        cold_caches()
        with django_assert_num_queries(8):
            response = client.get(f"/api/v1/municipalities/{town.slug}/volunteer-needs", **headers)
        assert response.status_code == 200
        assert len(response.json()) == total
        assert all(row["open_places"] == 0 for row in response.json())


def test_list_matches_api_for_the_organisation(
    client, town, organisation, partner, django_assert_num_queries
):
    total = 0
    for n in (N, 2 * N):
        add_needs(town, organisation, n)
        total += n
        headers = bearer(partner)
        cold_caches()
        with django_assert_num_queries(7):
            response = client.get(
                f"/api/v1/municipalities/{town.slug}/volunteer-matches", **headers
            )
        assert response.status_code == 200
        assert len(response.json()) == total


def test_list_matches_api_for_the_volunteer(client, town, organisation, django_assert_num_queries):
    user = member(town, Role.VOLUNTEER)
    volunteer = VolunteerFactory(municipality=town, user=user)
    total = 0
    for n in (N, 2 * N):
        add_needs(town, organisation, n, volunteer=volunteer)
        total += n
        headers = bearer(user)
        cold_caches()
        with django_assert_num_queries(8):
            response = client.get(
                f"/api/v1/municipalities/{town.slug}/volunteer-matches", **headers
            )
        assert response.status_code == 200
        assert len(response.json()) == total
