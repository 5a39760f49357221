"""Demo activities: hand-entered ones from the guide's examples (klets-kassa, samen eten,
wandelvoetbal, Bij Betje-style coffee) and the library's imported iCalendar feed."""

import datetime as dt
from pathlib import Path

from django.utils import timezone

from samen.core.models import Municipality, Organisation

from . import services
from .calendar import AMSTERDAM
from .models import Activity

FIXTURES = Path(__file__).parent / "fixtures"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

SAMENSTAD = [
    # organisation, title, weekday, hour, minutes, rrule, categories, extra
    (
        "supermarkt-de-buurtmarkt",
        "Klets-kassa: even een praatje bij het afrekenen",
        1,
        9,
        180,
        "FREQ=WEEKLY",
        ["meeting"],
        {
            "description": "Op dinsdag- en donderdagochtend is kassa 1 de klets-kassa: hier is altijd tijd voor een praatje.",
            "venue": "Supermarkt De Buurtmarkt",
            "address": "Marktstraat 40",
            "postcode": "9501GH",
            "wheelchair": True,
        },
    ),
    (
        "visrestaurant-de-haven",
        "Samen eten aan de haven",
        2,
        17,
        120,
        "MONTHLY_NTH",
        ["eating", "meeting"],
        {
            "description": "Een warme maaltijd met buurtgenoten, eens per maand. Kosten € 5, vervoer kan geregeld worden.",
            "venue": "Visrestaurant De Haven",
            "address": "Havenkade 8",
            "postcode": "9503EF",
            "is_free": False,
            "cost": "5.00",
            "signup_required": True,
            "transport": True,
            "contact": "Bel 0599-123456",
            "wheelchair": True,
        },
    ),
    (
        "sportschool-in-beweging",
        "Wandelvoetbal voor 60-plussers",
        3,
        10,
        60,
        "FREQ=WEEKLY",
        ["exercise"],
        {
            "description": "Voetballen in wandeltempo. Geen ervaring nodig, wel zin in gezelligheid.",
            "venue": "Sportschool In Beweging",
            "address": "Sportlaan 12",
            "postcode": "9501AB",
        },
    ),
    (
        "sportschool-in-beweging",
        "Bewegen met Parkinson",
        4,
        14,
        60,
        "FREQ=WEEKLY",
        ["exercise"],
        {
            "description": "Beweeglessen onder begeleiding van een fysiotherapeut, voor mensen met Parkinson en hun naasten.",
            "venue": "Sportschool In Beweging",
            "address": "Sportlaan 12",
            "postcode": "9501AB",
            "wheelchair": True,
            "companion_welcome": True,
            "signup_required": True,
        },
    ),
    (
        "actieve-senioren-samenstad",
        "Breien & haken bij Buurthuis De Wissel",
        0,
        14,
        120,
        "FREQ=WEEKLY",
        ["creative", "meeting"],
        {
            "description": "Samen handwerken met koffie en koek. Wol is er genoeg.",
            "venue": "Buurthuis De Wissel",
            "address": "Wisselstraat 5",
            "postcode": "9502CD",
            "wheelchair": True,
            "hearing_loop": True,
        },
    ),
    (
        "welzijn-samenstad",
        "Spelletjesmiddag",
        4,
        14,
        150,
        "FREQ=WEEKLY;INTERVAL=2",
        ["games", "meeting"],
        {
            "description": "Sjoelen, rummikub en klaverjassen. Kom gerust alleen, u zit zo aan tafel.",
            "venue": "Buurthuis De Wissel",
            "address": "Wisselstraat 5",
            "postcode": "9502CD",
        },
    ),
    (
        "apotheek-de-linde",
        "Spreekuur medicijngebruik",
        2,
        10,
        60,
        "MONTHLY_NTH",
        ["advice"],
        {
            "description": "Vragen over uw medicijnen? De apotheker neemt de tijd voor u.",
            "venue": "Apotheek De Linde",
            "address": "Lindeplein 3",
            "postcode": "9502CD",
        },
    ),
]
TWEESTAD = [
    (
        "welzijn-tweestad",
        "Inloopochtend Tweestad",
        2,
        10,
        120,
        "FREQ=WEEKLY",
        ["meeting"],
        {
            "venue": "Wijkcentrum Tweestad",
            "postcode": "8201CD",
            "description": "Koffie, thee en een luisterend oor.",
        },
    ),
]


def _first(weekday: int, hour: int) -> dt.datetime:
    today = timezone.localdate()
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=AMSTERDAM)


def load(municipality: Municipality) -> None:
    rows = SAMENSTAD if municipality.slug == "samenstad" else TWEESTAD
    for slug, title, weekday, hour, minutes, rrule, categories, extra in rows:
        organisation = Organisation.objects.get(slug=slug)
        if Activity.objects.filter(organisation=organisation, title=title).exists():
            continue
        starts = _first(weekday, hour)
        if rrule == "MONTHLY_NTH":
            rrule = f"FREQ=MONTHLY;BYDAY={(starts.day - 1) // 7 + 1}{WEEKDAYS[weekday]}"
        elif rrule.startswith("FREQ=WEEKLY"):
            rrule += f";BYDAY={WEEKDAYS[weekday]}"
        data = {
            "title": title,
            "categories": categories,
            "audience": ["older"],
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(minutes=minutes),
            "rrule": rrule,
            **extra,
        }
        activity = Activity(municipality=municipality, organisation=organisation)
        services.save_activity(activity=activity, actor=None, data=data)
    if municipality.slug == "samenstad":
        library = Organisation.objects.get(slug="bibliotheek-samenstad")
        library.postcode = library.postcode or "9501GH"
        library.save(update_fields=["postcode"])
        feed = services.add_feed(
            organisation=library, url=str(FIXTURES / "bibliotheek-samenstad.ics")
        )
        services.import_feed(feed=feed, local_files=True)
