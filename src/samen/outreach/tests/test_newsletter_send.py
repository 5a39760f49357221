"""Issue #15: the newsletter sends exactly what the coordinator saw, after a confirmation
that says to how many people, and can first go as a test to the coordinator alone."""

import pytest
from django.core import mail

from samen.core.models import AuditEvent
from samen.outreach import services
from samen.outreach.models import EmailSend, Newsletter, NewsletterSubscriber

URL = "/samenstad/beheer/partners/nieuwsbrief/{pk}/"


@pytest.fixture
def draft(in_samenstad, user):
    return services.save_newsletter(
        municipality=in_samenstad,
        actor=user("coordinator"),
        subject="Nieuws uit Samenstad",
        body="Beste lezer,\n\nDe koffieochtend is op dinsdag.",
    )


def _digest(page: str) -> str:
    marker = 'name="previewed" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_what_was_typed_is_previewed_with_the_number_of_people_and_sent(
    login, draft, django_capture_on_commit_callbacks
):
    client = login("coordinator")
    edited = {"subject": "Nieuws uit Samenstad", "body": "Beste lezer,\n\nNieuw: de breiclub."}
    preview = client.post(URL.format(pk=draft.pk), {**edited, "action": "preview"})
    page = preview.content.decode()
    assert "Verstuur naar 2 abonnees?" in page  # the two confirmed demo subscribers
    assert "Nieuw: de breiclub." in page and "koffieochtend" not in page
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(URL.format(pk=draft.pk), {"action": "send", "previewed": _digest(page)})
    assert sent.status_code == 302
    assert len(mail.outbox) == 2
    assert all("Nieuw: de breiclub." in m.body for m in mail.outbox)
    assert all("koffieochtend" not in m.body for m in mail.outbox)


def test_the_confirmation_counts_with_a_thousands_separator(login, draft, in_samenstad):
    NewsletterSubscriber.objects.bulk_create(
        NewsletterSubscriber(
            municipality=in_samenstad,
            email=f"lezer{i}@voorbeeld.nl",
            token=f"t{i}",
            confirmed_at=draft.created_at,
        )
        for i in range(1232)
    )
    page = login("coordinator").post(URL.format(pk=draft.pk), {"action": "send"})
    assert "Verstuur naar 1.234 abonnees?" in page.content.decode()
    assert not EmailSend.objects.exists()  # a send without the confirmation only asks


def test_a_newsletter_changed_after_the_preview_is_not_sent_and_the_page_says_so(
    login, user, draft, in_samenstad, django_capture_on_commit_callbacks
):
    client = login("coordinator")
    page = client.post(URL.format(pk=draft.pk), {"action": "send"}).content.decode()
    digest = _digest(page)
    # Meanwhile a colleague (or another tab) changes the text.
    services.save_newsletter(
        municipality=in_samenstad,
        actor=user("coordinator"),
        newsletter=draft,
        subject=draft.subject,
        body="Beste lezer,\n\nDe koffieochtend gaat niet door.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(URL.format(pk=draft.pk), {"action": "send", "previewed": digest})
    text = again.content.decode()
    assert "veranderd sinds u het voorbeeld zag" in text
    assert "gaat niet door" in text  # the confirmation now shows the new text
    assert mail.outbox == [] and Newsletter.objects.get(pk=draft.pk).queued_at is None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL.format(pk=draft.pk), {"action": "send", "previewed": _digest(text)})
    assert len(mail.outbox) == 2 and "gaat niet door" in mail.outbox[0].body


def test_the_agenda_in_the_draft_does_not_change_between_preview_and_send(
    login, in_samenstad, django_capture_on_commit_callbacks
):
    from samen.activities.models import Activity

    client = login("coordinator")
    client.post("/samenstad/beheer/partners/nieuwsbrief/", {"action": "compose"})
    newsletter = Newsletter.objects.get()
    page = client.post(URL.format(pk=newsletter.pk), {"action": "send"}).content.decode()
    assert "Koffieochtend in de bibliotheek" in page
    Activity.objects.filter(title="Koffieochtend in de bibliotheek").update(title="Iets anders")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL.format(pk=newsletter.pk), {"action": "send", "previewed": _digest(page)})
    assert mail.outbox and all("Koffieochtend in de bibliotheek" in m.body for m in mail.outbox)


def test_a_test_goes_only_to_the_coordinators_own_address(login, user, draft):
    client = login("coordinator")
    response = client.post(
        URL.format(pk=draft.pk),
        {"subject": "Nieuws", "body": "Getypt en nog niet opgeslagen", "action": "test"},
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user("coordinator").email]]
    assert mail.outbox[0].subject == "[Test] Nieuws"
    assert "Getypt en nog niet opgeslagen" in mail.outbox[0].body
    assert "eigen afmeldlink" in mail.outbox[0].body
    assert not EmailSend.objects.exists()  # a test is not a send: nothing in the outbox
    assert Newsletter.objects.get(pk=draft.pk).queued_at is None
    assert AuditEvent.objects.filter(action="partners.newsletter_test").count() == 1


def test_the_test_from_the_confirmation_returns_to_the_confirmation(login, draft):
    client = login("coordinator")
    page = client.post(URL.format(pk=draft.pk), {"action": "send"}).content.decode()
    again = client.post(URL.format(pk=draft.pk), {"action": "test", "previewed": _digest(page)})
    assert "Verstuur naar 2 abonnees?" in again.content.decode()
    assert len(mail.outbox) == 1


def test_test_mails_are_rate_limited(login, draft):
    client = login("coordinator")
    for _n in range(services.NEWSLETTER_TESTS_PER_HOUR):
        client.post(URL.format(pk=draft.pk), {"action": "test"})
    refused = client.post(URL.format(pk=draft.pk), {"action": "test"}, follow=True)
    assert "al 5 testmails" in refused.content.decode()
    assert len(mail.outbox) == services.NEWSLETTER_TESTS_PER_HOUR


def test_a_coordinator_without_an_address_gets_a_dutch_error(login, user, draft):
    coordinator = user("coordinator")
    coordinator.email = ""
    coordinator.save(update_fields=["email"])
    page = login("coordinator").post(
        URL.format(pk=draft.pk), {"subject": "Nieuws", "body": "Tekst", "action": "test"}
    )
    assert "geen e-mailadres" in page.content.decode() and mail.outbox == []
