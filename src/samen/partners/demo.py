"""Demo partners: Samenstad's workshop case (the sports school, the pharmacy, the fish
restaurant and the supermarket) at different steps, with contacts, the supermarket's 5 M's,
one cooperation in the register and the e-mail templates from the guide's appendices."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from samen.core.models import Municipality, Organisation, User

from . import services
from .models import (
    ContactLog,
    Contribution,
    EmailTemplate,
    NewsletterSubscriber,
    Partner,
    Step,
    StepChange,
)

BUSINESS_MAIL = """{aanhef},

Via de winkeliersvereniging kreeg ik uw gegevens. Ik ben regisseur eenzaamheid bij de gemeente {gemeente} en mail u namens de lokale coalitie Eén tegen eenzaamheid.

{compliment}.

Namens de gemeente {gemeente} wil ik u daarom vragen of u met ons in gesprek wilt om te verkennen of {organisatie} een rol kan spelen bij de aanpak van eenzaamheid in onze gemeente. Heel concreet zouden we willen verkennen of het, uiteraard geheel in samenspraak en stap voor stap, mogelijk is om {verzoek}. Graag licht ik dit verder toe.

Aanpak eenzaamheid in gemeente {gemeente}
In {gemeente} werken zorg, welzijn, cultuur, ouderenorganisaties en vrijwilligers samen in een ambassadeursnetwerk van 25 organisaties. Ondernemers zien in hun dagelijkse klantcontact veel mensen die misschien eenzaam zijn: wie vaker dan eens per dag een boodschap doet, wie om een praatje verlegen zit.

De mogelijkheden verkennen?
De vraag is: staat u ervoor open om te verkennen of {organisatie} dit wil oppakken? Uiteraard is hier veel meer over te vertellen. Graag kom ik binnenkort een keer naar u toe om persoonlijk kennis te maken en verder te spreken over ons verzoek.

Ik hoor graag van u,

{afzender}
"""

COLLEAGUES_MAIL = """Beste collega's,

Het team eenzaamheid gaat stappen zetten in het betrekken van bedrijven bij de aanpak Eén tegen eenzaamheid in {gemeente}! Er is een plan van aanpak, we hebben actieve en betrokken maatschappelijke organisaties en zeer veel vrijwilligers die zich willen inzetten voor eenzame ouderen.

Eenzaamheid is niet alleen een opgave voor het sociaal domein, maar leent zich juist goed om het fysieke en economische domein te verbinden. Er zijn elders in het land talloze inspirerende voorbeelden van bedrijven die gezegd hebben: wij doen mee.

Graag willen we jullie uitnodigen jullie kennis en netwerken in te brengen. Denk aan bedrijven waarmee de gemeente een relatie heeft in het Werkgeversservicepunt of Werkgeversplein of bedrijven actief op de Beursvloer. Welke netwerken hebben jullie die we kunnen verbinden aan de aanpak tegen eenzaamheid?

Binnenkort houden we een inspiratiesessie voor collega's waarvoor je van harte uitgenodigd bent. De ervaring leert dat je in gesprek vaak meer mogelijkheden ontdekt dan vanachter je bureau. We gaan dan met elkaar verkennen welke mogelijkheden en kansen er liggen in onze gemeente.

Bel me gerust voor meer informatie, graag tot binnenkort,

Met vriendelijke groet,

{afzender}
"""

INSPIRATION_MAIL = """{aanhef},

Graag nodigen wij {organisatie} uit voor de inspiratiebijeenkomst voor ondernemers over de aanpak van eenzaamheid in {gemeente}.

Een inspiratiesessie biedt ruimte aan ondernemers om te laten zien wat zij al doen. Met elkaar brainstormen we over nieuwe mogelijkheden. Niemand hoeft zich vast te leggen, maar inspiratie en goede voorbeelden verleiden tot doen.

Doel: helder krijgen wat ondernemers in onze gemeente rond eenzaamheid kunnen doen aan activiteiten of initiatieven die aansluiten bij hun corebusiness.
Voor wie: directieleden, HR-managers, leden OR, mvo-specialisten en anderen die in uw bedrijf betrokken zijn bij dit thema.
Deelnemers: 20 tot 30.
Duur: 2 tot 3 uur.
Thema: wat kan aan ondernemers gevraagd worden, en hoe kan de gemeente dat faciliteren?

{compliment}. Daarom zouden we het mooi vinden als u erbij bent.

Met vriendelijke groet,

{afzender}
"""

WORKING_SESSION_MAIL = """{aanhef},

Graag nodigen wij {organisatie} uit voor een werksessie met de partners van de lokale coalitie tegen eenzaamheid in {gemeente}.

Deze werksessie helpt de verschillende partners om in elkaars schoenen te staan en van elkaar te begrijpen wat ieders bijdrage is. Aan verschillende gesprekstafels kruipen we in de huid van een sportschool, een winkeliersvereniging, een actieve ouderengroep en de lokale welzijnsorganisatie. Elke tafel maakt een poster en presenteert de plannen.

