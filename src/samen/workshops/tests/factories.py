"""Factories for workshops: a meeting (of a format, in a week) and an invitation."""

import datetime as dt

import factory
from django.utils import timezone

from samen.core.tests.factories import TenantFactory
from samen.workshops.formats import Format, InviteeKind
from samen.workshops.models import Invitation, Meeting


class MeetingFactory(TenantFactory):
    class Meta:
        model = Meeting

    format = Format.INSPIRATION
    title = "Inspiratiebijeenkomst ondernemers"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    duration_minutes = 150
    place = "Gemeentehuis, raadzaal"
    address = "Raadhuisplein 1"
    goal = "Helder krijgen wat ondernemers kunnen doen."


class InvitationFactory(TenantFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(
        MeetingFactory, municipality=factory.SelfAttribute("..municipality")
    )
    email = factory.Sequence(lambda n: f"genodigde{n}@voorbeeld.nl")
    name = factory.Sequence(lambda n: f"Genodigde {n}")
    kind = InviteeKind.PARTNER
    subject = "Uitnodiging"
    message = "Van harte welkom."
    sent_at = factory.LazyFunction(timezone.now)
    # A known token: the test passes it, the row keeps its hash (as the worker does).
    token_hash = factory.LazyAttribute(lambda i: Invitation.hash_token(f"token-{i.email}"))
