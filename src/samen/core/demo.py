"""Demo data: Samenstad (the workshop case of the VWS guide) and Tweestad. Idempotent."""

from django.conf import settings
from django.db import transaction

from . import capabilities
from .models import Membership, Municipality, Organisation, User
from .roles import Role
from .tenancy import municipality_scope

Kind = Organisation.Kind

# The guide's case: "Hoe breid ik het ambassadeursnetwerk uit met bedrijven zoals de
# sportschool, de apotheek, het visrestaurant en de supermarkt?"
SAMENSTAD_BUSINESSES = [
    (
        "sportschool-in-beweging",
        "Sportschool In Beweging",
        Kind.SPORT,
        "Sportlaan 12",
        "9501AB",
        "Inclusieve sportschool met lessen voor senioren en mensen met Parkinson.",
    ),
    (
        "apotheek-de-linde",
        "Apotheek De Linde",
        Kind.PHARMACY,
        "Lindeplein 3",
        "9502CD",
        "Apotheek in het centrum; ziet veel oudere klanten wekelijks.",
    ),
    (
        "visrestaurant-de-haven",
        "Visrestaurant De Haven",
        Kind.HOSPITALITY,
        "Havenkade 8",
        "9503EF",
        "Visrestaurant aan de haven met een grote zaal voor een buurtmaaltijd.",
    ),
    (
        "supermarkt-de-buurtmarkt",
        "Supermarkt De Buurtmarkt",
        Kind.SHOP,
        "Marktstraat 40",
        "9501GH",
        "Buurtsupermarkt met een klets-kassa op dinsdag en donderdag.",
    ),
    (
        "telecom-samenstad-fonds",
        "Telecom Samenstad Fonds",
        Kind.FOUNDATION,
        "Stationsweg 100",
        "9504KL",
        "Bedrijfsfonds: medewerkers doen twee halve dagen per jaar vrijwilligerswerk in werktijd.",
    ),
]

# The ambassador network of 25 organisations (zorg, cultuur, welzijn, ouderenorganisatie).
SAMENSTAD_AMBASSADORS = [
    ("welzijn-samenstad", "Welzijn Samenstad", Kind.WELFARE),
    ("actieve-senioren-samenstad", "Actieve Senioren Samenstad", Kind.ELDERLY),
    ("bibliotheek-samenstad", "Bibliotheek Samenstad", Kind.LIBRARY),
    ("thuiszorg-de-zorgzame-buur", "Thuiszorg De Zorgzame Buur", Kind.CARE),
    ("wijkverpleging-samenstad-noord", "Wijkverpleging Samenstad-Noord", Kind.CARE),
    ("huisartsenpraktijk-het-anker", "Huisartsenpraktijk Het Anker", Kind.CARE),
    ("zorgcentrum-de-wilgenhof", "Zorgcentrum De Wilgenhof", Kind.CARE),
    ("mantelzorgpunt-samenstad", "Mantelzorgpunt Samenstad", Kind.CARE),
    ("ggz-samenstad", "GGZ-team Samenstad", Kind.CARE),
    ("theater-de-schouwburg", "Theater De Schouwburg", Kind.CULTURE),
    ("muziekschool-samenstad", "Muziekschool Samenstad", Kind.CULTURE),
    ("historische-vereniging-oud-samenstad", "Historische Vereniging Oud-Samenstad", Kind.CULTURE),
    ("museum-het-pakhuis", "Museum Het Pakhuis", Kind.CULTURE),
    ("buurthuis-de-wissel", "Buurthuis De Wissel", Kind.WELFARE),
    ("vrijwilligerscentrale-samenstad", "Vrijwilligerscentrale Samenstad", Kind.WELFARE),
    ("humanitas-samenstad", "Humanitas Samenstad", Kind.WELFARE),
    ("rode-kruis-samenstad", "Rode Kruis afdeling Samenstad", Kind.WELFARE),
    ("voedselbank-samenstad", "Voedselbank Samenstad", Kind.WELFARE),
    ("vluchtelingenwerk-samenstad", "VluchtelingenWerk Samenstad", Kind.WELFARE),
    ("kbo-samenstad", "KBO Samenstad", Kind.ELDERLY),
    ("pcob-samenstad", "PCOB Samenstad", Kind.ELDERLY),
    ("seniorenraad-samenstad", "Seniorenraad Samenstad", Kind.ELDERLY),
    ("ouderenbond-zuid", "Ouderenbond Samenstad-Zuid", Kind.ELDERLY),
    ("protestantse-gemeente-samenstad", "Protestantse Gemeente Samenstad", Kind.FAITH),
    ("parochie-sint-jan", "Parochie Sint Jan", Kind.FAITH),
]

