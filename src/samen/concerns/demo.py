"""Demo concerns: a few realistic reports so the caseworker's queue is not empty."""

from samen.core.models import Municipality

from . import services
from .models import Report

SAMENSTAD = [
    {
        "signs": ["curtains_closed", "mail_piling"],
        "description": "Bij meneer op nummer 14 zijn de gordijnen al een week dicht en de brievenbus puilt uit. Normaal zwaait hij altijd.",
        "postcode": "9501AB",
        "house_number": "14",
        "street": "Sportlaan",
        "relation": "delivery",
        "reporter_type": "delivery",
    },
    {
        "signs": ["frequent_visits", "talks_alone"],
        "description": "Mevrouw komt vier, vijf keer per dag in de winkel voor één ding en blijft dan lang praten. Ze zegt dat ze niemand meer heeft sinds haar man is overleden.",
        "postcode": "9501GH",
        "house_number": "3",
        "relation": "customer",
        "reporter_type": "shop",
        "person_name": "mevrouw De Boer",
    },
    {
        "signs": ["unkempt", "no_groceries"],
        "description": "Klant haalt haar medicijnen niet meer op en zag er de laatste keer onverzorgd uit.",
        "postcode": "9501GH",
        "house_number": "3",
        "relation": "client",
        "reporter_type": "pharmacy",
    },
    {
        "signs": ["pyjamas", "withdrawn"],
        "description": "Buurman doet 's middags in pyjama open en komt bijna niet meer buiten.",
        "location_description": "Benedenwoning naast de bakker aan het Marktplein",
        "relation": "neighbour",
        "reporter_type": "neighbour",
    },
]
TWEESTAD = [
    {
        "signs": ["house_neglected"],
        "description": "De tuin is helemaal verwilderd en er brandt 's avonds geen licht meer.",
        "postcode": "8201CD",
        "house_number": "22",
        "relation": "neighbour",
        "reporter_type": "neighbour",
    },
]


def load(municipality: Municipality) -> None:
    if Report.objects.exists():
        return
    rows = SAMENSTAD if municipality.slug == "samenstad" else TWEESTAD
    for row in rows:
        data = {"person_aware": "unknown", **row}
        services.submit_report(municipality=municipality, data=data, source="demo")
