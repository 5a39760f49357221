"""The API for outreach: queue a templated e-mail to one partner or a selection, and the
public newsletter subscription. Each through the same service functions as the web views."""

import re

import pytest
from django.core import mail

from samen.outreach.models import EmailTemplate, NewsletterSubscriber
from samen.partners.models import ContactLog, Partner

BASE = "/api/v1/municipalities/samenstad"


@pytest.fixture
def business_template(in_samenstad):
    return EmailTemplate.objects.get(name="Lokale ondernemer betrekken")


def _campaign(client, headers, slug="samenstad", **data):
    return client.post(
        f"/api/v1/municipalities/{slug}/email-campaigns",
        {"sender": "Fatima El Amrani", **data},
        content_type="application/json",
        **headers,
    )


def test_api_queues_a_templated_email_to_a_selection(
    client, bearer, supermarket, restaurant, business_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _campaign(
            client,
            bearer("coordinator"),
            template_id=business_template.pk,
            partner_ids=[supermarket.pk, restaurant.pk],
        )
    assert response.status_code == 202, response.content
    assert response.json()["queued"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([supermarket.email, restaurant.email])
    to_supermarket = next(m for m in mail.outbox if m.to == [supermarket.email])
    assert to_supermarket.body.startswith("Beste Johan,")
    assert ContactLog.objects.filter(partner=restaurant, kind="email").count() == 1


def test_api_email_to_the_shortlist(client, bearer, business_template, in_samenstad):
    expected = Partner.objects.filter(shortlisted=True).count()
    response = _campaign(
        client, bearer("coordinator"), template_id=business_template.pk, selection="shortlist"
    )
    assert response.status_code == 202 and response.json()["queued"] == expected > 0


def test_api_email_with_unknown_template_or_partner_is_400(
    client, bearer, supermarket, business_template, tweestad, unscoped
):
    headers = bearer("coordinator")
    response = _campaign(client, headers, template_id=999999, partner_ids=[supermarket.pk])
    assert response.status_code == 400
    assert response.json()["invalidParams"][0] == {
        "name": "template_id",
        "reason": "Kies een sjabloon.",
    }
    tweestad_partner = Partner.objects.filter(municipality=tweestad).first()
    response = _campaign(
        client,
        headers,
        template_id=business_template.pk,
        partner_ids=[supermarket.pk, tweestad_partner.pk],
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "partner_ids"
    assert mail.outbox == []


def test_api_email_to_partners_without_an_address_is_400(
    client, bearer, supermarket, business_template
):
    Partner.objects.filter(pk=supermarket.pk).update(contact_email="")
    supermarket.organisation.email = ""
    supermarket.organisation.save()
    response = _campaign(
        client,
        bearer("coordinator"),
        template_id=business_template.pk,
        partner_ids=[supermarket.pk],
    )
    assert response.status_code == 400
    assert "Geen van deze partners heeft een e-mailadres." in response.json()["detail"]


@pytest.mark.parametrize("username", ["caseworker", "partner", "programme", "volunteer"])
def test_api_email_needs_the_coordinator(client, bearer, supermarket, business_template, username):
    response = _campaign(
        client, bearer(username), template_id=business_template.pk, partner_ids=[supermarket.pk]
    )
    assert response.status_code == 403
    assert mail.outbox == []


def test_api_email_in_another_municipality_is_404(client, bearer, supermarket, business_template):
    response = _campaign(
        client,
        bearer("coordinator"),
        "tweestad",
        template_id=business_template.pk,
        partner_ids=[supermarket.pk],
    )
    assert response.status_code == 404


def test_web_sends_to_the_ticked_rows(
    login, supermarket, restaurant, business_template, django_capture_on_commit_callbacks
):
    data = {
        "partner": [supermarket.pk, restaurant.pk],
        "template": business_template.pk,
        "selection": "one",
        "sender": "Fatima",
        "confirm": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = login("coordinator").post("/samenstad/beheer/partners/e-mail/versturen/", data)
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([supermarket.email, restaurant.email])


# --- newsletter --------------------------------------------------------------------------------


def test_api_newsletter_double_opt_in_and_unsubscribe(
    client, in_samenstad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/newsletter-subscriptions",
            {"email": "Nina@Voorbeeld.nl", "name": "Nina"},
            content_type="application/json",
        )
    assert response.status_code == 202
    assert not NewsletterSubscriber.objects.filter(email="nina@voorbeeld.nl").exists()
    token = re.search(r"/bevestigen/([^/]+)/", mail.outbox[-1].body)[1]
    confirmed = client.post(f"{BASE}/newsletter-subscriptions/{token}/confirmation")
    subscriber = NewsletterSubscriber.objects.get(email="nina@voorbeeld.nl")
    assert token == subscriber.token
    assert confirmed.status_code == 200
    assert confirmed.json() == {
        "email": "nina@voorbeeld.nl",
        "confirmed": True,
        "unsubscribed": False,
    }
    assert client.delete(f"{BASE}/newsletter-subscriptions/{token}").status_code == 204
    # deleted at once, the address kept only as a keyed hash (issue #12); still idempotent
    assert not NewsletterSubscriber.objects.filter(pk=subscriber.pk).exists()
    assert client.delete(f"{BASE}/newsletter-subscriptions/{token}").status_code == 204


def test_api_newsletter_token_of_another_municipality_is_404(client, in_samenstad):
    token = NewsletterSubscriber.objects.get(email="lezer@samenstad.example").token
    other = "/api/v1/municipalities/tweestad/newsletter-subscriptions"
    assert client.post(f"{other}/{token}/confirmation").status_code == 404
    assert client.delete(f"{other}/{token}").status_code == 404
    assert client.delete(f"{BASE}/newsletter-subscriptions/onzin").status_code == 404
    assert NewsletterSubscriber.objects.get(token=token).active


def test_api_newsletter_bad_address_is_a_dutch_problem(client, in_samenstad):
    response = client.post(
        f"{BASE}/newsletter-subscriptions",
        {"email": "geen-adres"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["reason"].startswith("Vul een geldig e-mailadres")
    assert mail.outbox == []


def test_api_newsletter_subscription_is_rate_limited(client, in_samenstad, settings):
    settings.SAMEN_CONCERN_RATE = "2/h"
    codes = [
        client.post(
            f"{BASE}/newsletter-subscriptions",
            {"email": f"lezer{n}@voorbeeld.nl"},
            content_type="application/json",
        ).status_code
        for n in range(3)
    ]
    assert codes == [202, 202, 429]
