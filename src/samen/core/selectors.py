from django.utils.module_loading import import_string

from samen.concerns.selectors import staff_summary as concerns_summary

from .models import Municipality, Organisation

# Each capability may put a card on the staff home: a function (municipality, user) returning
# None or {"title": str, "figure": int|str, "label": str, "links": [{"text": str, "url": str}]}.
STAFF_CARDS = [
    "samen.activities.selectors.staff_card",
    "samen.partners.selectors.staff_card",
    "samen.volunteering.selectors.staff_card",
    "samen.impact.selectors.staff_card",
]


def _cards(municipality: Municipality, user) -> list[dict]:
    cards = []
    for path in STAFF_CARDS:
        try:
            provider = import_string(path)
        except ImportError:
            continue
        card = provider(municipality, user)
        if card:
            cards.append(card)
    return cards


def staff_home_figures(municipality: Municipality, user) -> dict:
    """What a staff user sees first: a few counts of their own municipality, per capability."""
    return {
        "organisations": Organisation.objects.count(),
        "ambassadors": Organisation.objects.filter(is_ambassador=True).count(),
        "concerns": concerns_summary(municipality, user),
        "cards": _cards(municipality, user),
    }
