"""Everyone's own password: change it (/account/wachtwoord/) and "wachtwoord vergeten"
(Django's views, Dutch, the same answer whether the address exists, rate-limited per client
and per address, links on SITE_URL, the second factor still asked afterwards)."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.core.models import AuditEvent
from samen.core.roles import Role

from .factories import PASSWORD, MunicipalityFactory, member

FORGOT = "/account/wachtwoord-vergeten/"


@pytest.fixture
def people(db):
    samenstad = MunicipalityFactory(slug="samenstad", name="Samenstad")
    return {
        "caseworker": member(samenstad, Role.CASEWORKER, username="mw", email="mw@samenstad.nl"),
        "volunteer": member(samenstad, Role.VOLUNTEER, username="vw", email="vw@example.nl"),
    }


def forgot(client: Client, email: str, capture):
    with capture(execute=True):
        return client.post(FORGOT, {"email": email})


def test_the_login_page_links_to_wachtwoord_vergeten(db):
    page = Client().get("/inloggen/").content.decode()
    assert f'href="{FORGOT}"' in page


def test_the_same_answer_whether_the_address_exists_or_not(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://samen.example.nl"
    known = forgot(Client(), "VW@example.nl", django_capture_on_commit_callbacks)
    unknown = forgot(Client(), "niemand@example.nl", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = Client().get(known["Location"]).content.decode()
    assert "Als er een Samen-account is" in page_known
    (mail,) = mailoutbox
    assert mail.to == ["vw@example.nl"]
    assert "https://samen.example.nl/account/wachtwoord-vergeten/" in mail.body


def test_an_invalid_address_gets_a_dutch_error(db):
    response = Client().post(FORGOT, {"email": "geen-adres"})
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in" in response.content.decode()


def test_per_address_limit_sends_no_more_but_answers_alike(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    for n in range(5):
        client = Client(REMOTE_ADDR=f"192.0.2.{n}")
        assert (
            forgot(client, "vw@example.nl", django_capture_on_commit_callbacks).status_code == 302
        )
    assert len(mailoutbox) == 3


def test_per_client_limit_gets_a_dutch_error(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(10):
        forgot(client, f"onbekend{n}@example.nl", django_capture_on_commit_callbacks)
    response = forgot(client, "vw@example.nl", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Te veel aanvragen" in response.content.decode()
    assert mailoutbox == []


def reset_link(mail) -> str:
    return urlsplit(
        re.search(r"https?://\S+/wachtwoord-vergeten/\S+/\S+/", mail.body).group(0)
    ).path


def test_after_a_reset_the_second_factor_is_still_asked(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    caseworker = people["caseworker"]
    TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    forgot(Client(), caseworker.email, django_capture_on_commit_callbacks)
    visitor = Client()
    form = visitor.get(reset_link(mailoutbox[0]), follow=True)
    done = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "een-nieuwe-zin-77", "new_password2": "een-nieuwe-zin-77"},
    )
    assert done.status_code == 302
    assert "_auth_user_id" not in visitor.session  # not logged in by the reset
    caseworker.refresh_from_db()
    assert TOTPDevice.objects.filter(user=caseworker).exists()
    login = visitor.post("/inloggen/", {"username": "mw", "password": "een-nieuwe-zin-77"})
    assert login.status_code == 302
    page = visitor.get("/samenstad/beheer/signalen/")
    assert page.status_code == 302 and "/account/code/" in page["Location"]
    # The link worked once.
    again = visitor.get(reset_link(mailoutbox[0]), follow=True)
    assert "werkt niet" in again.content.decode()


def test_a_user_changes_their_own_password(people):
    client = Client()
    client.force_login(people["volunteer"])
    page = client.get("/account/wachtwoord/")
    assert page.status_code == 200 and "Huidig wachtwoord" in page.content.decode()
    wrong = client.post(
        "/account/wachtwoord/",
        {
            "old_password": "fout",
            "new_password1": "nieuw-en-lang-1",
            "new_password2": "nieuw-en-lang-1",
        },
    )
    assert wrong.status_code == 200 and "errorlist" in wrong.content.decode()
    ok = client.post(
        "/account/wachtwoord/",
        {
            "old_password": PASSWORD,
            "new_password1": "nieuw-en-lang-1",
            "new_password2": "nieuw-en-lang-1",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/account/wachtwoord/gewijzigd/"
    people["volunteer"].refresh_from_db()
    assert people["volunteer"].check_password("nieuw-en-lang-1")
    assert AuditEvent.objects.filter(action="account.password_changed").exists()
    assert client.get("/account/wachtwoord/gewijzigd/").status_code == 200  # still logged in


def test_changing_a_password_needs_login_and_the_second_factor(people, settings):
    assert Client().get("/account/wachtwoord/").status_code == 302
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    client = Client()
    client.force_login(people["caseworker"])
    response = client.get("/account/wachtwoord/")
    assert response.status_code == 302 and "/account/code/" in response["Location"]


def test_sso_accounts_are_told_where_their_password_is(people):
    caseworker = people["caseworker"]
    caseworker.set_unusable_password()
    caseworker.save()
    client = Client()
    client.force_login(caseworker)
    page = client.get("/account/wachtwoord/").content.decode()
    assert "wijzigt u bij uw gemeente" in page
    assert client.post("/account/wachtwoord/", {"old_password": "x"}).status_code == 200
