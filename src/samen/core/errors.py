"""Error pages: HTML for people, application/problem+json (RFC 9457) under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem(
            500, _("Interne fout"), _("Er ging iets mis aan onze kant. Probeer het later opnieuw.")
        )
    return render(request, "500.html", status=500)
