"""The open partner page cannot be used to mail strangers, to put anything on the longlist
without a confirmed address, or to write into an existing partner. The newsletter's side:
outreach/tests/test_signup_abuse.py."""

import re

from django.core import mail
from django.test import Client

from samen.core.models import Organisation, Signup
from samen.partners.models import ContactLog, Partner

JOIN = "/samenstad/samenwerkingen/meedoen/"
SUBSCRIBE = "/samenstad/nieuwsbrief/"
API = "/api/v1/municipalities/samenstad/newsletter-subscriptions"
DATA = {
    "name": "Fietsenmaker De Ketting",
    "sector": "retail",
    "contact_name": "Kees",
    "contact_email": "kees@ketting.example",
    "roles": ["signal"],
    "message": "Ik zie veel ouderen in de winkel.",
}


def _link(path: str) -> str:
    return re.search(rf"/samenstad/{path}/\S+/", mail.outbox[-1].body).group(0)


def test_a_partner_exists_only_after_the_address_is_confirmed(client, in_samenstad):
    organisations = Organisation.objects.count()
    done = client.post(JOIN, DATA)
    assert "Bekijk uw e-mail" in done.content.decode()
    assert Organisation.objects.count() == organisations
    (confirmation,) = mail.outbox
    assert confirmation.to == ["kees@ketting.example"]
    assert "Ketting" not in confirmation.subject and "Kees" not in confirmation.subject
    link = _link("samenwerkingen/meedoen/bevestigen")
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200  # twice: one partner
    partner = Partner.objects.get(organisation__name="Fietsenmaker De Ketting")
    assert partner.step == "prepare" and partner.source == "join" and partner.roles == ["signal"]
    # the coalition hears of it, without the visitor's text in the subject
    notice = next(m for m in mail.outbox if m.to == ["eenzaamheid@samenstad.example"])
    assert "Ketting" not in notice.subject


def test_one_confirmation_mail_per_address_per_hour(in_samenstad):
    Client(REMOTE_ADDR="198.51.100.1").post(JOIN, DATA)
    again = Client(REMOTE_ADDR="198.51.100.2").post(JOIN, {**DATA, "name": "Andere naam"})
    assert "Bekijk uw e-mail" in again.content.decode()
    assert len(mail.outbox) == 1
    assert Signup.objects.filter(email="kees@ketting.example").count() == 1


def test_a_sign_up_with_an_existing_name_never_writes_into_that_partner(client, login, supermarket):
    before = (supermarket.organisation.email, supermarket.contact_email, supermarket.contact_name)
    logs = ContactLog.objects.filter(partner=supermarket).count()
    client.post(
        JOIN,
        {**DATA, "name": supermarket.organisation.name, "contact_email": "boef@evil.example"},
    )
    client.post(_link("samenwerkingen/meedoen/bevestigen"))
    supermarket.refresh_from_db()
    supermarket.organisation.refresh_from_db()
    after = (supermarket.organisation.email, supermarket.contact_email, supermarket.contact_name)
    assert after == before
    assert ContactLog.objects.filter(partner=supermarket).count() == logs
    review = login("coordinator").get("/samenstad/beheer/aanmeldingen/nakijken/")
    assert "boef@evil.example" in review.content.decode()
    held = Signup.objects.get(email="boef@evil.example")
    response = login("coordinator").post(
        "/samenstad/beheer/aanmeldingen/nakijken/", {"signup": held.pk, "decision": "merged"}
    )
    assert response.status_code == 302
    assert ContactLog.objects.filter(partner=supermarket).count() == logs + 1
    supermarket.refresh_from_db()
    assert supermarket.contact_email == before[1]
