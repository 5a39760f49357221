"""The issue's "done when": a new coordinator of Samenstad imports a longlist, ranks it, takes
the supermarket through the five steps with a logged conversation and an e-mail, records its
5 M's and sees it in the public register; a donation to the municipality is refused."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from samen.core.models import Membership, User
from samen.outreach.models import EmailTemplate
from samen.partners.models import Contribution, Partner, StepChange

LONGLIST = b"""naam,sector,kvk,imago ok,mvo bekend,past bij eenzaamheidsdoelen,warm contact,dagelijkse routes
Supermarkt Dagvers,supermarkt,56781234,ja,ja,ja,ja,boodschappen
Kapper Kort,kapper,56781235,ja,nee,ja,nee,kapper
Notaris Recht,notaris,56781236,nee,nee,nee,nee,
"""


def test_new_coordinator_takes_a_supermarket_through_the_five_steps(
    client, samenstad, django_capture_on_commit_callbacks
):
    user = User.objects.create_user("nieuwe-regisseur", email="regisseur@samenstad.example")
    Membership.objects.create(user=user, municipality=samenstad, role="coordinator")
    client.force_login(user)
    home = client.get("/samenstad/beheer/").content.decode()
    assert "Partners en ondernemers" in home

    # Prepare: import the longlist, rank it, shortlist the top.
    page = client.post(
        "/samenstad/beheer/partners/importeren/",
        {"file": SimpleUploadedFile("longlist.csv", LONGLIST)},
    ).content.decode()
    assert "3 nieuw op de longlist" in page
    ranked = client.get("/samenstad/beheer/partners/").content.decode()
    assert (
        ranked.index("Supermarkt Dagvers")
        < ranked.index("Kapper Kort")
        < ranked.index("Notaris Recht")
    )
    from django_scopes import scopes_disabled

    with scopes_disabled():
        dagvers = Partner.objects.get(kvk_number="56781234")
        template = EmailTemplate.objects.get(
            municipality=samenstad, name="Lokale ondernemer betrekken"
        )
    client.post("/samenstad/beheer/partners/", {"action": "shortlist_add", "ids": [dagvers.pk]})
    url = f"/samenstad/beheer/partners/organisaties/{dagvers.organisation.slug}/"

    # Connect: an e-mail from the guide's template, then a conversation with the starter.
    edit = client.post(
        f"/samenstad/beheer/partners/organisaties/{dagvers.organisation.slug}/bewerken/",
        {
            "name": "Supermarkt Dagvers",
            "sector": "supermarket",
            "kvk_number": "56781234",
            "contact_name": "Sanne",
            "contact_email": "sanne@dagvers.example",
            "account_holder": user.pk,
            "compliment": "Dagvers is altijd actief in de wijk",
            "concrete_request": "een klets-kassa in te richten",
            "image_ok": "on",
            "csr_known": "on",
            "fits_goals": "on",
            "warm_contact": "on",
            "shortlisted": "on",
            "daily_routes": ["groceries"],
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    assert client.post(url, {"action": "step", "to_step": "connect"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/samenstad/beheer/partners/e-mail/versturen/",
            {
                "partner": dagvers.pk,
                "template": template.pk,
                "selection": "one",
                "sender": "De nieuwe regisseur",
                "confirm": "1",
            },
        )
    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["sanne@dagvers.example"]
    assert "Beste Sanne" in mail.outbox[-1].body and "klets-kassa" in mail.outbox[-1].body
    client.post(
        url,
        {
            "action": "contact",
            "kind": "visit",
            "at": "2026-01-10T11:00",
            "starter": ["contact", "target_group", "role", "proposition", "action"],
            "summary": "Sanne ziet klanten die elke dag komen voor een praatje.",
            "next_contact_on": "2099-01-01",
        },
    )
    # Persuade, retain, strengthen.
    for step in ("persuade", "retain", "strengthen"):
        assert client.post(url, {"action": "step", "to_step": step}).status_code == 302

    # Roles and the 5 M's; a donation to the municipality is refused.
    client.post(
        url,
        {
            "action": "roles",
            "roles": ["signal", "hospitable"],
            "public_description": "Klets-kassa op dinsdag",
        },
    )
    for m, description in [
        ("people", "Medewerkers getraind in signaleren"),
        ("means", "Koffie en een tafel bij de ingang"),
        ("mass", "Brengt de winkeliersvereniging mee"),
        ("media", "Posters in de winkel"),
    ]:
        response = client.post(
            url,
            {
                "action": "contribution",
                "m": m,
                "description": description,
                "recipient": "coalition",
                "voluntary": "on",
            },
        )
        assert response.status_code == 302
    refused = client.post(
        url,
        {
            "action": "contribution",
            "m": "money",
            "description": "Sponsoring",
            "recipient": "municipality",
            "amount": "500",
            "voluntary": "on",
        },
    )
    assert "sociaal beleid van de gemeente zijn uitgesloten" in refused.content.decode()
    assert (
        client.post(
            url,
            {
                "action": "contribution",
                "m": "money",
                "description": "Buurtmaaltijd",
                "recipient": "foundation",
                "recipient_name": "Stichting Samen Eten",
                "amount": "500",
                "voluntary": "on",
            },
        ).status_code
        == 302
    )

    with scopes_disabled():
        steps = list(
            StepChange.objects.filter(partner=dagvers).values_list("to_step", "actor__username")
        )
        assert steps == [
            ("prepare", "nieuwe-regisseur"),
            ("connect", "nieuwe-regisseur"),
            ("persuade", "nieuwe-regisseur"),
            ("retain", "nieuwe-regisseur"),
            ("strengthen", "nieuwe-regisseur"),
        ]
        assert sorted(Contribution.objects.filter(partner=dagvers).values_list("m", flat=True)) == [
            "mass",
            "means",
            "media",
            "money",
            "people",
        ]
    detail = client.get(url).content.decode()
    assert "✓ Concrete actie" in detail and "Versterken" in detail

    # Public: the register on the web and in the API.
    client.logout()
    register = client.get("/samenstad/samenwerkingen/").content.decode()
    assert "Supermarkt Dagvers" in register and "Klets-kassa op dinsdag" in register
    assert "Stichting Samen Eten" in register and "Sponsoring" not in register
    api = client.get("/api/v1/municipalities/samenstad/partnerships").json()
    entry = next(e for e in api if e["organisation"] == "Supermarkt Dagvers")
    assert {c["m"] for c in entry["contributions"]} == {"people", "means", "mass", "media", "money"}
