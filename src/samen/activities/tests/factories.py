"""Factories for the activity hub. An activity's occurrences are materialised as saving it
by hand would (services.refresh_occurrences), unless `occurrences=False`."""

import datetime as dt

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from samen.activities import services
from samen.activities.models import Activity, Feed, Occurrence, make_dedup_key
from samen.core.tests.factories import OrganisationFactory, TenantFactory


def _tomorrow_at_ten() -> dt.datetime:
    local = timezone.localtime() + dt.timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


class ActivityFactory(TenantFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    organisation = factory.SubFactory(
        OrganisationFactory, municipality=factory.SelfAttribute("..municipality")
    )
    title = factory.Sequence(lambda n: f"Koffieochtend {n}")
    description = "Samen koffie drinken en een praatje maken."
    categories = factory.LazyFunction(lambda: ["meeting"])
    audience = factory.LazyFunction(lambda: ["everyone"])
    venue = "Buurthuis De Wissel"
    postcode = "9501AB"
    starts_at = factory.LazyFunction(_tomorrow_at_ten)
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + dt.timedelta(hours=2))
    dedup_key = factory.LazyAttribute(lambda a: make_dedup_key(a.title, a.starts_at, a.postcode))

    @factory.post_generation
    def occurrences(activity, create, extracted, **kwargs):
        if create and extracted is not False:
            with scopes_disabled():
                services.refresh_occurrences([activity], new=True)


class OccurrenceFactory(TenantFactory):
    """One occurrence row by hand (ActivityFactory(occurrences=False) first)."""

    class Meta:
        model = Occurrence

    activity = factory.SubFactory(
        ActivityFactory, municipality=factory.SelfAttribute("..municipality"), occurrences=False
    )
    starts_at = factory.SelfAttribute("activity.starts_at")
    ends_at = factory.SelfAttribute("activity.ends_at")
    dedup_key = factory.SelfAttribute("activity.dedup_key")


class FeedFactory(TenantFactory):
    class Meta:
        model = Feed

    organisation = factory.SubFactory(
        OrganisationFactory, municipality=factory.SelfAttribute("..municipality")
    )
    url = factory.Sequence(lambda n: f"https://agenda{n}.example/agenda.ics")
    kind = Feed.Kind.ICAL
