import pytest

from samen.core.roles import Role
from samen.core.tests.factories import MunicipalityFactory, member


@pytest.fixture
def town(db):
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


@pytest.fixture
def other_town(db):
    return MunicipalityFactory(slug="tweestad", name="Tweestad")


@pytest.fixture
def coordinator(town):
    return member(town, Role.COORDINATOR, username="fatima", first_name="Fatima")


@pytest.fixture
def staff(client, coordinator):
    client.force_login(coordinator)
    return client
