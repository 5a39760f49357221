"""Demo meetings: in Samenstad one of each of the guide's formats (the colleagues' exercise
behind us, with its outcome; the inspiration meeting in the agenda; the working session to
come), in Tweestad one inspiration meeting. Idempotent."""

import datetime as dt

from django.utils import timezone

from samen.core.models import Municipality

from . import services
from .formats import FORMATS, Format, InviteeKind
from .models import Invitation, Meeting


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A weekday about `days` from today (the next Tuesday or Thursday), not in the
    Christmas holidays."""
    day = timezone.localdate() + dt.timedelta(days=days)
    step = dt.timedelta(days=-1 if days < 0 else 1)
    while (
        day.weekday() not in (1, 3)
        or (day.month, day.day) >= (12, 20)
        or (day.month == 1 and day.day < 5)
    ):
        day += step
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _meeting(municipality: Municipality, format: str, title: str, **fields) -> Meeting:
    existing = Meeting.objects.filter(format=format, title=title).first()
    if existing is not None:
        return existing
    info = FORMATS[format]
    data = {"duration_minutes": info.duration_minutes, "goal": str(info.goal), **fields}
    return services.create_meeting(
        municipality=municipality, actor=None, format=format, data={"title": title, **data}
    )


def _invite(meeting: Meeting, rows: list[tuple[str, str, str]], kind: str) -> None:
    if meeting.invitations.exists():
        return
    now = timezone.now()
    info = meeting.info
    partners = {row["name"]: row["pk"] for row in services.partner_rows()}
    Invitation.objects.bulk_create(
        Invitation(
            municipality=meeting.municipality,
            meeting=meeting,
            email=email,
            name=name,
            kind=kind,
            partner_id=partners.get(name) if kind == InviteeKind.PARTNER else None,
            subject=str(info.subject),
            message="(demo)",
            status=status,
            created_at=now,
            sent_at=now,  # the demo sends no mail
            answered_at=None if status == Invitation.Status.INVITED else now,
        )
        for email, name, status in rows
    )


def load(municipality: Municipality) -> None:
    S = Invitation.Status
    if municipality.slug == "tweestad":
        _meeting(
            municipality,
            Format.INSPIRATION,
            "Ondernemersontbijt tegen eenzaamheid",
            starts_at=_at(35, 8),
            place="Bakkerij Het Korenschoofje",
            address="Dorpsstraat 2",
        )
        return
    if municipality.slug != "samenstad":
        return
    exercise = _meeting(
        municipality,
        Format.COLLEAGUES,
        "Oefening met collega's: wie kennen wij al?",
        starts_at=_at(-21, 10),
        place="Gemeentehuis Samenstad, zaal 2.14",
        address="Raadhuisplein 1",
        notes="Longlist op flappen, daarna trechteren met de tabel uit de handreiking.",
    )
    if not exercise.outcome:
        exercise.outcome = (
            "Longlist van 14 ondernemers, waarvan 5 op de shortlist. Economische Zaken kent de "
            "sportschool en het visrestaurant via het Werkgeversservicepunt; Ruimte noemt de "
            "winkeliersvereniging van het Marktplein.\n\n"
            "5 M's: mensen (medewerkers van de supermarkt), middelen (de zaal van het "
            "visrestaurant), massa (de ondernemersvereniging), media (huis-aan-huisblad) en "
            "munten (het Telecom Samenstad Fonds)."
        )
        exercise.save(update_fields=["outcome"])
    _invite(
        exercise,
        [
            ("p.devries@samenstad.example", "Peter de Vries (Economische Zaken)", S.ACCEPTED),
            ("a.yilmaz@samenstad.example", "Aylin Yılmaz (Werkgeversservicepunt)", S.ACCEPTED),
            ("m.bos@samenstad.example", "Marloes Bos (Ruimtelijke ordening)", S.ACCEPTED),
            ("r.smit@samenstad.example", "Rob Smit (Sociaal domein)", S.DECLINED),
        ],
        InviteeKind.COLLEAGUE,
    )
    inspiration = _meeting(
        municipality,
        Format.INSPIRATION,
        "Inspiratiebijeenkomst: ondernemers tegen eenzaamheid",
        starts_at=_at(12, 15, 30),
        place="Visrestaurant De Haven, grote zaal",
        address="Havenkade 8",
        postcode="9503EF",
        notes="Supermarkt De Buurtmarkt vertelt over de klets-kassa; wethouder opent.",
    )
    _invite(
        inspiration,
        [
            ("info@sportschool-in-beweging.example", "Sportschool In Beweging", S.ACCEPTED),
            ("info@apotheek-de-linde.example", "Apotheek De Linde", S.INVITED),
            ("info@supermarkt-de-buurtmarkt.example", "Supermarkt De Buurtmarkt", S.ACCEPTED),
        ],
        InviteeKind.PARTNER,
    )
    if inspiration.activity_id is None:
        services.publish(meeting=inspiration, actor=None)
    _meeting(
        municipality,
        Format.WORKING_SESSION,
        "Werksessie: in elkaars schoenen",
        starts_at=_at(40, 19),
        place="Buurthuis De Wissel",
        address="Wisselstraat 5",
    )
