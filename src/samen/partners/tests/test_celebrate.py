"""Celebrate ("Vier het"): milestones of the last weeks on the coordinator's home, each with
a text ready for the newsletter. Gathered through the capability registry."""

import datetime as dt

import pytest
from django.utils import timezone

from samen.activities.tests.factories import ActivityFactory
from samen.core import capabilities
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, member

from .factories import ContributionFactory, PartnerFactory

pytestmark = pytest.mark.django_db

HOME = "/feeststad/beheer/"


@pytest.fixture
def place():
    return MunicipalityFactory(slug="feeststad", name="Feeststad")


@pytest.fixture
def coordinator(place):
    return member(place, Role.COORDINATOR)


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_a_year_in_the_coalition(client, place, coordinator):
    today = timezone.localdate()
    bakery = PartnerFactory(municipality=place, organisation__name="Bakkerij Brood")
    ContributionFactory(
        municipality=place, partner=bakery, started_on=today - dt.timedelta(days=368)
    )
    young = PartnerFactory(municipality=place, organisation__name="Kapsalon Nieuw")
    ContributionFactory(municipality=place, partner=young, started_on=today - dt.timedelta(days=60))
    page = _home(client, coordinator)
    assert "Vier het: Bakkerij Brood: een jaar partner" in page
    assert (
        "Bakkerij Brood doet nu een jaar mee met de coalitie tegen eenzaamheid in Feeststad."
        in page
    )
    assert "Kapsalon Nieuw" not in page
    assert "Naar de nieuwsbrief" in page


def test_an_anniversary_long_past_is_not_suggested_again(client, place, coordinator):
    bakery = PartnerFactory(municipality=place, organisation__name="Bakkerij Brood")
    ContributionFactory(
        municipality=place,
        partner=bakery,
        started_on=timezone.localdate() - dt.timedelta(days=365 + 60),
    )
    assert "Vier het" not in _home(client, coordinator)


def test_two_years(place):
    bakery = PartnerFactory(municipality=place, organisation__name="Bakkerij Brood")
    today = dt.date(2026, 12, 4)
    ContributionFactory(municipality=place, partner=bakery, started_on=dt.date(2024, 12, 1))
    with municipality_scope(place):
        found = capabilities.milestones(place, today)
    assert [m.title for m in found] == ["Bakkerij Brood: 2 jaar partner"]
    assert found[0].on == dt.date(2026, 12, 1)


def test_the_tenth_contribution(client, place, coordinator):
    partner = PartnerFactory(municipality=place)
    ContributionFactory.create_batch(
        9,
        municipality=place,
        partner=partner,
        created_at=timezone.now() - dt.timedelta(days=90),
    )
    assert "10e bijdrage" not in _home(client, coordinator)
    ContributionFactory(municipality=place, partner=partner)
    page = _home(client, coordinator)
    assert "Vier het: De 10e bijdrage in het register" in page
    assert "samen al 10 bijdragen geleverd" in page


def test_the_first_activity_of_an_organisation(client, place, coordinator):
    library = OrganisationFactory(municipality=place, name="Bibliotheek Feeststad")
    ActivityFactory(municipality=place, organisation=library)
    ActivityFactory(municipality=place, organisation=library)  # one milestone, not two
    old = OrganisationFactory(municipality=place, name="Buurthuis Oud")
    ActivityFactory(
        municipality=place, organisation=old, created_at=timezone.now() - dt.timedelta(days=90)
    )
    ActivityFactory(municipality=place, organisation=old)
    page = _home(client, coordinator)
    assert page.count("Vier het: Bibliotheek Feeststad: eerste activiteit in de agenda") == 1
    assert "Buurthuis Oud" not in page


def test_only_the_coordinator_sees_it_and_no_other_municipalitys(client, place, coordinator):
    bakery = PartnerFactory(municipality=place, organisation__name="Bakkerij Brood")
    ContributionFactory(
        municipality=place,
        partner=bakery,
        started_on=timezone.localdate() - dt.timedelta(days=366),
    )
    assert "Bakkerij Brood" not in _home(client, member(place, Role.CASEWORKER))
    other = MunicipalityFactory(slug="elders")
    client.force_login(member(other, Role.COORDINATOR))
    assert "Bakkerij Brood" not in client.get("/elders/beheer/").content.decode()


def test_many_new_organisations_are_one_item(place):
    for n in range(5):
        organisation = OrganisationFactory(municipality=place, name=f"Vereniging {n}")
        ActivityFactory(municipality=place, organisation=organisation)
    with municipality_scope(place):
        found = capabilities.milestones(place, timezone.localdate())
    assert [m.title for m in found] == ["5 organisaties voor het eerst in de agenda"]
    assert "Vereniging 0, Vereniging 1, Vereniging 2, Vereniging 3, Vereniging 4" in found[0].text


def test_a_company_programmes_first_volunteer_hours(client, place, coordinator):
    from django_scopes import scopes_disabled

    from samen.volunteering.models import Programme, TimeEntry
    from samen.volunteering.tests.factories import MatchFactory

    company = OrganisationFactory(municipality=place, name="Telecom Feeststad Fonds")
    today = timezone.localdate()
    with scopes_disabled():
        programme = Programme.objects.create(
            municipality=place,
            organisation=company,
            name="Telecom doet mee",
            period_start=dt.date(today.year, 1, 1),
            period_end=dt.date(today.year, 12, 31),
        )
    match = MatchFactory(
        municipality=place,
        programme=programme,
        status="confirmed",
        volunteer__first_name="Geheim",
        volunteer__last_name="Collega",
    )
    with scopes_disabled():
        TimeEntry.objects.create(
            municipality=place,
            match=match,
            date=today,
            hours=4,
            half_days=1,
            status=TimeEntry.Status.PROPOSED,
        )
    assert "vrijwilligersuren" not in _home(client, coordinator)  # not confirmed yet
    with scopes_disabled():
        TimeEntry.objects.update(status=TimeEntry.Status.CONFIRMED, confirmed_at=timezone.now())
    page = _home(client, coordinator)
    assert "Vier het: Telecom Feeststad Fonds: de eerste vrijwilligersuren" in page
    assert "Geheim" not in page and "Collega" not in page
