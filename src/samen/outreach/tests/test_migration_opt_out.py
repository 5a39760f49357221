"""Addresses that unsubscribed before issue #12 were kept; the migration turns them into a
keyed hash and deletes them."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from samen.core.models import Municipality
from samen.core.tenancy import municipality_scope
from samen.outreach import services

BEFORE = [("partners", "0002_partner_shortlist_ranking")]
AFTER = [("partners", "0004_remove_newslettersubscriber_unsubscribed_at")]


@pytest.mark.django_db(transaction=True)
def test_kept_unsubscribed_addresses_become_opt_out_hashes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    place = old.get_model("core", "Municipality").objects.create(name="Oudstad", slug="oudstad")
    Subscriber = old.get_model("partners", "NewsletterSubscriber")
    now = timezone.now()
    for n, unsubscribed in enumerate([now, None]):
        Subscriber.objects.create(
            municipality=place,
            email=f"lezer{n}@voorbeeld.nl",
            token=f"t{n}",
            confirmed_at=now,
            unsubscribed_at=unsubscribed,
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    try:
        new = executor.loader.project_state(AFTER).apps
        left = new.get_model("partners", "NewsletterSubscriber").objects.values_list(
            "email", flat=True
        )
        assert list(left) == ["lezer1@voorbeeld.nl"]
        municipality = Municipality.objects.get(slug="oudstad")
        with municipality_scope(municipality):
            assert services.opted_out(municipality=municipality, email="lezer0@voorbeeld.nl")
            assert not services.opted_out(municipality=municipality, email="lezer1@voorbeeld.nl")
    finally:
        call_command("migrate", verbosity=0)
