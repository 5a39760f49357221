"""Demo volunteering: Samenstad's company programme, employees and MDT youngsters, and needs
of the welfare organisation, the elderly group, the library and the museum. Idempotent."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from samen.core.models import Membership, Municipality, Organisation, User
from samen.core.roles import Role

from .models import Need, Programme, Volunteer, hash_token, new_token

WELFARE_USER = ("welzijn", "Anouk", "Meijer", Role.PARTNER, "welzijn-samenstad")

EMPLOYEES = [
    # first, last, postcode, km, availability, soft skills, interests, skills, languages, vog
    (
        "Daan",
        "de Jong",
        "9501CD",
        5,
        ["tue_pm", "thu_pm"],
        ["empathy", "patience", "listening"],
        ["elderly", "games"],
        ["driving"],
        ["nl", "en"],
        "valid",
    ),
    (
        "Sanne",
        "Bos",
        "9503KL",
        8,
        ["sat_pm", "wed_pm"],
        ["social", "enthusiasm", "patience"],
        ["culture", "food"],
        ["guiding", "art"],
        ["nl", "en"],
        "none",
    ),
    (
        "Mehmet",
        "Yılmaz",
        "9502AB",
        10,
        ["wed_am", "tue_am", "wed_pm"],
        ["patience", "listening", "humour"],
        ["newcomers", "reading"],
        ["language_teaching", "digital"],
        ["nl", "tr", "en"],
        "none",
    ),
    (
        "Eva",
        "Smit",
        "9504GH",
        6,
        ["mon_am", "thu_am", "fri_pm"],
        ["encouraging", "enthusiasm", "reliability"],
        ["sport", "nature"],
        ["sport", "first_aid"],
        ["nl"],
        "requested",
    ),
]
LOTTE = (
    "Lotte",
    "Visser",
    "9501GH",
    5,
    ["tue_pm", "fri_am", "wed_pm"],
    ["empathy", "listening", "calm"],
    ["elderly", "technology"],
    ["digital"],
    ["nl", "en"],
    "valid",
)
MDT_YOUTH = [
    # first, last, age, consent, postcode, km, availability, soft, interests, skills, languages
    (
        "Noor",
        "El Idrissi",
        17,
        False,
        "9502CD",
        5,
        ["wed_pm", "sat_pm"],
        ["empathy", "social", "humour"],
        ["elderly", "food"],
        ["cooking"],
        ["nl", "ar"],
    ),
    (
        "Jesse",
        "Kramer",
        15,
        True,
        "9501AB",
        4,
        ["wed_pm", "fri_pm"],
        ["enthusiasm", "encouraging"],
        ["sport", "games"],
        ["sport"],
        ["nl"],
    ),
    (
        "Lisa",
        "de Graaf",
        22,
        False,
        "9503EF",
        10,
        ["sat_pm", "tue_am", "wed_am"],
        ["patience", "listening", "social"],
        ["culture", "newcomers"],
        ["guiding", "language_teaching"],
        ["nl", "en", "uk"],
    ),
]

NEEDS = [
    # organisation, kind, title, description, extra fields
    (
        "welzijn-samenstad",
        Need.Kind.BUDDY,
        "Maatje voor een oudere in Samenstad-Noord",
        "Een mevrouw van 84 woont sinds het overlijden van haar man alleen en komt weinig buiten. "
        "Ze zoekt iemand om elke week een kopje koffie mee te drinken en een stukje te wandelen.",
        {
            "soft_skills": ["empathy", "patience", "listening"],
            "interests": ["elderly"],
            "half_days": ["tue_pm", "thu_pm"],
            "recurring": True,
            "schedule": "Elke week, dinsdag- of donderdagmiddag",
            "postcode": "9501AB",
            "place": "Samenstad-Noord",
            "min_age": 18,
            "vog_required": True,
            "volunteers_needed": 1,
            "contact_name": "Anouk Meijer",
        },
    ),
    (
        "museum-het-pakhuis",
        Need.Kind.MUSEUM,
        "Begeleiders voor de rondleiding 'Samen naar het museum'",
        "Mensen voor wie een uitje niet vanzelf spreekt, komen een middag naar het museum. "
        "U haalt ze op bij de ingang, loopt mee met de rondleiding en drinkt daarna samen koffie.",
        {
            "soft_skills": ["social", "patience", "enthusiasm"],
            "interests": ["culture", "elderly"],
            "skills": ["guiding"],
            "half_days": ["sat_pm"],
            "schedule": "Zaterdagmiddag, eens per maand",
            "postcode": "9503EF",
            "place": "Museum Het Pakhuis, Havenkade",
            "min_age": 16,
            "volunteers_needed": 3,
            "contact_name": "Pieter Hendriks",
        },
    ),
    (
        "actieve-senioren-samenstad",
        Need.Kind.MEAL,
        "Helpen bij de buurtmaaltijd",
        "Elke woensdag eten dertig buurtbewoners samen. We zoeken hulp bij het koken, tafels dekken "
        "en vooral: aanschuiven en een praatje maken.",
        {
            "soft_skills": ["social", "humour"],
            "interests": ["food", "elderly"],
            "skills": ["cooking"],
            "half_days": ["wed_pm"],
            "recurring": True,
            "schedule": "Woensdag van 16 tot 19 uur",
            "postcode": "9502CD",
            "place": "Buurthuis De Wissel",
            "min_age": 14,
            "volunteers_needed": 4,
            "contact_name": "Gerda Postma",
            "hours_per_match": 3,
        },
    ),
    (
        "actieve-senioren-samenstad",
        Need.Kind.WALKING_FOOTBALL,
        "Begeleider walking voetbal",
        "Walking voetbal voor 60-plussers: wandelend voetballen, daarna koffie in de kantine. "
        "We zoeken iemand die aanmoedigt, ballen klaarzet en een oogje in het zeil houdt.",
        {
            "soft_skills": ["encouraging", "enthusiasm", "reliability"],
            "interests": ["sport"],
            "skills": ["sport", "first_aid"],
            "half_days": ["mon_am", "thu_am"],
            "recurring": True,
            "schedule": "Maandag- en donderdagochtend",
            "postcode": "9504GH",
            "place": "Sportpark Zuid",
            "min_age": 16,
            "volunteers_needed": 2,
            "contact_name": "Kees de Boer",
        },
    ),
    (
        "bibliotheek-samenstad",
        Need.Kind.LANGUAGE,
        "Taalmaatje voor een nieuwkomer",
        "Samen Nederlands oefenen in de bibliotheek: boodschappen doen, een brief lezen, kletsen. "
        "Geduld is belangrijker dan grammatica.",
        {
            "soft_skills": ["patience", "listening"],
            "interests": ["newcomers", "reading"],
            "skills": ["language_teaching"],
            "languages": ["nl"],
            "half_days": ["tue_am", "wed_am"],
            "recurring": True,
            "schedule": "Een ochtend per week",
            "postcode": "9501AB",
            "place": "Bibliotheek Samenstad",
            "min_age": 16,
            "volunteers_needed": 2,
            "contact_name": "Marieke Jansen",
        },
    ),
    (
        "bibliotheek-samenstad",
        Need.Kind.OTHER,
        "Digicafé: ouderen helpen met de tablet",
        "In het digicafé helpen we ouderen met videobellen met de kleinkinderen, de bank-app en de "
        "DigiD. Jong of oud: iedereen met geduld is welkom.",
        {
            "soft_skills": ["patience", "calm"],
            "interests": ["elderly", "technology"],
            "skills": ["digital"],
            "half_days": ["fri_am", "wed_pm"],
            "schedule": "Vrijdagochtend",
            "postcode": "9501AB",
            "place": "Bibliotheek Samenstad",
            "min_age": 12,
            "volunteers_needed": 2,
            "contact_name": "Marieke Jansen",
        },
    ),
]

TWEESTAD_NEEDS = [
    (
        "welzijn-tweestad",
        Need.Kind.BUDDY,
        "Maatje voor een oudere in Tweestad",
        "Meneer van 79 zoekt iemand om samen te wandelen en de krant te bespreken.",
        {
            "soft_skills": ["empathy", "listening"],
            "interests": ["elderly"],
            "postcode": "8201CD",
            "min_age": 18,
            "vog_required": True,
            "contact_name": "Henk Mulder",
        },
    ),
]


def _user(municipality, username, first, last, role, org_slug):
    """Like core/demo.py: an idempotent demo login with the demo password."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@samen.example"},
    )
    if created:
        user.set_password(settings.SAMEN_DEMO_PASSWORD)
        user.save(update_fields=["password"])
    organisation = Organisation.objects.get(slug=org_slug) if org_slug else None
    Membership.objects.update_or_create(
        user=user, municipality=municipality, defaults={"role": role, "organisation": organisation}
    )
    return user


