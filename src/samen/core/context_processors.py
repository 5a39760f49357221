from django.conf import settings
from django.http import HttpRequest


def samen(request: HttpRequest) -> dict:
    return {
        "municipality": getattr(request, "municipality", None),
        "role": getattr(request, "role", None),
        "demo": settings.DEMO,
    }
