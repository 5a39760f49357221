"""The JSON API under /api/v1/: django-ninja, errors as application/problem+json (RFC 9457),
OpenAPI document shaped to the NLGov REST API Design Rules."""

import datetime as dt
import json
import re
from typing import Annotated, Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params import models as param_models
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from samen import API_VERSION
from samen.core.access import tenant_endpoint
from samen.core.errors import DATABASE_UNAVAILABLE, Conflict, database_unavailable, problem
from samen.core.models import ApiToken
from samen.core.tenancy import municipality_scope


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `samen token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.from_request(request)
        if user is not None:
            request.user = user
            request.auth_method = "token"
        return user


class BrowserSession(SessionAuth):
    """The logged-in browser session (with CSRF protection on writes)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session there is nothing to protect: the caller is anonymous
        # and gets 401 with a Bearer challenge, not "CSRF check Failed". A logged-in
        # session's writes still need the CSRF token (403 without it).
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "Stuur het CSRF-token van uw sessie mee (X-CSRFToken), of gebruik een "
                    "API-sleutel."
                ),
            )
        return request.COOKIES.get(self.param_name)

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
        user = ApiToken.from_request(request)
        if user is None:
            raise AuthenticationError
        request.auth_method = "token"
        return user
    return None


def rate_limited(request: HttpRequest, **kwargs: Any) -> bool:
    """django-ratelimit's `is_ratelimited`, remembering when the window ends: the 429 that
    follows says so in Retry-After."""
    from django_ratelimit.core import get_usage

    usage = get_usage(request, **kwargs)
    if usage is None or not usage["should_limit"]:
        return False
    request.retry_after = max(1, usage["time_left"])
    return True


def validation_problem(source) -> JsonResponse:
    """A Django form's errors, or a ValidationError, as a 400 problem listing each field."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    status = 409 if isinstance(source, Conflict) else 400
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
    title = _("Conflict") if status == 409 else _("Ongeldige invoer")
    return problem(status, title, detail, invalidParams=params)


# --- strict input ----------------------------------------------------------------------------
# Request bodies are validated as JSON in pydantic's strict mode: a number is not a date, a
# string is not a number or a boolean, `[null, null]` is not an object. Text never holds a
# NUL byte (PostgreSQL refuses it) and only the fields a schema names as multi-line hold a line
# break. Dates and moments lie between 1900 and 2100, so no arithmetic on them overflows.

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
NUL_MESSAGE = "Null-tekens zijn niet toegestaan."


class UnsupportedMediaType(Exception):
    """The body is not of the media type the operation reads (given as the argument)."""


def _nul_params(value: Any, path: tuple = ()) -> list[dict]:
    """Every place in parsed JSON (or query values) with a NUL character."""
    if isinstance(value, str):
        return [{"name": ".".join(map(str, path)) or "body", "reason": _(NUL_MESSAGE)}] * (
            "\x00" in value
        )
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if "\x00" in str(key):
                found.append({"name": "body", "reason": _(NUL_MESSAGE)})
            found += _nul_params(item, (*path, key))
        return found
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nul_params(item, (*path, index))]
    return []


class StrictJsonBody(param_models.BodyModel):
    """The body model ninja builds for every JSON body, validated as JSON in strict mode."""

    @classmethod
    def resolve(cls, request, api, path_params):
        if not request.body:
            return cls()
        content_type = request.content_type
        if content_type is not None and not JSON_TYPE.match(content_type.lower()):
            raise UnsupportedMediaType("application/json")
        try:
            data = json.loads(request.body)
        except ValueError as error:
            raise HttpError(400, "Cannot parse request body") from error
        nul = _nul_params(data)
        if nul:
            raise ValidationError(
                [{"loc": (), "msg": p["reason"], "type": "nul", "name": p["name"]} for p in nul]
            )
        varname = getattr(cls, "__read_from_single_attr__", None)
        if varname:
            data = {varname: data}
        data = cls._map_data_paths(data)
        try:
            return cls.model_validate_json(
                json.dumps(data), strict=True, context={"request": request}
            )
        except PydanticValidationError as error:
            raise ValidationError(error.errors(include_url=False, include_context=True)) from None


class MultipartFiles(param_models.FileModel):
    """An uploaded file comes as multipart/form-data; anything else is 415, not a 400."""

    @classmethod
    def resolve(cls, request, api, path_params):
        if request.content_type != "multipart/form-data":
            raise UnsupportedMediaType("multipart/form-data")
        return super().resolve(request, api, path_params)


# Every pydantic model parameter of an operation is a JSON body: make that body strict.
param_models.Body._model = StrictJsonBody
param_models.File._model = MultipartFiles


class StrictParser(Parser):
    """Query strings: no NUL byte in any value."""

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        nul = _nul_params(result)
        if nul:
            raise ValidationError(
                [{"loc": (), "msg": p["reason"], "type": "nul", "name": p["name"]} for p in nul]
            )
        return result


class InputSchema(BaseModel):
    """A request body: a JSON object (not ninja's Schema, which reads attributes off anything,
    so `[null, null]` would pass as an object) whose text fields are one line, except those
    named in `multiline`."""

    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _one_line(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            isinstance(value, str)
            and info.field_name not in cls.multiline
            and ("\n" in value or "\r" in value)
        ):
            raise PydanticCustomError("single_line", "Input should be a single line")
        return value

    def dict(self, *args: Any, **kwargs: Any) -> dict:
        return self.model_dump(*args, **kwargs)


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_parsing", "Input should be a date (YYYY-MM-DD)")
    if not isinstance(value, str | dt.date):
        raise PydanticCustomError("date_parsing", "Input should be a date (YYYY-MM-DD)")
    return value


def _date_in_range(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError("date_range", "Date out of range")
    return value


# A date in a query string: only YYYY-MM-DD (pydantic would read `0` as 1970-01-01).
QueryDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_date_in_range)]
# A date or moment in a body: between 1900 and 2100 (strict JSON parsing does the rest).
Date = Annotated[dt.date, AfterValidator(_date_in_range)]
DateTime = Annotated[dt.datetime, AfterValidator(_date_in_range)]


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
    "409": "Conflict",
    "413": "Te groot",
    "415": "Verkeerd mediatype",
    "429": "Te veel verzoeken",
}
# Operations whose request can clash with the current state (409).
CONFLICT_OPERATIONS = {
    "createCaseTransition",
    "createPartnerStepChange",
    "createVolunteerMatchDecision",
}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "example": 60},
    }
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
        base = settings.SITE_URL + "/api/v1"
        schema["info"]["contact"] = {
            "name": "Samen",
            "email": "api@samen.example",
            "url": base + "/docs",
        }
        schema["servers"] = [{"url": base, "description": "Samen"}]
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
                if "requestBody" in operation:
                    extra += ["413", "415"]
                if operation.get("operationId") in CONFLICT_OPERATIONS:
                    extra += ["409"]
                for status_code in extra:
                    responses.setdefault(status_code, {"description": PROBLEM_TITLES[status_code]})
                responses["429"]["headers"] = RETRY_AFTER_HEADER
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
    parser=StrictParser(),
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
    "model_type": "Stuur een JSON-object.",
    "missing_argument": "Dit veld is verplicht.",
    "int_from_float": "Vul hier een geheel getal in.",
    "float_type": "Vul hier een getal in.",
    "float_parsing": "Vul hier een getal in.",
    "decimal_type": "Vul hier een getal in.",
    "decimal_parsing": "Vul hier een getal in.",
    "date_type": "Vul een datum in als JJJJ-MM-DD.",
    "datetime_type": "Vul een datum en tijd in (ISO 8601).",
    "enum_type": "Kies een van de toegestane waarden.",
    "date_range": "Kies een datum tussen 1900 en 2100.",
    "single_line": "Gebruik hier geen regeleinde.",
    "nul": NUL_MESSAGE,
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
        if error.get("type") == "nul":
            params.append({"name": error["name"], "reason": _(NUL_MESSAGE)})
            continue
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
        403: _("Geen toegang"),
        405: _("Methode niet toegestaan"),
        409: _("Conflict"),
        413: _("Te groot"),
        415: _("Verkeerd mediatype"),
        429: _("Te veel verzoeken"),
    }
    detail = str(exc.message)
    if detail == "Cannot parse request body":
        detail = _("De inhoud is geen geldige JSON.")
    response = problem(exc.status_code, titles.get(exc.status_code, _("Fout")), detail)
    if exc.status_code == 429:
        response["Retry-After"] = str(getattr(request, "retry_after", None) or 60)
    return response


@api.exception_handler(UnsupportedMediaType)
def on_unsupported_media_type(request, exc: UnsupportedMediaType):
    expected = exc.args[0] if exc.args else "application/json"
    detail = _("Stuur de inhoud als %(type)s (Content-Type: %(type)s).") % {"type": expected}
    return problem(415, _("Verkeerd mediatype"), detail)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return problem(413, _("Te groot"), _("De inhoud is groter dan wij aannemen."))


@api.exception_handler(TooManyFieldsSent)
def on_too_many_fields(request, exc):
    return problem(400, _("Ongeldige invoer"), _("Dit verzoek heeft te veel parameters."))


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
api.add_router("/", "samen.outreach.api.router")
api.add_router("/", "samen.volunteering.api.router")
api.add_router("/", "samen.workshops.api.router")
api.add_router("/", "samen.impact.api.router")

__all__ = [
    "AUTH",
    "api",
    "municipality_scope",
    "optional_user",
    "rate_limited",
    "tenant_endpoint",
]
