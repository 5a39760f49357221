"""The caseworkers' queue costs the same number of queries for 3 cases as for 9 (no N+1);
the numbers are pinned so that a new query per page shows up here."""

import pytest

from samen.concerns.tests.factories import CaseFactory, ReportFactory
from samen.core.roles import Role
from samen.core.tests.factories import MunicipalityFactory, bearer, cold_caches, member

N = 3


@pytest.fixture
def town(db):
    return MunicipalityFactory()


@pytest.fixture
def caseworker(town):
    return member(town, Role.CASEWORKER)


def add_cases(town, caseworker, n):
    """Cases with two reports each, half of them assigned (the queue shows the assignee)."""
    cases = []
    for i in range(n):
        case = CaseFactory(municipality=town, **({"assignee": caseworker} if i % 2 else {}))
        ReportFactory(municipality=town, postcode=case.postcode, house_number=case.house_number)
        cases.append(case)
    return cases


def test_queue_page(client, town, caseworker, django_assert_num_queries):
    client.force_login(caseworker)
    cases = []
    for n in (N, 2 * N):
        cases += add_cases(town, caseworker, n)  # N, then 3N in all
        cold_caches()
        with django_assert_num_queries(7):
            response = client.get(f"/{town.slug}/beheer/signalen/")
        assert response.status_code == 200
        page = response.content.decode()
        assert all(f"/{town.slug}/beheer/signalen/{case.pk}/" in page for case in cases)


def test_list_cases_api(client, town, caseworker, django_assert_num_queries):
    total = 0
    for n in (N, 2 * N):
        add_cases(town, caseworker, n)
        total += n
        headers = bearer(caseworker)
        cold_caches()
        with django_assert_num_queries(7):
            response = client.get(f"/api/v1/municipalities/{town.slug}/cases", **headers)
        assert response.status_code == 200
        assert len(response.json()) == total
