"""Factories for partners: a partner (with its organisation) and its contributions."""

import factory

from samen.core.models import Organisation
from samen.core.tests.factories import OrganisationFactory, TenantFactory
from samen.partners.models import Contribution, FiveM, Partner, Recipient, Sector


class PartnerFactory(TenantFactory):
    """Partner.save works out the score (it reads the municipality's weights)."""

    class Meta:
        model = Partner

    organisation = factory.SubFactory(
        OrganisationFactory,
        municipality=factory.SelfAttribute("..municipality"),
        kind=Organisation.Kind.BUSINESS,
    )
    sector = Sector.OTHER
    contact_name = "Marieke Jansen"
    fits_goals = True


class ContributionFactory(TenantFactory):
    class Meta:
        model = Contribution

    partner = factory.SubFactory(
        PartnerFactory, municipality=factory.SelfAttribute("..municipality")
    )
    m = FiveM.MEANS
    description = "Een zaal voor de buurtmaaltijd."
    recipient = Recipient.COALITION