De vraag die op tafel ligt: hoe breiden we het ambassadeursnetwerk uit met bedrijven zoals de sportschool, de apotheek, het visrestaurant en de supermarkt, zodat zij partner worden in de aanpak? Waar beginnen we? Hoe zorgen we dat het een levendig netwerk wordt?

Concreet willen we met u verkennen: {verzoek}.

Met vriendelijke groet,

{afzender}
"""

TEMPLATES = [
    (
        "Lokale ondernemer betrekken",
        EmailTemplate.Purpose.BUSINESS,
        "{organisatie} en de aanpak van eenzaamheid in {gemeente}",
        BUSINESS_MAIL,
    ),
    (
        "Collega's betrekken",
        EmailTemplate.Purpose.COLLEAGUES,
        "Uitnodiging: bedrijven betrekken bij Eén tegen eenzaamheid",
        COLLEAGUES_MAIL,
    ),
    (
        "Uitnodiging inspiratiesessie ondernemers",
        EmailTemplate.Purpose.INSPIRATION,
        "Uitnodiging inspiratiebijeenkomst: ondernemers tegen eenzaamheid in {gemeente}",
        INSPIRATION_MAIL,
    ),
    (
        "Uitnodiging werksessie coalitiepartners",
        EmailTemplate.Purpose.WORKING_SESSION,
        "Uitnodiging werksessie lokale coalitie tegen eenzaamheid",
        WORKING_SESSION_MAIL,
    ),
]

# slug, sector, step, shortlisted, criteria, routes, kvk, contact, roles, public text
WORKSHOP = [
    (
        "supermarkt-de-buurtmarkt",
        "supermarket",
        Step.RETAIN,
        True,
        ("image_ok", "csr_known", "fits_goals", "warm_contact", "national_coalition"),
        ["groceries"],
        "40123456",
        "Johan de Groot",
        ["signal", "activities", "hospitable", "inform"],
        "Klets-kassa op dinsdag en donderdag, een koffiemoment voor buurtbewoners op vrijdag "
        "en medewerkers getraind in het signaleren van eenzaamheid.",
    ),
    (
        "sportschool-in-beweging",
        "sport",
        Step.PERSUADE,
        True,
        ("image_ok", "fits_goals", "warm_contact"),
        ["sport"],
        "40234567",
        "Esther Bos",
        [],
        "",
    ),
    (
        "apotheek-de-linde",
        "paramedical",
        Step.CONNECT,
        True,
        ("image_ok", "csr_known", "fits_goals"),
        ["pharmacy"],
        "40345678",
        "Ahmed Yilmaz",
        [],
        "",
    ),
    (
        "visrestaurant-de-haven",
        "hospitality",
        Step.PREPARE,
        False,
        ("image_ok", "fits_goals"),
        ["hospitality"],
        "40456789",
        "",
        [],
        "",
    ),
]
LONGLIST_EXTRA = [
    (
        "Kapsalon Knipoog",
        "personal_care",
        ("image_ok", "warm_contact"),
        ["hairdresser"],
        "Dorpsstraat 3",
    ),
    ("Bakkerij Vers van Bakker", "retail", ("image_ok",), ["groceries"], "Marktplein 2"),
    (
        "Installatiebedrijf Warm Thuis",
        "home_visits",
        ("csr_known",),
        ["at_home"],
        "Industrieweg 14",
    ),
    ("Notariskantoor Van Dam", "professional", (), [], "Kerkstraat 20"),
]


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    moment = timezone.localtime() - dt.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def load(municipality: Municipality) -> None:
    """Demo content of this capability for one municipality (called inside its scope)."""
    for name, purpose, subject, body in TEMPLATES:
        EmailTemplate.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={"purpose": purpose, "subject": subject, "body": body},
        )
    services.weights_for(municipality)
    if Partner.objects.exists():
        return
    if municipality.slug == "samenstad":
        _samenstad(municipality)
    else:
        _tweestad(municipality)


def _samenstad(municipality: Municipality) -> None:
    coordinator = User.objects.filter(username="coordinator").first()
    path = [Step.PREPARE, Step.CONNECT, Step.PERSUADE, Step.RETAIN]
    for n, (
        slug,
        sector,
        step,
        shortlisted,
        criteria,
        routes,
        kvk,
        contact,
        roles,
        text,
    ) in enumerate(WORKSHOP):
        organisation = Organisation.objects.get(slug=slug)
        steps = path[: path.index(step) + 1]
        start = 120 - 10 * n
        partner = Partner.objects.create(
            municipality=municipality,
            organisation=organisation,
            sector=sector,
            kvk_number=kvk,
            contact_name=contact,
            contact_email=organisation.email,
            daily_routes=routes,
            shortlisted=shortlisted,
            step=step,
            step_changed_at=_at(start - 25 * (len(steps) - 1)),
            account_holder=coordinator if step != Step.PREPARE else None,
            roles=roles,
            public_description=text,
            salutation=f"Beste {contact.split()[0]}" if contact else "",
            compliment=f"{organisation.name} staat bekend om de persoonlijke aandacht voor klanten",
            source="import",
            created_at=_at(start),
            **{c: True for c in criteria},
        )
        for i, to_step in enumerate(steps):
            StepChange.objects.create(
                municipality=municipality,
                partner=partner,
                from_step=steps[i - 1] if i else "",
                to_step=to_step,
                actor=coordinator,
                at=_at(start - 25 * i),
            )
    supermarket = Partner.objects.get(organisation__slug="supermarkt-de-buurtmarkt")
    sports = Partner.objects.get(organisation__slug="sportschool-in-beweging")
    pharmacy = Partner.objects.get(organisation__slug="apotheek-de-linde")
    contacts = [
        (
            supermarket,
            "visit",
            95,
            "Langs geweest bij Johan (filiaalmanager). Hij ziet klanten die meerdere keren per dag "
            "komen voor één boodschap. Enthousiast over een klets-kassa.",
            ["contact", "target_group", "role"],
        ),
        (
            supermarket,
            "meeting",
            70,
            "Afspraak met Johan en Welzijn Samenstad: klets-kassa op dinsdag en donderdag, "
            "koffiemoment op vrijdag. Training signaleren voor de caissières.",
            ["proposition", "action"],
        ),
        (supermarket, "call", 12, "Gebeld: koffiemoment loopt goed, 15 vaste bezoekers.", []),
        (
            sports,
            "visit",
            40,
            "Esther wil een inclusieve sportschool zijn: lessen voor senioren en mensen met "
            "Parkinson. Vraagt hoe ze de doelgroep bereikt.",
            ["contact", "target_group", "role", "proposition"],
        ),
        (
            pharmacy,
            "call",
            60,
            "Eerste telefoontje; Ahmed staat open voor een gesprek.",
            ["contact"],
        ),
    ]
    for partner, kind, days, summary, starter in contacts:
        at = _at(days, 14)
        ContactLog.objects.create(
            municipality=municipality,
            partner=partner,
            kind=kind,
            at=at,
            by=coordinator,
            summary=summary,
            starter=starter,
        )
        services._touch(partner, kind, at)
    Partner.objects.filter(pk=supermarket.pk).update(
        next_contact_on=timezone.localdate() + dt.timedelta(days=14)
    )
    Partner.objects.filter(pk=sports.pk).update(
        next_contact_on=timezone.localdate() + dt.timedelta(days=3)
    )
    for m, description, recipient, name, amount in [
        ("people", "Caissières getraind in het signaleren van eenzaamheid", "coalition", "", None),
        ("means", "Ruimte en koffie voor het wekelijkse koffiemoment", "coalition", "", None),
        ("mass", "Brengt de winkeliersvereniging Marktstraat in beweging", "coalition", "", None),
        (
            "media",
            "Folders van Welzijn Samenstad bij de kassa en op het prikbord",
            "coalition",
            "",
            None,
        ),
        (
            "money",
            "Bijdrage aan de maandelijkse buurtmaaltijd",
            "foundation",
            "Stichting Samen Eten Samenstad",
            Decimal("500.00"),
        ),
    ]:
        Contribution.objects.create(
            municipality=municipality,
            partner=supermarket,
            m=m,
            description=description,
            recipient=recipient,
            recipient_name=name,
            amount=amount,
            started_on=_at(70).date(),
            created_by=coordinator,
        )
    now = timezone.now()
    for name, kind_sector, criteria, routes, address in LONGLIST_EXTRA:
        organisation = Organisation.objects.create(
            municipality=municipality,
            slug=services._unique_slug(name),
            name=name,
            kind=services.SECTOR_KIND.get(kind_sector, Organisation.Kind.BUSINESS),
            address=address,
            email=f"info@{services._unique_slug(name)}.example",
        )
        partner = Partner.objects.create(
            municipality=municipality,
            organisation=organisation,
            sector=kind_sector,
            daily_routes=routes,
            source="import",
            **{c: True for c in criteria},
        )
        StepChange.objects.create(
            municipality=municipality,
            partner=partner,
            to_step=Step.PREPARE,
            actor=coordinator,
            at=now,
        )
    for email in ("lezer@samenstad.example", "buurtbewoner@samenstad.example"):
        NewsletterSubscriber.objects.get_or_create(
            municipality=municipality,
            email=email,
            defaults={"token": NewsletterSubscriber.new_token(), "confirmed_at": now},
        )


def _tweestad(municipality: Municipality) -> None:
    organisation = Organisation.objects.filter(slug="bakkerij-het-korenschoofje").first()
    if organisation is None:
        return
    partner = Partner.objects.create(
        municipality=municipality,
        organisation=organisation,
        sector="retail",
        daily_routes=["groceries"],
        image_ok=True,
        step=Step.CONNECT,
        contact_email=organisation.email,
    )
    StepChange.objects.create(municipality=municipality, partner=partner, to_step=Step.PREPARE)
    StepChange.objects.create(
        municipality=municipality, partner=partner, from_step=Step.PREPARE, to_step=Step.CONNECT
    )
