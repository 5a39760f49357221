"""The factories make valid rows that respect tenancy (each in its own municipality)."""

from samen.activities.models import Occurrence
from samen.activities.tests.factories import ActivityFactory, FeedFactory
from samen.concerns.models import Case, Report
from samen.concerns.tests.factories import CaseFactory, ReportFactory
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, bearer, member
from samen.partners.tests.factories import ContributionFactory
from samen.volunteering.tests.factories import MatchFactory


def test_factories_make_rows_of_one_municipality(db):
    town = MunicipalityFactory()
    caseworker = member(town, Role.CASEWORKER, organisation=OrganisationFactory(municipality=town))
    assert caseworker.has_samen_perm(town, "concerns.handle")
    assert caseworker.check_password("samen-test")
    first = ReportFactory(municipality=town, postcode="9501AB", house_number="3")
    second = ReportFactory(municipality=town, postcode="9501AB", house_number="3")
    case = CaseFactory(municipality=town, status="triaged")
    activity = ActivityFactory(municipality=town)
    FeedFactory(municipality=town)
    contribution = ContributionFactory(municipality=town)
    match = MatchFactory(municipality=town)
    assert first.case_id == second.case_id and first.reference != second.reference
    assert {
        contribution.partner.organisation.municipality,
        match.need.organisation.municipality,
    } == {town}
    with municipality_scope(town):
        assert Case.objects.get(pk=case.pk).status == "triaged"
        assert Report.objects.count() == 3
        assert Occurrence.objects.filter(activity=activity).count() == 1
    with municipality_scope(MunicipalityFactory()):
        assert not Report.objects.exists()


def test_bearer_authenticates_the_user(client, db):
    town = MunicipalityFactory()
    caseworker = member(town, Role.CASEWORKER)
    response = client.get(f"/api/v1/municipalities/{town.slug}/cases", **bearer(caseworker))
    assert response.status_code == 200, response.content