TWEESTAD_ORGANISATIONS = [
    ("welzijn-tweestad", "Stichting Welzijn Tweestad", Kind.WELFARE, True),
    ("bibliotheek-tweestad", "Bibliotheek Tweestad", Kind.LIBRARY, True),
    ("bakkerij-het-korenschoofje", "Bakkerij Het Korenschoofje", Kind.SHOP, False),
]

SAMENSTAD_USERS = [
    # username, first name, last name, role, organisation slug
    ("coordinator", "Fatima", "El Amrani", Role.COORDINATOR, None),
    ("caseworker", "Joost", "de Vries", Role.CASEWORKER, "welzijn-samenstad"),
    ("partner", "Marieke", "Jansen", Role.PARTNER, "bibliotheek-samenstad"),
    ("programme", "Sander", "Bakker", Role.PROGRAMME, "telecom-samenstad-fonds"),
    ("volunteer", "Lotte", "Visser", Role.VOLUNTEER, "telecom-samenstad-fonds"),
    ("fg", "Noor", "Hendriks", Role.PRIVACY_OFFICER, None),
]
TWEESTAD_USERS = [
    ("caseworker-tweestad", "Henk", "Mulder", Role.CASEWORKER, "welzijn-tweestad"),
]


def _user(municipality, username, first, last, role, org_slug):
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


# Invitations the coordinator sent that wait for an answer (their links are not known).
SAMENSTAD_INVITATIONS = [
    ("i.visser@samenstad.example", "Ilse", "Visser", Role.CASEWORKER, None),
    (
        "t.degroot@bibliotheek-samenstad.example",
        "Tim",
        "de Groot",
        Role.PARTNER,
        "bibliotheek-samenstad",
    ),
]


def _invitations(municipality):
    import datetime as dt
    import secrets

    from django.utils import timezone

    from .models import Invitation, hash_token

    coordinator = User.objects.filter(username="coordinator").first()
    now = timezone.now()
    for email, first, last, role, org_slug in SAMENSTAD_INVITATIONS:
        Invitation.objects.get_or_create(
            municipality=municipality,
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "organisation": Organisation.objects.filter(slug=org_slug).first()
                if org_slug
                else None,
                "token_hash": hash_token("invitation:" + secrets.token_urlsafe(32)),
                "created_by": coordinator,
                "created_at": now - dt.timedelta(days=2),
                "sent_at": now - dt.timedelta(days=2),
                "expires_at": now + dt.timedelta(days=Invitation.VALID_DAYS - 2),
            },
        )


@transaction.atomic
def load() -> dict[str, Municipality]:
    samenstad, _ = Municipality.objects.update_or_create(
        slug="samenstad",
        defaults={"name": "Samenstad", "contact_email": "eenzaamheid@samenstad.example"},
    )
    tweestad, _ = Municipality.objects.update_or_create(
        slug="tweestad", defaults={"name": "Tweestad", "contact_email": "welzijn@tweestad.example"}
    )
    with municipality_scope(samenstad):
        for slug, name, kind, address, postcode, description in SAMENSTAD_BUSINESSES:
            Organisation.objects.update_or_create(
                municipality=samenstad,
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "address": address,
                    "postcode": postcode,
                    "description": description,
                    "email": f"info@{slug}.example",
                },
            )
        for slug, name, kind in SAMENSTAD_AMBASSADORS:
            Organisation.objects.update_or_create(
                municipality=samenstad,
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "is_ambassador": True,
                    "email": f"info@{slug}.example",
                    "website": f"https://{slug}.example",
                },
            )
        for row in SAMENSTAD_USERS:
            _user(samenstad, *row)
        _invitations(samenstad)
    with municipality_scope(tweestad):
        for slug, name, kind, ambassador in TWEESTAD_ORGANISATIONS:
            Organisation.objects.update_or_create(
                municipality=tweestad,
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "is_ambassador": ambassador,
                    "email": f"info@{slug}.example",
                },
            )
        for row in TWEESTAD_USERS:
            _user(tweestad, *row)

    # Each capability adds its own demo content (registered in its AppConfig).
    for municipality in (samenstad, tweestad):
        with municipality_scope(municipality):
            capabilities.load_demo(municipality)
    return {"samenstad": samenstad, "tweestad": tweestad}
