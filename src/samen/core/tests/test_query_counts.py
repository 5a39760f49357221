"""The accounts page costs the same number of queries for 3N members, invitations and ended
accesses as for N (no N+1)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samen.core.models import DeactivatedMembership, Invitation
from samen.core.roles import Role

from .factories import MunicipalityFactory, OrganisationFactory, UserFactory, cold_caches, member

N = 3


def add_rows(town, organisation, n):
    now = timezone.now()
    for _i in range(n):
        member(town, Role.PARTNER, organisation=organisation)
        invitee = UserFactory.build()
        Invitation.objects.create(
            municipality=town,
            email=f"{invitee.username}@samen.example",
            first_name="Anna",
            role=Role.PARTNER,
            organisation=organisation,
            token_hash=f"hash-{invitee.username}",
            expires_at=now + dt.timedelta(days=7),
        )
        DeactivatedMembership.objects.create(
            user=UserFactory(), municipality=town, role=Role.VOLUNTEER, organisation=organisation
        )


def test_accounts_page(client, db):
    town = MunicipalityFactory()
    organisation = OrganisationFactory(municipality=town)
    client.force_login(member(town, Role.COORDINATOR))
    counts = []
    for n in (N, 2 * N):
        add_rows(town, organisation, n)
        cold_caches()
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/{town.slug}/beheer/accounts/")
        assert response.status_code == 200
        counts.append(len(context.captured_queries))
    # Members, their devices, invitations and ended accesses: one query each, whatever N.
    assert counts[0] == counts[1], counts