def _volunteer(municipality, email, defaults):
    if Volunteer.objects.filter(email=email).exists():
        return
    Volunteer.objects.create(
        municipality=municipality, email=email, token_hash=hash_token(new_token()), **defaults
    )


def _needs(municipality, rows):
    for org_slug, kind, title, description, extra in rows:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            continue
        Need.objects.get_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "municipality": municipality,
                "kind": kind,
                "description": description,
                "source": Need.Source.DEMO,
                "contact_email": f"info@{org_slug}.example",
                **extra,
            },
        )


def load(municipality: Municipality) -> None:
    """Demo content of this capability for one municipality (called inside its scope)."""
    if municipality.slug == "tweestad":
        _needs(municipality, TWEESTAD_NEEDS)
        return
    if municipality.slug != "samenstad":
        return
    _user(municipality, *WELFARE_USER)
    fund = Organisation.objects.filter(slug="telecom-samenstad-fonds").first()
    if fund is None:
        return
    year = timezone.localdate().year
    programme, _created = Programme.objects.get_or_create(
        organisation=fund,
        name="Telecom Samenstad Fonds: Mooiste Contact",
        defaults={
            "municipality": municipality,
            "half_days_per_employee": 2,
            "period_start": dt.date(year, 1, 1),
            "period_end": dt.date(year, 12, 31),
            "email_domain": "telecom-samenstad.example",
        },
    )
    lotte = User.objects.filter(username="volunteer").first()
    first, last, postcode, km, avail, soft, interests, skills, languages, vog = LOTTE
    if lotte is not None and not Volunteer.objects.filter(user=lotte).exists():
        _volunteer(
            municipality,
            "volunteer@samen.example",
            {
                "user": lotte,
                "kind": Volunteer.Kind.EMPLOYEE,
                "programme": programme,
                "first_name": first,
                "last_name": last,
                "postcode": postcode,
                "max_distance_km": km,
                "availability": avail,
                "soft_skills": soft,
                "interests": interests,
                "skills": skills,
                "languages": languages,
                "vog": vog,
            },
        )
    for first, last, postcode, km, avail, soft, interests, skills, languages, vog in EMPLOYEES:
        email = f"{first}.{last}".lower().replace(" ", "").replace("ı", "i")
        _volunteer(
            municipality,
            f"{email}@telecom-samenstad.example",
            {
                "kind": Volunteer.Kind.EMPLOYEE,
                "programme": programme,
                "first_name": first,
                "last_name": last,
                "postcode": postcode,
                "max_distance_km": km,
                "availability": avail,
                "soft_skills": soft,
                "interests": interests,
                "skills": skills,
                "languages": languages,
                "vog": vog,
            },
        )
    today = timezone.localdate()
    for (
        first,
        last,
        age,
        consent,
        postcode,
        km,
        avail,
        soft,
        interests,
        skills,
        languages,
    ) in MDT_YOUTH:
        email = f"{first}.{last}".lower().replace(" ", "")
        _volunteer(
            municipality,
            f"{email}@mdt.example",
            {
                "kind": Volunteer.Kind.MDT,
                "first_name": first,
                "last_name": last,
                "date_of_birth": today.replace(year=today.year - age, day=1)
                - dt.timedelta(days=40),
                # the demo's parents confirmed by the link (services.confirm_parent)
                "parent_confirmed_at": timezone.now() if consent else None,
                "parent_name": "Ouder van " + first if consent else "",
                "parent_email": f"ouder.{email}@mdt.example" if consent else "",
                "postcode": postcode,
                "max_distance_km": km,
                "availability": avail,
                "soft_skills": soft,
                "interests": interests,
                "skills": skills,
                "languages": languages,
            },
        )
    _needs(municipality, NEEDS)
