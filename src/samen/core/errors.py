"""Error pages: HTML for people, application/problem+json (RFC 9457) under /api/."""

import logging
import sys

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# The database is down, restarting or dropped the connection: a passing state, not a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
logger = logging.getLogger("samen.errors")


class Conflict(ValidationError):
    """The request is well formed but clashes with the current state (a case that cannot move
    to that status, a decision already taken, a duplicate): the API answers 409, forms show
    it like any other error."""


def problem(status: int, title: str, detail: str = "", **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
    body.update(extra)
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem(
            404, _("Niet gevonden"), _("Deze bron bestaat niet of is niet voor u zichtbaar.")
        )
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem(403, _("Geen toegang"), _("U hebt geen recht op deze handeling."))
    return render(request, "403.html", status=403)


def database_unavailable(request: HttpRequest, exception=None) -> HttpResponse:
    """503 with Retry-After, rendered without touching the database (no session, no user).
    The API hands over the exception (Django logs the others with their traceback)."""
    if exception is not None:
        logger.warning("Database unavailable: %s", exception)
    response: HttpResponse
    if _is_api(request):
        response = problem(
            503,
            _("Tijdelijk niet beschikbaar"),
            _("De dienst is even niet bereikbaar. Probeer het over enkele seconden opnieuw."),
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """A request Django refuses before any view runs (too many fields, a body over the limit)."""
    from django.core.exceptions import RequestDataTooBig
    from django.views.defaults import bad_request as django_bad_request

    if not _is_api(request):
        return django_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return problem(413, _("Te groot"), _("De inhoud is groter dan wij aannemen."))
    return problem(400, _("Ongeldige invoer"), _("Dit verzoek kunnen we niet lezen."))


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if _is_api(request):
        return problem(
            500, _("Interne fout"), _("Er ging iets mis aan onze kant. Probeer het later opnieuw.")
        )
    return render(request, "500.html", status=500)
