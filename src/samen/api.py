"""The JSON API under /api/v1/: django-ninja, errors as application/problem+json (RFC 9457),
OpenAPI document shaped to the NLGov REST API Design Rules."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from samen import API_VERSION
from samen.core.errors import DATABASE_UNAVAILABLE, database_unavailable, problem
from samen.core.models import ApiToken, Municipality
from samen.core.tenancy import cached_municipality, municipality_scope


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `samen token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
            request.auth_method = "token"
        return user


class BrowserSession(SessionAuth):
    """The logged-in browser session (with CSRF protection on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is not None:
            request.auth_method = "session"
        return user


AUTH = [BearerToken(), BrowserSession()]


def optional_user(request: HttpRequest):
    """For endpoints open to everyone that also accept a token: the token's user, or None.
    A token that is given but wrong is an error, not silently anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        user = ApiToken.authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise AuthenticationError
        request.auth_method = "token"
        return user
    return None


def municipality_for(request: HttpRequest, slug: str, perm: str | None = None) -> Municipality:
    """The municipality of an API call, checked like staff pages: not a member -> 404,
    member without `perm` -> 403, session of a user who must use two-factor login -> 403."""
    municipality = cached_municipality(slug)
    if perm is None:
        return municipality
    user = request.user
    if not user.is_authenticated:
        raise AuthenticationError
    if not user.is_superuser and user.membership_in(municipality) is None:
        raise Http404
    if getattr(request, "auth_method", "") == "session" and user.needs_second_factor(municipality):
        if not user.is_verified():
            raise PermissionDenied
    if not user.has_samen_perm(municipality, perm):
        raise PermissionDenied
    return municipality


def validation_problem(source) -> JsonResponse:
    """A Django form's errors, or a ValidationError, as a 400 problem listing each field."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    if isinstance(source, DjangoValidationError):
        items = (
            source.message_dict.items()
            if hasattr(source, "error_dict")
            else [("body", source.messages)]
        )
    else:
        items = source.errors.items()
    params = [
        {"name": "body" if name == "__all__" else name, "reason": str(message)}
        for name, messages in items
        for message in messages
    ]
    detail = (
        params[0]["reason"]
        if len(params) == 1
        else _("Een of meer velden zijn niet goed ingevuld.")
    )
    return problem(400, _("Ongeldige invoer"), detail, invalidParams=params)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "example": "about:blank"},
        "title": {"type": "string", "example": "Ongeldige invoer"},
        "status": {"type": "integer", "example": 400},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_TITLES = {
    "400": "Ongeldige invoer",
    "401": "Niet ingelogd",
    "403": "Geen toegang",
    "404": "Niet gevonden",
    "429": "Te veel verzoeken",
}
VERSION_HEADER = {
    "API-Version": {
        "description": "The full version of this API.",
        "schema": {"type": "string", "example": API_VERSION},
    }
}


class SamenAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["info"]["contact"] = {
            "name": "Samen",
            "email": "api@samen.example",
            "url": "https://samen.example/api/v1/docs",
        }
        schema["servers"] = [{"url": "https://samen.example/api/v1", "description": "Samen"}]
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        # Paths relative to the server URL, which carries the major version (/core/uri-version).
        schema["paths"] = {
            path.removeprefix("/api/v1"): item for path, item in schema["paths"].items()
        }
        tags = sorted(
            {
                tag
                for item in schema["paths"].values()
                for op in item.values()
                for tag in op.get("tags", [])
            }
        )
        schema["tags"] = [{"name": tag} for tag in tags]
        problem_content = {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status_code in list(responses):
                    if status_code.startswith(("2", "3")):
                        responses[status_code]["headers"] = VERSION_HEADER
                extra = ["400", "404", "429"]
                if operation.get("security"):
                    extra += ["401", "403"]
                for status_code in extra:
                    responses.setdefault(status_code, {"description": PROBLEM_TITLES[status_code]})
                for status_code, response in responses.items():
                    if status_code.startswith(("4", "5")):
                        response["content"] = problem_content
        return schema


api = SamenAPI(
    title="Samen API",
    version=API_VERSION,
    description=(
        "API van Samen, het platform van lokale coalities tegen eenzaamheid. "
        "Errors are application/problem+json (RFC 9457)."
    ),
    urls_namespace="api",
    docs_url="/docs",
)

# Dutch messages for the validation errors pydantic reports, by error type.
DUTCH_VALIDATION = {
    "missing": "Dit veld is verplicht.",
    "string_too_long": "Deze tekst is te lang (maximaal {max_length} tekens).",
    "string_too_short": "Deze tekst is te kort (minimaal {min_length} tekens).",
    "string_type": "Vul hier tekst in.",
    "int_parsing": "Vul hier een geheel getal in.",
    "int_type": "Vul hier een geheel getal in.",
    "bool_parsing": "Vul hier ja of nee in (true/false).",
    "bool_type": "Vul hier ja of nee in (true/false).",
    "enum": "Kies een van deze waarden: {expected}.",
    "literal_error": "Kies een van deze waarden: {expected}.",
    "list_type": "Geef hier een lijst.",
    "date_parsing": "Vul een datum in als JJJJ-MM-DD.",
    "date_from_datetime_parsing": "Vul een datum in als JJJJ-MM-DD.",
    "datetime_parsing": "Vul een datum en tijd in (ISO 8601).",
    "datetime_from_date_parsing": "Vul een datum en tijd in (ISO 8601).",
    "value_error": "{msg}",
    "model_attributes_type": "Stuur een JSON-object.",
    "dict_type": "Stuur een JSON-object.",
    "json_invalid": "De inhoud is geen geldige JSON.",
    "extra_forbidden": "Dit veld kennen we niet.",
}


def _dutch(error: dict) -> str:
    template = DUTCH_VALIDATION.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "Ongeldige waarde.")
    context = dict(error.get("ctx") or {})
    context.setdefault("msg", str(error.get("msg", "")).removeprefix("Value error, "))
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return error.get("msg", "Ongeldige waarde.")


def invalid_params(errors: list[dict]) -> list[dict]:
    params = []
    for error in errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        params.append({"name": ".".join(location) or "body", "reason": _dutch(error)})
    return params


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return problem(
        400,
        _("Ongeldige invoer"),
        _("Een of meer velden zijn niet goed ingevuld."),
        invalidParams=invalid_params(exc.errors),
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = problem(401, _("Niet ingelogd"), _("Log in of stuur een geldige API-sleutel mee."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem(
        404, _("Niet gevonden"), _("Deze bron bestaat niet of is niet voor u zichtbaar.")
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return problem(403, _("Geen toegang"), _("U hebt geen recht op deze handeling."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    titles = {
        400: _("Ongeldige invoer"),
        405: _("Methode niet toegestaan"),
        429: _("Te veel verzoeken"),
    }
    detail = str(exc.message)
    if detail == "Cannot parse request body":
        detail = _("De inhoud is geen geldige JSON.")
    return problem(exc.status_code, titles.get(exc.status_code, _("Fout")), detail)


# The database restarting is not a bug: 503 problem+json with Retry-After, not 500.
for database_error in DATABASE_UNAVAILABLE:
    api.add_exception_handler(database_error, database_unavailable)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc):
    import logging

    logging.getLogger("samen.api").exception("Unexpected API error")
    return problem(
        500, _("Interne fout"), _("Er ging iets mis aan onze kant. Probeer het later opnieuw.")
    )


api.add_router("/", "samen.concerns.api.router")
api.add_router("/", "samen.activities.api.router")
api.add_router("/", "samen.partners.api.router")
api.add_router("/", "samen.volunteering.api.router")
api.add_router("/", "samen.impact.api.router")

__all__ = ["AUTH", "api", "municipality_for", "municipality_scope", "optional_user"]
