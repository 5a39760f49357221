import pytest

from samen.core.tenancy import municipality_scope
from samen.partners.models import Partner


@pytest.fixture
def in_samenstad(samenstad):
    with municipality_scope(samenstad):
        yield samenstad


@pytest.fixture
def supermarket(in_samenstad):
    return Partner.objects.select_related("organisation").get(
        organisation__slug="supermarkt-de-buurtmarkt"
    )


@pytest.fixture
def restaurant(in_samenstad):
    return Partner.objects.select_related("organisation").get(
        organisation__slug="visrestaurant-de-haven"
    )
