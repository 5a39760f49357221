"""Demo outreach: the e-mail templates from the guide's appendices, and Samenstad's two
newsletter subscribers."""

from django.utils import timezone

from samen.core.models import Municipality

from .models import EmailTemplate, NewsletterSubscriber

BUSINESS_MAIL = """{aanhef},

Via de winkeliersvereniging kreeg ik uw gegevens. Ik ben regisseur eenzaamheid bij de gemeente {gemeente} en mail u namens de lokale coalitie Eén tegen eenzaamheid.

{compliment}.

Namens de gemeente {gemeente} wil ik u daarom vragen of u met ons in gesprek wilt om te verkennen of {organisatie} een rol kan spelen bij de aanpak van eenzaamheid in onze gemeente. Heel concreet zouden we willen verkennen of het, uiteraard geheel in samenspraak en stap voor stap, mogelijk is om {verzoek}. Graag licht ik dit verder toe.

Aanpak eenzaamheid in gemeente {gemeente}
In {gemeente} werken zorg, welzijn, cultuur, ouderenorganisaties en vrijwilligers samen in een ambassadeursnetwerk van 25 organisaties. Ondernemers zien in hun dagelijkse klantcontact veel mensen die misschien eenzaam zijn: wie vaker dan eens per dag een boodschap doet, wie om een praatje verlegen zit.

Wat de gemeente u biedt:
{aanbod}

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


def load(municipality: Municipality) -> None:
    """Demo content of this capability for one municipality (called inside its scope)."""
    for name, purpose, subject, body in TEMPLATES:
        EmailTemplate.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={"purpose": purpose, "subject": subject, "body": body},
        )
    if municipality.slug != "samenstad":
        return
    now = timezone.now()
    for email in ("lezer@samenstad.example", "buurtbewoner@samenstad.example"):
        NewsletterSubscriber.objects.get_or_create(
            municipality=municipality,
            email=email,
            defaults={"token": NewsletterSubscriber.new_token(), "confirmed_at": now},
        )
