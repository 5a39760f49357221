from samen.concerns.selectors import staff_summary as concerns_summary

from .models import Municipality, Organisation


def staff_home_figures(municipality: Municipality, user) -> dict:
    """What a staff user sees first: a few counts of their own municipality, per capability."""
    return {
        "organisations": Organisation.objects.count(),
        "ambassadors": Organisation.objects.filter(is_ambassador=True).count(),
        "concerns": concerns_summary(municipality, user),
    }
