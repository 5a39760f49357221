"""Demo partners: Samenstad's workshop case (the sports school, the pharmacy, the fish
restaurant and the supermarket) at different steps, with contacts, the supermarket's 5 M's,
one cooperation in the register. The e-mail templates are in `samen.outreach.demo`."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from samen.core.models import Municipality, Organisation, User

from . import offer, services
from .models import (
    ContactLog,
    Contribution,
    HoldChange,
    Partner,
    Step,
    StepChange,
)

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
    services.weights_for(municipality)
    offer.points(municipality)  # the guide's offer to businesses, to edit
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
    imported = _at(45)  # the longlist file of the kernteam
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
            created_at=imported,
            **{c: True for c in criteria},
        )
        StepChange.objects.create(
            municipality=municipality,
            partner=partner,
            to_step=Step.PREPARE,
            actor=coordinator,
            at=imported,
        )

    _guide_tools(municipality, coordinator, supermarket)


def _guide_tools(
    municipality: Municipality, coordinator: User | None, supermarket: Partner
) -> None:
    """The first business in the ambassador network, a hairdresser on hold after a doubtful
    first talk ("bij twijfel: niet doen") and a bakery a year in the coalition this week."""
    Organisation.objects.filter(pk=supermarket.organisation_id).update(is_ambassador=True)

    hairdresser = Partner.objects.get(organisation__name="Kapsalon Knipoog")
    talk = _at(21, 11)
    StepChange.objects.create(
        municipality=municipality,
        partner=hairdresser,
        from_step=Step.PREPARE,
        to_step=Step.CONNECT,
        actor=coordinator,
        at=talk,
    )
    ContactLog.objects.create(
        municipality=municipality,
        partner=hairdresser,
        kind="visit",
        at=talk,
        by=coordinator,
        summary="Kennisgemaakt met de eigenaar. Vindt het een mooi doel, maar twijfelt: "
        "druk met de verbouwing en weet niet of klanten het prettig vinden.",
        starter=["contact", "target_group"],
    )
    services._touch(hairdresser, "visit", talk)
    reason = (
        "Eigenaar twijfelt na het eerste gesprek en heeft het druk met de verbouwing. "
        "Bij twijfel: niet doen. Na de zomer opnieuw langsgaan."
    )
    on_hold = _at(20, 9)
    Partner.objects.filter(pk=hairdresser.pk).update(
        step=Step.CONNECT,
        step_changed_at=talk,
        account_holder=coordinator,
        on_hold_since=on_hold,
        on_hold_reason=reason,
    )
    HoldChange.objects.create(
        municipality=municipality,
        partner=hairdresser,
        on_hold=True,
        reason=reason,
        actor=coordinator,
        at=on_hold,
    )

    organisation = Organisation.objects.create(
        municipality=municipality,
        slug=services._unique_slug("Bakkerij Vers van Bakker"),
        name="Bakkerij Vers van Bakker",
        kind=Organisation.Kind.SHOP,
        address="Marktplein 2",
        email="info@bakkerij-vers-van-bakker.example",
    )
    since = timezone.localdate() - dt.timedelta(days=368)
    bakery = Partner.objects.create(
        municipality=municipality,
        organisation=organisation,
        sector="retail",
        daily_routes=["groceries"],
        image_ok=True,
        warm_contact=True,
        fits_goals=True,
        step=Step.RETAIN,
        step_changed_at=_at(368),
        account_holder=coordinator,
        contact_name="Petra van Dijk",
        contact_email=organisation.email,
        roles=["hospitable", "community"],
        public_description="Elke woensdagochtend koffie en een praatje aan de leestafel voor "
        "ouderen uit de buurt.",
        source="hand",
        created_at=_at(420),
    )
    for n, to_step in enumerate([Step.PREPARE, Step.CONNECT, Step.PERSUADE, Step.RETAIN]):
        StepChange.objects.create(
            municipality=municipality,
            partner=bakery,
            from_step=[Step.PREPARE, Step.CONNECT, Step.PERSUADE][n - 1] if n else "",
            to_step=to_step,
            actor=coordinator,
            at=_at(420 - 17 * n),
        )
    ContactLog.objects.create(
        municipality=municipality,
        partner=bakery,
        kind="call",
        at=_at(30, 15),
        by=coordinator,
        summary="Petra gebeld: de leestafel loopt goed, elke week 8 tot 12 ouderen.",
    )
    services._touch(bakery, "call", _at(30, 15))
    Contribution.objects.create(
        municipality=municipality,
        partner=bakery,
        m="means",
        description="Leestafel met koffie op woensdagochtend",
        started_on=since,
        created_by=coordinator,
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
