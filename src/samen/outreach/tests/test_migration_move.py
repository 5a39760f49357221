"""Issue #13 moved the outreach models from partners to this app on their old tables: rows
written before the move are read after it, links between them (and the partner's contact log
entry of a sent e-mail) intact."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_scopes import scopes_disabled

from samen.outreach import services
from samen.outreach.models import (
    EmailCampaign,
    EmailSend,
    EmailTemplate,
    Newsletter,
    NewsletterOptOut,
    NewsletterSubscriber,
    ReminderLog,
)
from samen.partners.models import ContactLog

BEFORE = [("partners", "0004_remove_newslettersubscriber_unsubscribed_at")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    with pytest.raises(LookupError):
        old.get_model("outreach", "EmailSend")  # before the move: all in partners
    place = old.get_model("core", "Municipality").objects.create(name="Oudstad", slug="oudstad")
    organisation = old.get_model("core", "Organisation").objects.create(
        municipality=place, name="Bakker Oud", slug="bakker-oud"
    )
    partner = old.get_model("partners", "Partner").objects.create(
        municipality=place, organisation=organisation, contact_email="bakker@voorbeeld.nl"
    )
    template = old.get_model("partners", "EmailTemplate").objects.create(
        municipality=place, name="Oud sjabloon", slug="oud-sjabloon", subject="Hallo", body="Tekst"
    )
    campaign = old.get_model("partners", "EmailCampaign").objects.create(
        municipality=place, template=template, subject="Hallo", body="Tekst"
    )
    subscriber = old.get_model("partners", "NewsletterSubscriber").objects.create(
        municipality=place, email="lezer@voorbeeld.nl", token="t-oud", confirmed_at=timezone.now()
    )
    newsletter = old.get_model("partners", "Newsletter").objects.create(
        municipality=place, subject="Nieuws", body="Van de coalitie"
    )
    Send = old.get_model("partners", "EmailSend")
    sent = Send.objects.create(
        municipality=place,
        campaign=campaign,
        partner=partner,
        to_email="bakker@voorbeeld.nl",
        subject="Hallo",
        body="Tekst",
        sent_at=timezone.now(),
    )
    Send.objects.create(
        municipality=place,
        newsletter=newsletter,
        subscriber=subscriber,
        to_email="lezer@voorbeeld.nl",
        subject="Nieuws",
        body="Van de coalitie",
    )
    old.get_model("partners", "ContactLog").objects.create(
        municipality=place, partner=partner, kind="email", summary="Hallo", email_send=sent
    )
    old.get_model("partners", "NewsletterOptOut").objects.create(
        municipality=place, email_hash=NewsletterOptOut.hash_email(place, "weg@voorbeeld.nl")
    )
    old.get_model("partners", "ReminderLog").objects.create(
        municipality=place, kind="contact_digest", key="2026-11-30"
    )
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        with scopes_disabled():
            assert EmailTemplate.objects.get(pk=template.pk).name == "Oud sjabloon"
            assert EmailCampaign.objects.get(pk=campaign.pk).template_id == template.pk
            moved = EmailSend.objects.select_related("campaign", "partner").get(pk=sent.pk)
            assert moved.campaign.subject == "Hallo" and moved.partner_id == partner.pk
            assert ContactLog.objects.get(partner_id=partner.pk).email_send == moved
            newsletter_send = EmailSend.objects.get(newsletter_id=newsletter.pk)
            assert newsletter_send.subscriber == NewsletterSubscriber.objects.get(token="t-oud")
            assert Newsletter.objects.get(pk=newsletter.pk).subject == "Nieuws"
            assert ReminderLog.objects.filter(key="2026-11-30").exists()
            municipality = EmailTemplate.objects.get(pk=template.pk).municipality
        # the opt-out's keyed hash still matches: the address is never mailed again
        assert services.opted_out(municipality=municipality, email="weg@voorbeeld.nl")
        assert not services.opted_out(municipality=municipality, email="lezer@voorbeeld.nl")
    finally:
        call_command("migrate", verbosity=0)
