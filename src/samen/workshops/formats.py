"""The three workshop formats of the VWS guide ("Handige hulpmiddelen", seed 001): for each
its phase, goal, audience, size and duration as the guide gives them, who is invited, and the
invitation mail. A new meeting is prefilled from here; the coordinator may change everything.

The guide gives no goal in so many words and no duration for the working session: its goal is
the guide's opening sentence, its duration (two hours) ours, and the page says so."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    COLLEAGUES = "colleagues", _("Oefening met ambtelijke collega's")
    INSPIRATION = "inspiration", _("Inspiratiebijeenkomst ondernemers")
    WORKING_SESSION = "working_session", _("Werksessie met partners")


class InviteeKind(models.TextChoices):
    COLLEAGUE = "colleague", _("Collega")
    PARTNER = "partner", _("Partner")


@dataclass(frozen=True)
class FormatInfo:
    phase: object  # the step of the five steps it belongs to
    goal: object
    audience: object
    participants: object
    duration_minutes: int
    duration_text: object  # as the guide says it
    question: object  # vraagstelling, thema or werkwijze
    outcome: object
    invitee: str  # InviteeKind
    subject: object
    message: object  # %(gemeente)s, %(datum)s, %(tijd)s filled in when the form opens


COLLEAGUES_MESSAGE = _(
    "Beste collega's,\n\n"
    "Het team Eén tegen eenzaamheid gaat stappen zetten in het betrekken van bedrijven bij de "
    "aanpak Eén tegen eenzaamheid in %(gemeente)s! Er is een plan van aanpak, we hebben actieve "
    "en betrokken maatschappelijke organisaties en zeer veel vrijwilligers die zich willen "
    "inzetten voor eenzame ouderen.\n\n"
    "Eenzaamheid is niet alleen een opgave voor het sociaal domein, maar leent zich juist goed "
    "om het fysieke en economische domein te verbinden. Er zijn elders in het land talloze "
    "inspirerende voorbeelden van bedrijven die gezegd hebben: wij doen mee.\n\n"
    "Graag willen we jullie uitnodigen jullie kennis en netwerken in te brengen. Denk aan "
    "bedrijven waarmee de gemeente een relatie heeft in het Werkgeversservicepunt of "
    "Werkgeversplein of bedrijven actief op de Beursvloer. Welke netwerken hebben jullie die "
    "we kunnen verbinden aan de aanpak tegen eenzaamheid?\n\n"
    "Op %(datum)s houden we een inspiratiesessie voor collega's waarvoor je van harte "
    "uitgenodigd bent. De ervaring leert dat je in gesprek vaak meer mogelijkheden ontdekt dan "
    "vanachter je bureau. We gaan dan met elkaar verkennen welke mogelijkheden en kansen er "
    "liggen in onze gemeente.\n\n"
    "Bel me gerust voor meer informatie, graag tot binnenkort,\n\n"
    "Met vriendelijke groet,\n%(afzender)s"
)

INSPIRATION_MESSAGE = _(
    "Geachte heer/mevrouw,\n\n"
    "Namens de gemeente %(gemeente)s nodig ik u uit voor een inspiratiebijeenkomst over de "
    "aanpak van eenzaamheid, op %(datum)s om %(tijd)s.\n\n"
    "Veel ondernemers doen al iets voor klanten, medewerkers of buurtbewoners die eenzaam zijn: "
    "een praatje aan de kassa, een ruimte voor een koffieochtend, een oogje in het zeil. In deze "
    "bijeenkomst laten ondernemers zien wat zij al doen en bedenken we samen nieuwe "
    "mogelijkheden die passen bij uw bedrijf. Niemand hoeft zich vast te leggen: meedoen is "
    "altijd vrijwillig.\n\n"
    "De bijeenkomst is voor directieleden, HR-managers, mvo-specialisten en anderen die in uw "
    "bedrijf of organisatie met dit thema bezig zijn. U bent van harte welkom, ook met een "
    "collega.\n\n"
    "Met vriendelijke groet,\n%(afzender)s"
)

WORKING_SESSION_MESSAGE = _(
    "Beste partner,\n\n"
    "Graag nodigen we u uit voor een werksessie van de lokale coalitie tegen eenzaamheid in "
    "%(gemeente)s, op %(datum)s om %(tijd)s.\n\n"
    "In deze werksessie gaan we in elkaars schoenen staan: aan verschillende tafels kijkt u als "
    "sportschool, winkeliersvereniging, actieve ouderengroep of welzijnsorganisatie naar de "
    "aanpak, en elke tafel presenteert zijn plannen op een poster. Zo begrijpen we beter wat "
    "ieders bijdrage is.\n\n"
    "Met vriendelijke groet,\n%(afzender)s"
)

FORMATS: dict[str, FormatInfo] = {
    Format.COLLEAGUES: FormatInfo(
        phase=_("voorbereiden"),
        goal=_(
            "Helder krijgen wat de gemeente meer kan bereiken wanneer ondernemers betrokken worden."
        ),
        audience=_("Collega-ambtenaren vanuit economisch, sociaal en ruimtelijk domein."),
        participants=_("8"),
        duration_minutes=60,
        duration_text=_("1 uur"),
        question=_(
            "Bij welke maatschappelijke ambities of eenzaamheidsdoelen in de gemeente hebben we "
            "voor de realisatie partnerships nodig? Maak een longlist van ondernemers en trechter "
            "naar een shortlist."
        ),
        outcome=_(
            "Een overzicht van potentiële partners (de longlist), met hun toegevoegde waarde in "
            "de 5 M's: mensen, middelen, massa, media en munten."
        ),
        invitee=InviteeKind.COLLEAGUE,
        subject=_("Uitnodiging: inspiratiesessie voor collega's over ondernemers en eenzaamheid"),
        message=COLLEAGUES_MESSAGE,
    ),
    Format.INSPIRATION: FormatInfo(
        phase=_("verbinden"),
        goal=_(
            "Helder krijgen wat ondernemers in een gemeente rond eenzaamheid kunnen doen aan "
            "activiteiten of initiatieven die aansluiten bij hun corebusiness."
        ),
        audience=_(
            "Vertegenwoordigers van bedrijven en organisaties uit de publieke, private en "
            "maatschappelijke sector uit de gemeente en regio: directieleden, HR-managers, leden "
            "OR, mvo-specialisten, projectleiders vitaliteit of langer thuis, "
            "gezondheidsmanagement."
        ),
        participants=_("20 tot 30"),
        duration_minutes=150,
        duration_text=_("2 tot 3 uur"),
        question=_(
            "Wat wordt de kern van de propositie in de gemeente: wat kan aan ondernemers gevraagd "
            "worden, en hoe kan dat gefaciliteerd worden?"
        ),
        outcome=_("Ideeën en initiatieven van ondernemers die passen bij hun corebusiness."),
        invitee=InviteeKind.PARTNER,
        subject=_("Uitnodiging: inspiratiebijeenkomst ondernemers tegen eenzaamheid"),
        message=INSPIRATION_MESSAGE,
    ),
    Format.WORKING_SESSION: FormatInfo(
        phase=_("verleiden"),
        goal=_(
            "De partners in elkaars schoenen laten staan en van elkaar laten begrijpen wat "
            "ieders bijdrage is."
        ),
        audience=_("Partners van de lokale coalitie tegen eenzaamheid."),
        participants=_("vier tafels"),
        duration_minutes=120,
        duration_text=_("niet genoemd in de handreiking; wij stellen 2 uur voor"),
        question=_(
            "Verdeel de deelnemers over vier tafels: een sportschool, een winkeliersvereniging, "
            "een actieve ouderengroep en de lokale welzijnsorganisatie. Elke tafel maakt een "
            "poster en presenteert zijn plannen aan de groep."
        ),
        outcome=_("Per tafel een poster met plannen: wie doet wat, met wie."),
        invitee=InviteeKind.PARTNER,
        subject=_("Uitnodiging: werksessie van de lokale coalitie tegen eenzaamheid"),
        message=WORKING_SESSION_MESSAGE,
    ),
}
