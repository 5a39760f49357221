"""Joining the agenda cannot be used to mail strangers, to create organisations without a
confirmed address, or to take over an existing organisation."""

import re

from django.core import mail
from django.test import Client

from samen.activities.models import Feed, Registration
from samen.core.models import AuditEvent, Organisation

JOIN = "/samenstad/meedoen/"


def _join(client, **fields):
    data = {"name": "Buurtvereniging De Linde", "email": "info@delinde.example", "step": "confirm"}
    return client.post(JOIN, {**data, **fields})


def _link(message) -> str:
    return re.search(r"/samenstad/meedoen/bevestigen/\S+/", message.body).group(0)


def test_nothing_exists_until_the_address_is_confirmed(client, samenstad, unscoped):
    organisations = Organisation.objects.count()
    response = _join(client, feed_url="")
    assert "We hebben een e-mail gestuurd" in response.content.decode()
    assert Organisation.objects.count() == organisations
    assert not Registration.objects.exists() and not Feed.objects.filter(url__contains="linde")
    client.post(_link(mail.outbox[-1]))
    assert Organisation.objects.filter(name="Buurtvereniging De Linde").count() == 1
    assert Registration.objects.get(
        organisation__name="Buurtvereniging De Linde"
    ).email_confirmed_at


def test_clicking_the_link_twice_creates_one_organisation(client, samenstad, unscoped):
    _join(client)
    link = _link(mail.outbox[-1])
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200
    assert Organisation.objects.filter(name="Buurtvereniging De Linde").count() == 1


def test_the_visitors_text_is_not_in_the_subject(client, samenstad):
    _join(client, name="GRATIS iPhone! Klik hier: https://phish.example")
    (message,) = mail.outbox
    assert "iPhone" not in message.subject and "phish" not in message.subject
    assert "phish" not in message.body


def test_one_confirmation_mail_per_address_per_hour(samenstad, unscoped):
    first = _join(Client(REMOTE_ADDR="198.51.100.1"))
    second = _join(Client(REMOTE_ADDR="198.51.100.2"), name="Andere naam")
    assert first.content.decode().count("We hebben een e-mail gestuurd") == 1
    assert second.status_code == 200 and "We hebben een e-mail gestuurd" in second.content.decode()
    assert len(mail.outbox) == 1


def test_join_is_rate_limited_per_client(samenstad, settings):
    settings.SAMEN_CONCERN_RATE = "2/h"
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [_join(client, email=f"x{n}@delinde.example").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_a_join_with_an_existing_name_waits_for_the_coordinator(client, login, samenstad, unscoped):
    library = Organisation.objects.get(slug="bibliotheek-samenstad")
    before = (library.name, library.email, library.website)
    _join(client, name=library.name.upper(), email="aanvaller@evil.example", website="evil.example")
    page = client.post(_link(mail.outbox[-1])).content.decode()
    assert "De regisseur van de gemeente kijkt uw aanmelding na" in page
    library.refresh_from_db()
    assert (library.name, library.email, library.website) == before
    assert Organisation.objects.filter(name__iexact=library.name).count() == 1
    assert not Feed.objects.filter(organisation=library, url__contains="evil").exists()
    notice = mail.outbox[-1]
    assert notice.to == ["eenzaamheid@samenstad.example"]
    assert "/samenstad/beheer/aanmeldingen/nakijken/" in notice.body
    assert "evil" not in notice.subject + notice.body
    coordinator = login("coordinator")
    review = coordinator.get("/samenstad/beheer/aanmeldingen/nakijken/").content.decode()
    assert "aanvaller@evil.example" in review and library.name in review


def test_the_coordinator_merges_or_approves_as_new(client, login, samenstad, unscoped):
    from samen.core.models import Signup

    library = Organisation.objects.get(slug="bibliotheek-samenstad")
    _join(
        client,
        name=library.name,
        email="nieuw@bieb.example",
        feed_url="https://nergens.invalid/a.ics",
    )
    client.post(_link(mail.outbox[-1]))
    _join(client, name="Iets anders", email=library.email)
    client.post(_link(mail.outbox[-1]))
    first, second = Signup.objects.filter(held_at__isnull=False).order_by("pk")
    coordinator = login("coordinator")
    url = "/samenstad/beheer/aanmeldingen/nakijken/"
    assert coordinator.post(url, {"signup": first.pk, "decision": "merged"}).status_code == 302
    assert coordinator.post(url, {"signup": second.pk, "decision": "created"}).status_code == 302
    library.refresh_from_db()
    assert library.email != "nieuw@bieb.example"  # merged: its feed came along, not its address
    assert Feed.objects.get(organisation=library, url__contains="nergens.invalid").is_active
    assert Organisation.objects.filter(name="Iets anders").count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"signup.held", "signup.merged", "signup.created"} <= actions
    # decided is decided: a second post changes nothing
    response = coordinator.post(url, {"signup": second.pk, "decision": "created"}, follow=True)
    assert "al beslist" in response.content.decode()
    assert Organisation.objects.filter(name="Iets anders").count() == 1


def test_a_mail_scanner_opening_the_link_confirms_nothing(client, samenstad, unscoped):
    _join(client)
    page = client.get(_link(mail.outbox[-1]))
    assert page.status_code == 200 and "Ja, bevestig mijn aanmelding" in page.content.decode()
    assert not Organisation.objects.filter(name="Buurtvereniging De Linde").exists()
    client.post(_link(mail.outbox[-1]))
    assert Organisation.objects.filter(name="Buurtvereniging De Linde").exists()
