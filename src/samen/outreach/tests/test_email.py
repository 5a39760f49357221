"""E-mail from the guide's templates with merge fields, through the task queue, each send
logged on the partner and never sent twice; the newsletter with double opt-in; reminders."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from samen.outreach import services
from samen.outreach.models import EmailSend, EmailTemplate, NewsletterSubscriber
from samen.partners.models import ContactLog, Partner


@pytest.fixture
def business_template(in_samenstad):
    return EmailTemplate.objects.get(name="Lokale ondernemer betrekken")


def test_merge_fields_are_filled_in(supermarket, business_template):
    row = Partner.objects.filter(pk=supermarket.pk).values(*services.RECIPIENT_FIELDS).get()
    values = services.merge_values(
        row, municipality=supermarket.municipality, sender="Fatima", default_request="koffie"
    )
    body = services.render_merge(business_template.body, values)
    assert body.startswith("Beste Johan,")
    assert "Supermarkt De Buurtmarkt staat bekend om" in body
    assert "stap voor stap, mogelijk is om koffie" in body and body.rstrip().endswith("Fatima")
    assert "{" not in body


def test_unknown_merge_fields_are_a_dutch_error(login, in_samenstad):
    response = login("coordinator").post(
        "/samenstad/beheer/partners/e-mail/sjabloon/",
        {"name": "Test", "purpose": "other", "subject": "Hoi {naam}", "body": "Tekst"},
    )
    assert "Onbekende velden: {naam}" in response.content.decode()


def test_preview_then_send_to_one_partner_logged_on_the_partner(
    login, supermarket, business_template, django_capture_on_commit_callbacks
):
    client = login("coordinator")
    data = {
        "partner": supermarket.pk,
        "template": business_template.pk,
        "selection": "one",
        "sender": "Fatima El Amrani",
        "default_request": "",
    }
    preview = client.post("/samenstad/beheer/partners/e-mail/versturen/", {**data, "confirm": "0"})
    page = preview.content.decode()
    assert "Beste Johan," in page and "Versturen aan 1 partner" in page
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/samenstad/beheer/partners/e-mail/versturen/", {**data, "confirm": "1"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["info@supermarkt-de-buurtmarkt.example"]
    assert message.subject == "Supermarkt De Buurtmarkt en de aanpak van eenzaamheid in Samenstad"
    assert "geen voordeel bij inkoop of aanbesteding" in message.body
    assert message.extra_headers["Message-ID"].startswith("<campaign-")
    log = ContactLog.objects.filter(partner=supermarket, kind="email").get()
    assert log.email_send.sent_at is not None and log.summary == message.subject
    detail = client.get("/samenstad/beheer/partners/organisaties/supermarkt-de-buurtmarkt/")
    assert message.subject in detail.content.decode()


def test_send_to_a_selection_never_twice(
    user, in_samenstad, business_template, django_capture_on_commit_callbacks
):
    coordinator = user("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.queue_campaign(
            municipality=in_samenstad,
            actor=coordinator,
            partners=Partner.objects.filter(shortlisted=True),
            subject=business_template.subject,
            body=business_template.body,
            sender="Fatima",
            template=business_template,
        )
    assert queued.queued == 3 and len(mail.outbox) == 3
    # A restarted worker finds nothing left to send.
    assert services.deliver_emails(campaign_id=queued.campaign.pk) == 0
    # A row that was stamped is never sent again, even if delivery is asked for again.
    services.enqueue_delivery(campaign_id=queued.campaign.pk, count=3)
    assert len(mail.outbox) == 3
    assert EmailSend.objects.filter(campaign=queued.campaign, sent_at__isnull=True).count() == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(set(recipients)) == 3


def test_failed_sends_are_marked_and_can_be_retried(
    user, in_samenstad, business_template, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "samen.outreach.tests.test_email.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.queue_campaign(
            municipality=in_samenstad,
            actor=user("coordinator"),
            partners=Partner.objects.filter(shortlisted=True),
            subject="Hallo {organisatie}",
            body="{aanhef}",
            sender="F",
        )
    assert EmailSend.objects.filter(campaign=queued.campaign).exclude(error="").count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_failed(campaign=queued.campaign, actor=user("coordinator")) == 3
    assert len(mail.outbox) == 3


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP weigert")


def test_newsletter_double_opt_in_and_one_click_unsubscribe(
    client, login, in_samenstad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/samenstad/nieuwsbrief/", {"email": "Nieuw@Voorbeeld.nl", "name": "Nina"}
        )
    assert "Bijna klaar" in response.content.decode()
    assert not NewsletterSubscriber.objects.filter(email="nieuw@voorbeeld.nl").exists()
    confirm = mail.outbox[-1]
    link = re.search(r"/samenstad/nieuwsbrief/bevestigen/\S+/", confirm.body).group(0)
    assert client.post(link).status_code == 200
    subscriber = NewsletterSubscriber.objects.get(email="nieuw@voorbeeld.nl")
    assert subscriber.active
    assert client.get("/samenstad/nieuwsbrief/bevestigen/onzin/").status_code == 404

    coordinator = login("coordinator")
    coordinator.post("/samenstad/beheer/partners/nieuwsbrief/", {"action": "compose"})
    newsletter = (
        in_samenstad
        and __import__("samen.outreach.models", fromlist=["Newsletter"]).Newsletter.objects.get()
    )
    assert "Nieuws van onze partners" in newsletter.body or "Beste lezer" in newsletter.body
    mail.outbox.clear()
    # First the confirmation ("Verstuur naar 3 abonnees?"), then the send of what it showed.
    confirm_page = coordinator.post(
        f"/samenstad/beheer/partners/nieuwsbrief/{newsletter.pk}/", {"action": "send"}
    )
    assert "Verstuur naar 3 abonnees?" in confirm_page.content.decode() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            f"/samenstad/beheer/partners/nieuwsbrief/{newsletter.pk}/",
            {"action": "send", "previewed": services.newsletter_digest(newsletter)},
        )
    # the two demo subscribers and Nina; an unconfirmed address gets nothing
    assert sorted(m.to[0] for m in mail.outbox) == [
        "buurtbewoner@samenstad.example",
        "lezer@samenstad.example",
        "nieuw@voorbeeld.nl",
    ]
    nina = next(m for m in mail.outbox if m.to == ["nieuw@voorbeeld.nl"])
    unsubscribe_url = f"/samenstad/nieuwsbrief/afmelden/{subscriber.token}/"
    assert unsubscribe_url in nina.body
    assert nina.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    again = coordinator.post(
        f"/samenstad/beheer/partners/nieuwsbrief/{newsletter.pk}/", {"action": "send"}
    )
    assert "al verstuurd" in again.content.decode()
    # One click (RFC 8058: a POST from the mail provider, no CSRF token).
    from django.test import Client

    assert (
        Client(enforce_csrf_checks=True)
        .post(unsubscribe_url, {"List-Unsubscribe": "One-Click"})
        .status_code
        == 200
    )
    # The row is gone at once; only a keyed hash of the address is left (issue #12).
    assert not NewsletterSubscriber.objects.filter(email="nieuw@voorbeeld.nl").exists()
    assert services.opted_out(municipality=in_samenstad, email="Nieuw@Voorbeeld.nl")
    # The link keeps answering (a mail provider may post twice).
    assert Client().post(unsubscribe_url).status_code == 200
    assert "U bent afgemeld" in Client().get(unsubscribe_url).content.decode()


def test_newsletter_draft_lists_upcoming_activities(in_samenstad):
    activities = services.upcoming_activities(in_samenstad)
    titles = [a["title"] for a in activities]
    assert "Koffieochtend in de bibliotheek" in titles and len(titles) == len(set(titles))
    assert all(a["url"].startswith("http") for a in activities)
    _subject, body = services.compose_newsletter(municipality=in_samenstad)
    assert "Binnenkort" in body and "Koffieochtend in de bibliotheek" in body


def test_contact_reminder_goes_to_the_account_holder_on_mondays(in_samenstad):
    monday = dt.date(2026, 11, 23)
    assert services.send_contact_reminders(today=monday + dt.timedelta(days=1)) == 0
    assert services.send_contact_reminders(today=monday) == 1
    message = mail.outbox[-1]
    assert message.to == ["coordinator@samen.example"]
    assert "Apotheek De Linde" in message.body  # called 60 days ago: more than 6 weeks
    assert services.send_contact_reminders(today=monday) == 0  # once per Monday


def test_week_against_loneliness_reminder_in_september_once(in_samenstad):
    assert services.week_against_loneliness_reminder(today=dt.date(2026, 8, 31)) == 0
    assert services.week_against_loneliness_reminder(today=dt.date(2026, 9, 1)) == 2
    assert "eerste week van oktober" in mail.outbox[0].body
    assert services.week_against_loneliness_reminder(today=dt.date(2026, 9, 2)) == 0
    assert services.week_against_loneliness_reminder(today=dt.date(2027, 9, 1)) == 2


def test_save_template_refuses_unknown_fields(user, in_samenstad):
    with pytest.raises(ValidationError):
        services.save_template(
            municipality=in_samenstad,
            actor=user("coordinator"),
            data={"name": "x", "purpose": "other", "subject": "{wie}", "body": ""},
        )
