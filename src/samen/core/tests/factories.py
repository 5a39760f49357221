"""Factories for the common objects of core (factory_boy): a test makes the few rows it needs
instead of loading the whole demo.

Tenant-owned rows are created with scopes disabled (TenantFactory), so a factory works inside
and outside a municipality scope; reading them back still needs a scope, as in the code.
"""

import factory
from django_scopes import scopes_disabled

from samen.core.models import ApiToken, Membership, Municipality, Organisation, User
from samen.core.roles import Role

PASSWORD = "samen-test"


class TenantFactory(factory.django.DjangoModelFactory):
    """Base of the factories of tenant-owned models: `municipality` defaults to a new one."""

    class Meta:
        abstract = True

    municipality = factory.SubFactory("samen.core.tests.factories.MunicipalityFactory")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    contact_email = factory.LazyAttribute(lambda m: f"coalitie@{m.slug}.example")


class OrganisationFactory(TenantFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    kind = Organisation.Kind.WELFARE
    email = factory.LazyAttribute(lambda o: f"info@{o.slug}.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker-{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Jansen {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@samen.example")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.COORDINATOR
    organisation = None


def member(
    municipality: Municipality,
    role: Role,
    *,
    organisation: Organisation | None = None,
    **user_fields,
) -> User:
    """A user with `role` in `municipality` (on behalf of `organisation`, if given);
    `user_fields` go to UserFactory (username, password, ...)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, municipality=municipality, role=role, organisation=organisation)
    return user


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; `ApiTokenFactory.raw` is not kept. Use `bearer(user)` for a usable one."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "test"
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


def bearer(user: User) -> dict[str, str]:
    """Test-client headers that authenticate as `user` with a new API token."""
    _token, raw = ApiToken.issue(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def cold_caches() -> None:
    """Forget what an earlier request cached (the municipality, rate-limit counters), so two
    requests that are measured against each other start alike."""
    from django.core.cache import cache

    from samen.core.tenancy import _forget_municipalities

    cache.clear()
    _forget_municipalities()
