"""Factories for volunteering: volunteers, needs (hulpvragen) and matches."""

import factory

from samen.core.tests.factories import OrganisationFactory, TenantFactory
from samen.volunteering.models import Match, Need, Volunteer, hash_token, new_token


class VolunteerFactory(TenantFactory):
    class Meta:
        model = Volunteer

    kind = Volunteer.Kind.RESIDENT
    first_name = "Daan"
    last_name = factory.Sequence(lambda n: f"de Jong {n}")
    email = factory.Sequence(lambda n: f"vrijwilliger{n}@samen.example")
    postcode = "9501CD"
    availability = factory.LazyFunction(lambda: ["tue_pm", "thu_pm"])
    soft_skills = factory.LazyFunction(lambda: ["empathy", "patience"])
    interests = factory.LazyFunction(lambda: ["elderly"])
    languages = factory.LazyFunction(lambda: ["nl"])
    token_hash = factory.LazyFunction(lambda: hash_token(new_token()))


class NeedFactory(TenantFactory):
    class Meta:
        model = Need

    organisation = factory.SubFactory(
        OrganisationFactory, municipality=factory.SelfAttribute("..municipality")
    )
    kind = Need.Kind.BUDDY
    title = factory.Sequence(lambda n: f"Maatje gezocht {n}")
    description = "Een wekelijkse wandeling met een oudere."
    half_days = factory.LazyFunction(lambda: ["tue_pm"])
    soft_skills = factory.LazyFunction(lambda: ["empathy"])
    interests = factory.LazyFunction(lambda: ["elderly"])
    languages = factory.LazyFunction(lambda: ["nl"])
    postcode = "9501AB"
    contact_name = "Anouk Meijer"


class MatchFactory(TenantFactory):
    class Meta:
        model = Match

    need = factory.SubFactory(NeedFactory, municipality=factory.SelfAttribute("..municipality"))
    volunteer = factory.SubFactory(
        VolunteerFactory, municipality=factory.SelfAttribute("..municipality")
    )
    score = 700
    breakdown = factory.LazyFunction(dict)
