"""The public agenda and GET /api/v1/activities cost the same number of queries for 3
activities as for 9 (no N+1); the numbers are pinned so that a new query shows up here."""

import pytest

from samen.activities import services
from samen.activities.tests.factories import ActivityFactory
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, cold_caches

N = 3


@pytest.fixture
def town(db):
    """A municipality whose usage row of today exists (the first search of the day makes it:
    not measured)."""
    town = MunicipalityFactory()
    with municipality_scope(town):
        services.count_usage(municipality_id=town.pk, kind="searches")
    return town


def add_activities(town, n):
    """Activities tomorrow, each also listed by a second organisation ("ook vermeld door")."""
    titles = []
    for _ in range(n):
        activity = ActivityFactory(municipality=town)
        ActivityFactory(
            municipality=town,
            title=activity.title,
            starts_at=activity.starts_at,
            organisation=OrganisationFactory(municipality=town),
        )
        titles.append(activity.title)
    return titles


def test_agenda_page(client, town, django_assert_num_queries):
    titles = []
    for n in (N, 2 * N):
        titles += add_activities(town, n)  # N, then 3N in all
        cold_caches()
        # 4, and 1 since issue #14: the ids of what began days ago and still runs
        with django_assert_num_queries(5):
            response = client.get(f"/{town.slug}/agenda/")
        assert response.status_code == 200
        page = response.content.decode()
        assert all(title in page for title in titles)


def test_list_activities_api(client, town, django_assert_num_queries):
    total = 0
    for n in (N, 2 * N):
        add_activities(town, n)
        total += n
        cold_caches()
        # 5, and 1 since issue #14: the ids of what began days ago and still runs
        with django_assert_num_queries(6):
            response = client.get(f"/api/v1/activities?municipality={town.slug}")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == total
        assert all(row["also_listed_by"] for row in body["results"])
