from collections.abc import Callable

from corsheaders.middleware import CorsMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from samen import API_VERSION

# No inline scripts or styles anywhere: everything comes from our own static files.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response


class ApiVersionMiddleware:
    """Every API response says its full version (NLGov API Design Rules /core/version-header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["API-Version"] = API_VERSION
        return response


class AdminScopeMiddleware:
    """Django's admin is for platform superusers and spans municipalities: lift the scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/"):
            from django_scopes import scopes_disabled

            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)


class LanguageMiddleware:
    """Dutch unless the visitor chose English with the language switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many Dutch
    residents run an English browser and expect their municipality's site in Dutch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PublicCorsMiddleware(CorsMiddleware):
    """django-cors-headers for the public operations (CORS_URLS_REGEX), but never for a request
    that carries a token or a session cookie: what needs credentials is not for other sites."""

    def is_enabled(self, request: HttpRequest) -> bool:
        from django.conf import settings

        return (
            super().is_enabled(request)
            and "authorization" not in request.headers
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )


def _wrong_token(request: HttpRequest) -> bool:
    """An Authorization header that is not a valid, unexpired, unrevoked Bearer token."""
    if not request.META.get("HTTP_AUTHORIZATION"):
        return False
    from samen.core.models import ApiToken

    return ApiToken.from_request(request) is None


class ApiHygieneMiddleware:
    """Under /api/v1/: HEAD answers like GET without a body; every error is problem+json
    (405 keeps its Allow, with HEAD beside GET); a NUL byte in the path is a 400; nothing
    sent to a caller with a token or a session is stored by a cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/v1/"):
            return self.get_response(request)
        from samen.core.errors import problem

        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response: HttpResponse
        if _wrong_token(request):
            # Public operations take no token, so ninja would answer them anonymously.
            response = problem(
                401, _("Niet ingelogd"), _("Log in of stuur een geldige API-sleutel mee.")
            )
            response["WWW-Authenticate"] = "Bearer"
        elif "\x00" in request.path:
            reason = _("Null-tekens zijn niet toegestaan.")
            response = problem(
                400,
                _("Ongeldige invoer"),
                reason,
                invalidParams=[{"name": "path", "reason": reason}],
            )
        else:
            response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/problem+json"
        ):
            response = _as_problem(response)
        if "Allow" in response:
            allowed = {m.strip().upper() for m in response["Allow"].split(",") if m.strip()}
            if "GET" in allowed:
                allowed.add("HEAD")
            response["Allow"] = ", ".join(sorted(allowed, key=_method_rank))
        if "HTTP_AUTHORIZATION" in request.META or _session_user(request):
            response["Cache-Control"] = "no-store"
        if head:
            request.method = "HEAD"
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        return response


_METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def _method_rank(method: str) -> int:
    return _METHOD_ORDER.index(method) if method in _METHOD_ORDER else len(_METHOD_ORDER)


def _session_user(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _as_problem(response: HttpResponse) -> HttpResponse:
    from samen.core.errors import problem

    titles = {
        400: _("Ongeldige invoer"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Methode niet toegestaan"),
        413: _("Te groot"),
        415: _("Verkeerd mediatype"),
    }
    details = {
        404: _("Deze bron bestaat niet of is niet voor u zichtbaar."),
        405: _("Deze methode kan hier niet. Zie de kop Allow."),
    }
    status = response.status_code
    title = titles.get(status, _("Fout") if status < 500 else _("Interne fout"))
    converted = problem(status, title, details.get(status, title))
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            converted[header] = response[header]
    return converted


class AuditChannelMiddleware:
    """Tells every audit line of this request how it came in (`via` web or api, `auth`
    session or token), so no caller has to pass it (audit.CHANNEL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .audit import CHANNEL

        via = "api" if request.path.startswith("/api/") else "web"
        header = request.META.get("HTTP_AUTHORIZATION", "")
        auth = "token" if header.lower().startswith("bearer ") else "session"
        reset = CHANNEL.set({"via": via, "auth": auth})
        try:
            return self.get_response(request)
        finally:
            CHANNEL.reset(reset)
