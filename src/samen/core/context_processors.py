from django.conf import settings
from django.http import HttpRequest

from . import capabilities


def samen(request: HttpRequest) -> dict:
    municipality = getattr(request, "municipality", None)
    return {
        "municipality": municipality,
        "role": getattr(request, "role", None),
        "demo": settings.DEMO,
        # The capabilities' entries in the main menu (base.html).
        "navigation": (
            capabilities.navigation(municipality, getattr(request, "user", None))
            if municipality is not None
            else []
        ),
    }
