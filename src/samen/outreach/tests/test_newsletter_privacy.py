"""Newsletter addresses are kept no longer than their purpose (issue #12): an unsubscribed
address is deleted at once and only a keyed hash is left to honour "never again"; the
privacy officer exports or erases an address (AVG art. 15 and 17)."""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from samen.core.models import AuditEvent, Signup
from samen.core.tenancy import municipality_scope
from samen.outreach import services
from samen.outreach.models import EmailSend, Newsletter, NewsletterOptOut, NewsletterSubscriber
from samen.partners.models import Partner


def _subscribe_and_confirm(municipality, email: str, name: str = "Nina") -> NewsletterSubscriber:
    services.subscribe(municipality=municipality, email=email, name=name)
    token = re.search(r"/bevestigen/([^/]+)/", mail.outbox[-1].body)[1]
    return services.confirm_subscription(municipality=municipality, token=token)


def _newsletter(municipality, user) -> Newsletter:
    return services.save_newsletter(
        municipality=municipality, actor=user("coordinator"), subject="Nieuws", body="Hallo"
    )


def _every_stored_value() -> str:
    """Every text column of every row in the database, to search for an address."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            found.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(found)


def test_unsubscribing_deletes_the_address_and_keeps_only_a_keyed_hash(in_samenstad, tweestad):
    subscriber = _subscribe_and_confirm(in_samenstad, "Nina@Voorbeeld.nl")
    assert services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    assert not NewsletterSubscriber.objects.filter(email="nina@voorbeeld.nl").exists()
    assert not Signup.objects.filter(email="nina@voorbeeld.nl").exists()
    (opt_out,) = NewsletterOptOut.objects.all()
    assert "nina" not in opt_out.email_hash.lower()
    assert "nina@voorbeeld.nl" not in _every_stored_value()
    # the hash is of the normalised address, and per municipality
    assert services.opted_out(municipality=in_samenstad, email=" NINA@voorbeeld.nl ")
    with municipality_scope(tweestad):
        assert not services.opted_out(municipality=tweestad, email="nina@voorbeeld.nl")
    # clicking the link again still answers, and changes nothing
    assert services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    assert NewsletterOptOut.objects.count() == 1
    assert not services.unsubscribe(municipality=in_samenstad, token="onzin")


def test_an_opted_out_address_is_never_mailed(
    in_samenstad, user, django_capture_on_commit_callbacks
):
    subscriber = _subscribe_and_confirm(in_samenstad, "nina@voorbeeld.nl")
    services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    # put back on the list behind the person's back (the admin, a script, an import)
    NewsletterSubscriber.objects.create(
        municipality=in_samenstad,
        email="nina@voorbeeld.nl",
        token=NewsletterSubscriber.new_token(),
        confirmed_at=timezone.now(),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = services.queue_newsletter(
            newsletter=_newsletter(in_samenstad, user), actor=user("coordinator")
        )
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "buurtbewoner@samenstad.example",
        "lezer@samenstad.example",
    ]


def test_unsubscribing_after_queueing_stops_the_mail(
    in_samenstad, user, django_capture_on_commit_callbacks
):
    newsletter = _newsletter(in_samenstad, user)
    services.queue_newsletter(newsletter=newsletter, actor=user("coordinator"))  # not delivered
    lezer = NewsletterSubscriber.objects.get(email="lezer@samenstad.example")
    services.unsubscribe(municipality=in_samenstad, token=lezer.token)
    assert not EmailSend.objects.filter(to_email="lezer@samenstad.example").exists()
    services.deliver_emails(newsletter_id=newsletter.pk)
    assert [m.to for m in mail.outbox] == [["buurtbewoner@samenstad.example"]]


def test_only_the_persons_own_confirmed_sign_up_lifts_the_opt_out(in_samenstad):
    subscriber = _subscribe_and_confirm(in_samenstad, "nina@voorbeeld.nl")
    services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    Signup.objects.all().delete()  # the one-mail-an-hour limit, an hour later
    mail.outbox.clear()
    services.subscribe(municipality=in_samenstad, email="nina@voorbeeld.nl", name="Nina")
    assert len(mail.outbox) == 1  # asking again is possible: a confirmation link
    assert services.opted_out(municipality=in_samenstad, email="nina@voorbeeld.nl")
    token = re.search(r"/bevestigen/([^/]+)/", mail.outbox[-1].body)[1]
    again = services.confirm_subscription(municipality=in_samenstad, token=token)
    assert again.active and again.email == "nina@voorbeeld.nl"
    assert not services.opted_out(municipality=in_samenstad, email="nina@voorbeeld.nl")
    # the old unsubscribe link belongs to the old subscription: it does nothing now
    assert not services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    assert NewsletterSubscriber.objects.get(email="nina@voorbeeld.nl").active


def test_a_campaign_skips_a_partner_address_that_opted_out(
    in_samenstad, user, supermarket, restaurant
):
    address = supermarket.contact_email or supermarket.organisation.email
    NewsletterOptOut.objects.create(
        municipality=in_samenstad, email_hash=NewsletterOptOut.hash_email(in_samenstad, address)
    )
    queued = services.queue_campaign(
        municipality=in_samenstad,
        actor=user("coordinator"),
        partners=Partner.objects.filter(pk__in=[supermarket.pk, restaurant.pk]),
        subject="Hallo",
        body="Beste partner",
        sender="Fatima",
    )
    assert queued.queued == 1
    assert queued.opted_out == [supermarket.organisation.name]
    assert not EmailSend.objects.filter(to_email__iexact=address).exists()


def test_unconfirmed_subscriptions_are_deleted_after_a_week(in_samenstad, unscoped):
    old = timezone.now() - dt.timedelta(days=8)
    for n, created in enumerate([old, timezone.now()]):
        NewsletterSubscriber.objects.create(
            municipality=in_samenstad,
            email=f"oud{n}@voorbeeld.nl",
            token=NewsletterSubscriber.new_token(),
            created_at=created,
        )
    assert services.purge_newsletter_addresses() == 1
    assert not NewsletterSubscriber.objects.filter(email="oud0@voorbeeld.nl").exists()
    assert NewsletterSubscriber.objects.filter(email="oud1@voorbeeld.nl").exists()
    assert NewsletterSubscriber.objects.filter(email="lezer@samenstad.example").exists()


# --- AVG art. 15 and 17 ----------------------------------------------------------------------


def _audit_text(action: str) -> str:
    return json.dumps(list(AuditEvent.objects.filter(action=action).values()), default=str)


def test_the_privacy_officer_erases_an_address(in_samenstad, user, tweestad):
    with municipality_scope(tweestad):
        NewsletterSubscriber.objects.create(
            municipality=tweestad,
            email="lezer@samenstad.example",
            token=NewsletterSubscriber.new_token(),
            confirmed_at=timezone.now(),
        )
    services.subscribe(
        municipality=in_samenstad, email="Lezer@Samenstad.example"
    )  # active: no mail
    removed = services.erase_newsletter_address(
        municipality=in_samenstad,
        email=" Lezer@Samenstad.example",
        actor=user("fg"),
        reason="request",
    )
    assert removed == 1
    assert not NewsletterSubscriber.objects.filter(email="lezer@samenstad.example").exists()
    assert services.opted_out(municipality=in_samenstad, email="lezer@samenstad.example")
    event = AuditEvent.objects.get(action="privacy.erase")
    assert event.actor == user("fg") and event.municipality == in_samenstad
    assert "lezer" not in _audit_text("privacy.erase")
    with municipality_scope(tweestad):  # another municipality's list is its own
        assert NewsletterSubscriber.objects.filter(email="lezer@samenstad.example").exists()
    # nothing left: erasing again removes nothing, and is still allowed
    assert (
        services.erase_newsletter_address(
            municipality=in_samenstad,
            email="lezer@samenstad.example",
            actor=user("coordinator"),
            reason="request",
        )
        == 0
    )


def test_erasing_an_address_also_removes_a_sign_up_waiting_for_confirmation(in_samenstad, user):
    services.subscribe(municipality=in_samenstad, email="nieuw@voorbeeld.nl", name="Nina")
    assert (
        services.erase_newsletter_address(
            municipality=in_samenstad, email="nieuw@voorbeeld.nl", actor=user("fg"), reason="x"
        )
        == 1
    )
    assert not Signup.objects.filter(email="nieuw@voorbeeld.nl").exists()


@pytest.mark.parametrize("username", ["partner", "caseworker", "volunteer"])
def test_only_the_privacy_officer_or_coordinator_may_erase_or_export(in_samenstad, user, username):
    with pytest.raises(PermissionDenied):
        services.erase_newsletter_address(
            municipality=in_samenstad,
            email="lezer@samenstad.example",
            actor=user(username),
            reason="request",
        )
    with pytest.raises(PermissionDenied):
        services.export_newsletter_address(
            in_samenstad, "lezer@samenstad.example", actor=user(username)
        )
    assert NewsletterSubscriber.objects.filter(email="lezer@samenstad.example").exists()


def test_the_privacy_officer_exports_what_is_held_about_an_address(in_samenstad, user):
    lezer = NewsletterSubscriber.objects.get(email="lezer@samenstad.example")
    newsletter = _newsletter(in_samenstad, user)
    services.queue_newsletter(newsletter=newsletter, actor=user("coordinator"))
    services.deliver_emails(newsletter_id=newsletter.pk)
    export = services.export_newsletter_address(
        in_samenstad, "LEZER@samenstad.example ", actor=user("fg")
    )
    assert export["E-mailadres"] == "lezer@samenstad.example"
    subscription = export["Abonnement"]
    assert subscription["Bevestigd op"] == lezer.confirmed_at
    assert [n["Onderwerp"] for n in export["Ontvangen nieuwsbrieven"]] == ["Nieuws"]
    assert export["Afgemeld"] == "nee"
    assert "lezer" not in _audit_text("privacy.export")
    assert AuditEvent.objects.filter(action="privacy.export", actor=user("fg")).count() == 1


def test_the_export_of_an_opted_out_address_says_only_a_hash_is_kept(in_samenstad, user):
    subscriber = _subscribe_and_confirm(in_samenstad, "nina@voorbeeld.nl")
    services.unsubscribe(municipality=in_samenstad, token=subscriber.token)
    export = services.export_newsletter_address(
        in_samenstad, "nina@voorbeeld.nl", actor=user("coordinator")
    )
    assert export["Abonnement"] is None
    assert export["Aanmeldingen"] == []
    assert export["Afgemeld"].startswith("ja")


def test_a_campaign_to_opted_out_partners_only_is_a_dutch_error(in_samenstad, user, supermarket):
    from django.core.exceptions import ValidationError

    address = supermarket.contact_email or supermarket.organisation.email
    NewsletterOptOut.objects.create(
        municipality=in_samenstad, email_hash=NewsletterOptOut.hash_email(in_samenstad, address)
    )
    with pytest.raises(ValidationError, match="afgemeld voor de nieuwsbrief"):
        services.queue_campaign(
            municipality=in_samenstad,
            actor=user("coordinator"),
            partners=Partner.objects.filter(pk=supermarket.pk),
            subject="Hallo",
            body="Beste partner",
            sender="Fatima",
        )
    assert not EmailSend.objects.exists()
