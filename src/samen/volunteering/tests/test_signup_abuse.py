"""Volunteer sign-up cannot be used to mail strangers or to create volunteers (with the
personal page that comes with them) for an address nobody confirmed."""

import re

from django.core import mail
from django.test import Client

from samen.volunteering.models import Programme, Volunteer
from samen.volunteering.tests.test_flow import MDT, young_birthday

REGISTER = "/samenstad/vrijwilligers/aanmelden/"


def _mdt(**extra):
    return {**MDT, "date_of_birth": young_birthday(17), **extra}


def _link() -> str:
    return re.search(r"/samenstad/vrijwilligers/bevestigen/\S+/", mail.outbox[-1].body).group(0)


def test_a_volunteer_exists_only_after_the_address_is_confirmed(client, samenstad, unscoped):
    page = client.post(REGISTER, _mdt(first_name="GRATIS-iPhone"))
    assert "Bekijk je e-mail" in page.content.decode()
    assert "vrijwilligers/mijn/" not in page.content.decode()
    assert not Volunteer.objects.filter(email="sem@example.nl").exists()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["sem@example.nl"] and "iPhone" not in confirmation.subject
    first = client.post(_link()).content.decode()
    assert "Welkom, GRATIS-iPhone" in first
    personal = re.search(r'href="(http://testserver/samenstad/vrijwilligers/mijn/[^"]+)"', first)
    volunteer = Volunteer.objects.get(email="sem@example.nl")
    assert volunteer.kind == "mdt"
    # the link again: the same volunteer and the same personal page, not a second one
    again = client.post(_link()).content.decode()
    assert personal.group(1) in again
    assert Volunteer.objects.filter(email="sem@example.nl").count() == 1
    assert client.get(personal.group(1)).status_code == 200


def test_one_confirmation_mail_per_address_per_hour(samenstad, unscoped):
    Client(REMOTE_ADDR="198.51.100.1").post(REGISTER, _mdt())
    again = Client(REMOTE_ADDR="198.51.100.2").post(REGISTER, _mdt(first_name="Ander"))
    assert "Bekijk je e-mail" in again.content.decode()
    assert len(mail.outbox) == 1


def test_sign_up_is_rate_limited_per_client(samenstad, settings, unscoped):
    settings.SAMEN_CONCERN_RATE = "2/h"
    client = Client(REMOTE_ADDR="198.51.100.9")
    codes = [client.post(REGISTER, _mdt(email=f"j{n}@example.nl")).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_an_employee_by_domain_confirms_the_work_address(client, samenstad, unscoped):
    programme = Programme.objects.get()
    data = {**MDT, "email": "joep@telecom-samenstad.example", "first_name": "Joep"}
    client.post("/samenstad/vrijwilligers/medewerker/", data)
    assert not Volunteer.objects.filter(email=data["email"]).exists()
    assert "Welkom, Joep" in client.post(_link()).content.decode()
    assert Volunteer.objects.get(email=data["email"]).programme == programme


def test_a_wrong_link_is_a_dutch_400(client, samenstad):
    response = client.get("/samenstad/vrijwilligers/bevestigen/vervalst/")
    assert response.status_code == 400 and "werkt niet" in response.content.decode()
