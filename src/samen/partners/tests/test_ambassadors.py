"""Ambassadors: the coordinator marks and unmarks organisations and businesses (audited),
sees the network on a page, and the public register shows it."""

import pytest

from samen.core.models import AuditEvent, Organisation
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, member

from .factories import ContributionFactory, PartnerFactory

pytestmark = pytest.mark.django_db

NETWORK = "/ambstad/beheer/partners/ambassadeurs/"


@pytest.fixture
def place():
    return MunicipalityFactory(slug="ambstad", name="Ambstad")


@pytest.fixture
def coordinator(place):
    return member(place, Role.COORDINATOR)


@pytest.fixture
def gym(place):
    return OrganisationFactory(
        municipality=place, name="Sportschool Fit", slug="sportschool-fit", kind="sport"
    )


def _ambassador(place, organisation) -> bool:
    with municipality_scope(place):
        return Organisation.objects.get(pk=organisation.pk).is_ambassador


def test_mark_from_the_network_page_then_unmark(client, place, coordinator, gym):
    OrganisationFactory(municipality=place, name="Welzijn Ambstad", is_ambassador=True)
    client.force_login(coordinator)
    found = client.get(NETWORK, {"q": "fit"}).content.decode()
    assert "Sportschool Fit" in found and "maak ambassadeur" in found
    client.post(NETWORK + "?q=fit", {"organisation": gym.pk, "action": "mark"})
    assert _ambassador(place, gym)
    page = client.get(NETWORK).content.decode()
    assert "Sportschool Fit" in page and "Welzijn Ambstad" in page
    assert "2 ambassadeurs" in page
    register = client.get("/ambstad/samenwerkingen/").content.decode()
    assert 'id="ambassadeurs"' in register and "Sportschool Fit" in register

    client.post(NETWORK, {"organisation": gym.pk, "action": "unmark"})
    assert not _ambassador(place, gym)
    assert "Sportschool Fit is geen ambassadeur meer." in client.get(NETWORK).content.decode()
    assert "Sportschool Fit" not in client.get("/ambstad/samenwerkingen/").content.decode()
    events = AuditEvent.objects.filter(action="partners.ambassador").order_by("pk")
    assert [e.detail["on"] for e in events] == [True, False]


def test_from_the_partner_page_and_a_badge_in_the_register(client, place, coordinator):
    partner = PartnerFactory(
        municipality=place, organisation__name="Bakkerij Brood", organisation__slug="brood"
    )
    ContributionFactory(municipality=place, partner=partner)
    client.force_login(coordinator)
    detail = "/ambstad/beheer/partners/organisaties/brood/"
    client.post(detail, {"action": "ambassador"})
    assert _ambassador(place, partner.organisation)
    assert "ambassadeur" in client.get(detail).content.decode()
    register = client.get("/ambstad/samenwerkingen/").content.decode()
    entry = register[register.index("<h3>Bakkerij Brood") :]
    assert entry.index("Ambassadeur") < entry.index("</h3>")
    client.post(detail, {"action": "no_ambassador"})
    assert not _ambassador(place, partner.organisation)


def test_another_municipalitys_organisation_is_not_found(client, place, coordinator):
    other = MunicipalityFactory(slug="elders")
    foreign = OrganisationFactory(municipality=other, name="Buurtwinkel Elders")
    client.force_login(coordinator)
    response = client.post(NETWORK, {"organisation": foreign.pk, "action": "mark"})
    assert response.status_code == 404
    assert not _ambassador(other, foreign)
    assert "Buurtwinkel Elders" not in client.get(NETWORK, {"q": "Buurtwinkel"}).content.decode()
    assert client.post(NETWORK, {"organisation": "x", "action": "mark"}).status_code == 404


def test_the_ambassador_sees_it_on_its_own_page(client, place, coordinator, gym):
    client.force_login(member(place, Role.PARTNER, organisation=gym))
    own = "/ambstad/beheer/partners/mijn-organisatie/"
    assert "ambassadeur</span>" not in client.get(own).content.decode()
    with municipality_scope(place):
        from samen.partners import services

        services.set_ambassador(organisation=gym, actor=coordinator, on=True)
    assert "ambassadeur</span>" in client.get(own).content.decode()
