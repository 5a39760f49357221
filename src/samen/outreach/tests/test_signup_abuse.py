"""The newsletter cannot be used to mail strangers or to put anything on the mailing list
without a confirmed address."""

import re

from django.core import mail
from django.test import Client

from samen.outreach.models import NewsletterSubscriber

SUBSCRIBE = "/samenstad/nieuwsbrief/"
API = "/api/v1/municipalities/samenstad/newsletter-subscriptions"


def _link(path: str) -> str:
    return re.search(rf"/samenstad/{path}/\S+/", mail.outbox[-1].body).group(0)


def test_a_newsletter_subscriber_exists_only_after_confirming(client, in_samenstad):
    client.post(SUBSCRIBE, {"email": "Nieuw@Voorbeeld.nl", "name": "Nina <b>GRATIS</b>"})
    assert not NewsletterSubscriber.objects.filter(email="nieuw@voorbeeld.nl").exists()
    (confirmation,) = mail.outbox
    assert "Nina" not in confirmation.subject and "GRATIS" not in confirmation.body
    client.post(_link("nieuwsbrief/bevestigen"))
    assert NewsletterSubscriber.objects.get(email="nieuw@voorbeeld.nl").active


def test_one_newsletter_mail_per_address_per_hour_on_web_and_api(in_samenstad):
    Client(REMOTE_ADDR="198.51.100.1").post(SUBSCRIBE, {"email": "doelwit@voorbeeld.nl"})
    again = Client(REMOTE_ADDR="198.51.100.2").post(
        API, {"email": "doelwit@voorbeeld.nl"}, content_type="application/json"
    )
    assert again.status_code == 202
    assert len(mail.outbox) == 1


def test_an_active_subscriber_gets_no_new_mail(client, in_samenstad):
    client.post(SUBSCRIBE, {"email": "lezer@samenstad.example"})
    assert mail.outbox == []
