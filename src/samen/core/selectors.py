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


def accounts(municipality: Municipality) -> list:
    """The municipality's members with their role and whether two-factor login is set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import Membership

    memberships = list(
        Membership.objects.filter(municipality=municipality)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    with_device = set(
        TOTPDevice.objects.filter(
            user__in=[m.user_id for m in memberships], confirmed=True
        ).values_list("user_id", flat=True)
    )
    for membership in memberships:
        membership.has_second_factor = membership.user_id in with_device
    return memberships
