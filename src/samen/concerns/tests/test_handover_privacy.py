"""Issue 12: a hand-over never copies the caseworker's note; only a separate short text for the
receiver (handover_text) leaves the caseworkers, and it must not name or locate the person."""

import pytest

from samen.concerns.models import Case
from samen.concerns.privacy import find_personal_details

NOTE = "Mevrouw De Boer, Dorpsstraat 12, belt liever niet na 17 uur."


@pytest.fixture
def case(samenstad, unscoped):
    return Case.objects.filter(municipality=samenstad, address_key="9501GH-3").get()


@pytest.mark.parametrize(
    "text",
    [
        "Postcode 9501 GH graag",
        "woont op 9501GH",
        "Dorpsstraat 12",
        "bij de Kerkweg 3a achter",
        "Van Goghlaan 7",
        "aan de Burgemeester de Vlugtlaan 125",
        "bel 06-12345678",
        "bel 0612345678",
        "+31 6 12345678",
        "+31612345678",
        "010-1234567",
        "0201234567",
        "020 123 4567",
        "mail jan@example.nl",
        "mevrouw Jansen",
        "Meneer de Vries",
        "MEVR. Bakker",
        "dhr. Pietersen",
        "mw. Yilmaz",
        "mr. Smit",
    ],
)
def test_personal_details_are_found(text):
    assert find_personal_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "Houdt van wandelen en de krant lezen.",
        "Graag op dinsdagmiddag, samen naar de bieb.",
        "Zoekt gezelschap, 2 keer per week, 1 uur.",
        "Is 85 jaar en houdt van kaarten.",
        "mevrouw zou graag iemand willen om mee te fietsen",
        "Meneer wil graag naar de markt op zaterdag.",
        "Sinds 2024 alleen, vindt de winter zwaar.",
        "",
    ],
)
def test_ordinary_texts_pass(text):
    assert find_personal_details(text) == []


def _to_contact(client, case):
    url = f"/samenstad/beheer/signalen/{case.pk}/"
    client.post(url, {"action": "transition", "to_status": "in_contact"})
    return url


def test_buddy_need_carries_only_the_handover_text(login, case, unscoped):
    from samen.volunteering.models import Need

    client = login("caseworker")
    url = _to_contact(client, case)
    response = client.post(
        url,
        {
            "action": "transition",
            "to_status": "handed_over",
            "referral": "buddy",
            "note": NOTE,
            "handover_text": "Houdt van wandelen, graag op dinsdagmiddag.",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get(source="signaalpunt", municipality=case.municipality)
    assert need.description == "Houdt van wandelen, graag op dinsdagmiddag."
    assert "De Boer" not in str(Need.objects.filter(pk=need.pk).values().get())
    event = case.events.get(to_status="handed_over")
    assert "De Boer" in event.note and event.handover_text.startswith("Houdt van wandelen")
    page = client.get(url).content.decode()
    assert "De Boer" in page and "Houdt van wandelen, graag op dinsdagmiddag." in page


def test_buddy_need_without_handover_text_gets_the_default_sentence(login, case, unscoped):
    from samen.volunteering.models import Need

    client = login("caseworker")
    url = _to_contact(client, case)
    client.post(
        url, {"action": "transition", "to_status": "handed_over", "referral": "buddy", "note": NOTE}
    )
    need = Need.objects.get(source="signaalpunt", municipality=case.municipality)
    assert need.description == "Iemand in de wijk zou graag een maatje hebben."


def test_handover_form_refuses_personal_details_and_shows_the_warning(login, case, unscoped):
    from samen.volunteering.models import Need

    client = login("caseworker")
    url = _to_contact(client, case)
    assert "geen naam, adres, telefoon of gezondheid" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "transition",
            "to_status": "handed_over",
            "referral": "buddy",
            "handover_text": "Mevrouw De Boer, bel 06-12345678",
        },
    )
    assert response.status_code == 200
    assert "telefoonnummer" in response.content.decode()
    assert not Need.objects.filter(source="signaalpunt").exists()
    case.refresh_from_db()
    assert case.status == "in_contact"


def test_api_handover_text_is_validated_as_problem_json(client, bearer, case, unscoped):
    from samen.volunteering.models import Need

    base = f"/api/v1/municipalities/samenstad/cases/{case.pk}/transitions"
    headers = bearer("caseworker")
    client.post(base, {"to_status": "in_contact"}, content_type="application/json", **headers)
    response = client.post(
        base,
        {"to_status": "handed_over", "referral": "buddy", "handover_text": "dhr. Jansen, 9501 GH"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "handover_text"
    response = client.post(
        base,
        {
            "to_status": "handed_over",
            "referral": "buddy",
            "note": NOTE,
            "handover_text": "Houdt van de bieb.",
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    need = Need.objects.get(source="signaalpunt")
    assert need.description == "Houdt van de bieb."


def test_anonymising_the_case_clears_the_handover_text(login, case, unscoped):
    from samen.concerns.services import anonymise_case

    client = login("caseworker")
    url = _to_contact(client, case)
    client.post(
        url,
        {
            "action": "transition",
            "to_status": "handed_over",
            "referral": "welfare",
            "handover_text": "Houdt van de bieb en wandelen.",
        },
    )
    anonymise_case(case, now=case.created_at)
    assert not case.events.filter(handover_text__contains="bieb").exists()
