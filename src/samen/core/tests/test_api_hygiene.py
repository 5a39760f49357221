"""API hygiene (NLGov API Design Rules) and bad input on the API: what a client or an
attacker sees at /api/v1/ when they send the wrong method, the wrong content type, no
credentials, far-away dates, huge bodies, NUL bytes, or come from another origin."""

import json
import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from samen.concerns.models import Case, Report
from samen.outreach.models import NewsletterSubscriber
from samen.partners.models import Partner

from .factories import MunicipalityFactory
from .test_api_base import assert_problem

CASES = "/api/v1/municipalities/samenstad/cases"
CONCERNS = "/api/v1/municipalities/samenstad/concerns"
NEWSLETTER = "/api/v1/municipalities/samenstad/newsletter-subscriptions"
GOOD_CONCERN = {
    "description": "Buurman is al weken niet buiten geweest.",
    "postcode": "9501AB",
    "house_number": "7",
}


@pytest.fixture
def town(db):
    """Samenstad without the demo's rows: for the tests that need only the municipality."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


def post_json(client, url, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


# --- methods, HEAD, unknown paths ------------------------------------------------------------


def test_wrong_method_is_405_problem_with_allow(client, db):
    response = client.post("/api/v1/activities")
    assert_problem(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_wrong_method_on_a_path_with_several_lists_them_all(client, town):
    response = client.put(CONCERNS)
    assert_problem(response, 405)
    assert response["Allow"] == "POST"


def test_allow_lists_every_method_of_the_path_in_a_fixed_order(client, bearer, samenstad):
    response = client.put("/api/v1/municipalities/samenstad/volunteer-needs", **bearer("welzijn"))
    assert_problem(response, 405)
    assert response["Allow"] == "GET, HEAD, POST"


def test_head_works_where_get_does(client, db):
    get = client.get("/api/v1/activities")
    head = client.head("/api/v1/activities")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head["API-Version"] == get["API-Version"]
    assert int(head["Content-Length"]) == len(get.content)


def test_head_answers_like_get_on_every_get_operation(client, bearer, samenstad):
    document = client.get("/api/v1/openapi.json").json()
    headers = bearer("coordinator")
    paths = [path for path, item in document["paths"].items() if "get" in item]
    assert len(paths) > 10
    for path in paths:
        url = "/api/v1" + path.replace("{slug}", "samenstad").replace("{token}", "x")
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        get, head = client.get(url, **headers), client.head(url, **headers)
        assert head.status_code == get.status_code, url
        assert head.content == b"", url
        assert head["Content-Type"] == get["Content-Type"], url


def test_head_of_an_unknown_path_is_404(client, db):
    assert client.head("/api/v1/nothing-here").status_code == 404


# --- authentication and CSRF -----------------------------------------------------------------


def test_anonymous_write_is_401_with_bearer_challenge_not_csrf_failed(town):
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, f"{CASES}/1/transitions", {"to_status": "triaged"})
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert "CSRF" not in body["detail"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/activities", "/api/v1/municipalities/samenstad/partnerships"],
)
def test_a_wrong_or_revoked_token_on_a_public_read_is_401_not_anonymous(samenstad, user, path):
    """A client that sends a token means to be someone: a bad one is an error, as on the
    concern intake, not a silent anonymous answer."""
    from samen.core.models import ApiToken

    bogus = Client().get(path, HTTP_AUTHORIZATION="Bearer samen_bogus")
    assert_problem(bogus, 401)
    assert bogus["WWW-Authenticate"] == "Bearer"
    token, raw = ApiToken.issue(user("partner"))
    assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token.revoke()
    assert_problem(Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}"), 401)
    assert Client().get(path).status_code == 200


def test_session_write_without_csrf_token_is_still_refused(samenstad, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("caseworker"))
    with scopes_disabled():
        case = Case.objects.filter(municipality=samenstad, status="new").first()
    response = post_json(client, f"{CASES}/{case.pk}/transitions", {"to_status": "triaged"})
    assert_problem(response, 403)
    with scopes_disabled():
        case.refresh_from_db()
    assert case.status == "new"


def test_session_write_with_csrf_token_works(samenstad, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("caseworker"))
    token = "k" * 32  # a CSRF secret as the cookie holds it; the header must match it
    client.cookies["csrftoken"] = token
    with scopes_disabled():
        case = Case.objects.filter(municipality=samenstad, status="new").first()
    response = post_json(
        client, f"{CASES}/{case.pk}/transitions", {"to_status": "triaged"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content


# --- content types and strict parsing ------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", json.dumps(GOOD_CONCERN)),
        ("application/x-www-form-urlencoded", "description=x&postcode=9501AB"),
    ],
)
def test_wrong_content_type_is_415(client, town, content_type, data):
    with scopes_disabled():
        before = Report.objects.count()
    response = client.post(CONCERNS, data=data, content_type=content_type)
    assert_problem(response, 415)
    with scopes_disabled():
        assert Report.objects.count() == before


def test_multipart_where_json_is_expected_is_415(client, town):
    response = client.post(CONCERNS, data=GOOD_CONCERN)  # the test client sends multipart
    assert_problem(response, 415)


def test_json_with_charset_is_accepted(client, town):
    response = client.post(
        CONCERNS, data=json.dumps(GOOD_CONCERN), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("body", ["[null, null]", "null", "[]", '"text"', "12"])
def test_a_body_that_is_not_an_object_is_400(client, town, body):
    with scopes_disabled():
        before = Report.objects.count()
    response = post_json(client, CONCERNS, body)
    problem = assert_problem(response, 400)
    assert problem["invalidParams"][0]["reason"] == "Stuur een JSON-object."
    with scopes_disabled():
        assert Report.objects.count() == before


def test_a_number_is_not_a_date_in_the_query(client, db):
    response = client.get("/api/v1/activities?start=0")
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {"name": "start", "reason": "Vul een datum in als JJJJ-MM-DD."}
    ]


def test_a_number_is_not_a_date_in_a_body(client, bearer, samenstad):
    with scopes_disabled():
        partner = Partner.objects.filter(municipality=samenstad).first()
    response = post_json(
        client,
        f"/api/v1/municipalities/samenstad/partners/{partner.pk}/contacts",
        {"kind": "call", "next_contact_on": 0},
        **bearer("coordinator"),
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "next_contact_on"


def test_a_string_is_not_an_int_in_a_body(client, bearer, samenstad):
    with scopes_disabled():
        case = Case.objects.filter(municipality=samenstad).first()
    response = post_json(
        client,
        f"{CASES}/{case.pk}/transitions",
        {"to_status": "handed_over", "referral": "activity", "activity": "5"},
        **bearer("caseworker"),
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {"name": "activity", "reason": "Vul hier een geheel getal in."}
    ]


def test_a_string_is_not_a_boolean_in_a_body(client, town):
    response = post_json(client, CONCERNS, {**GOOD_CONCERN, "immediate_danger": "yes"})
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "immediate_danger"


# --- bad input never gives a 500 -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "start=9999-12-31",
        "end=9999-12-31",
        "start=0001-01-01",
        "end=0001-01-01",
        "start=0001-01-01&end=9999-12-31",
    ],
)
def test_far_away_dates_are_400_not_500(client, db, query):
    response = client.get(f"/api/v1/activities?{query}")
    body = assert_problem(response, 400)
    assert body["invalidParams"]


def test_far_away_datetime_in_a_body_is_400(client, bearer, samenstad):
    with scopes_disabled():
        partner = Partner.objects.filter(municipality=samenstad).first()
    url = f"/api/v1/municipalities/samenstad/partners/{partner.pk}/contacts"
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        response = post_json(client, url, {"kind": "call", "at": moment}, **bearer("coordinator"))
        body = assert_problem(response, 400)
        assert body["invalidParams"][0]["name"] == "at"


def test_thousands_of_query_keys_are_400(client, db):
    query = "&".join(f"k{i}=1" for i in range(3000))
    assert_problem(client.get(f"/api/v1/activities?{query}"), 400)


def test_a_3_mb_json_body_is_413(client, town):
    response = post_json(client, CONCERNS, {"description": "x" * 3_000_000})
    assert_problem(response, 413)


@pytest.mark.parametrize("field", ["reporter_name", "person_name", "street"])
def test_crlf_in_a_name_is_400(client, town, field):
    with scopes_disabled():
        before = Report.objects.count()
    response = post_json(client, CONCERNS, {**GOOD_CONCERN, field: "Jan\r\nBcc: x@example.org"})
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == field
    with scopes_disabled():
        assert Report.objects.count() == before


def test_crlf_in_a_newsletter_name_is_400_and_nothing_is_stored(client, town):
    response = post_json(
        client, NEWSLETTER, {"email": "a@example.org", "name": "A\r\nBcc: x@example.org"}
    )
    assert_problem(response, 400)
    with scopes_disabled():
        assert not NewsletterSubscriber.objects.filter(email="a@example.org").exists()


def test_a_line_break_in_a_description_is_fine(client, town):
    response = post_json(
        client, CONCERNS, {**GOOD_CONCERN, "description": "Eerste regel.\nTweede."}
    )
    assert response.status_code == 201


def test_nul_byte_in_any_text_field_is_400_with_invalid_params(client, bearer, samenstad):
    with scopes_disabled():
        partner = Partner.objects.filter(municipality=samenstad).first()
        contacts_before = partner.contacts.count()
    response = post_json(
        client,
        f"/api/v1/municipalities/samenstad/partners/{partner.pk}/contacts",
        {"kind": "call", "summary": "Goed gesprek\x00"},
        **bearer("coordinator"),
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {"name": "summary", "reason": "Null-tekens zijn niet toegestaan."}
    ]
    with scopes_disabled():
        assert partner.contacts.count() == contacts_before


def test_nul_byte_in_a_list_item_is_400(client, town):
    response = post_json(client, CONCERNS, {**GOOD_CONCERN, "signs": ["a\x00"]})
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "signs.0"


def test_nul_byte_in_the_query_or_path_is_400(client, db):
    body = assert_problem(client.get("/api/v1/activities?q=a%00b"), 400)
    assert body["invalidParams"][0]["name"] == "q"
    body = assert_problem(client.get("/api/v1/municipalities/a%00b/partnerships"), 400)
    assert body["invalidParams"] == [
        {"name": "path", "reason": "Null-tekens zijn niet toegestaan."}
    ]


# --- status codes that say what happened ---------------------------------------------------


def test_invalid_case_transition_is_409(client, bearer, samenstad):
    with scopes_disabled():
        case = Case.objects.filter(municipality=samenstad, status="new").first()
    response = post_json(
        client,
        f"{CASES}/{case.pk}/transitions",
        {"to_status": "handed_over", "referral": "welfare"},
        **bearer("caseworker"),
    )
    body = assert_problem(response, 409)
    assert body["invalidParams"][0]["name"] == "to_status"


def test_closing_without_outcome_is_still_400(client, bearer, samenstad):
    with scopes_disabled():
        case = Case.objects.filter(municipality=samenstad, status="new").first()
    response = post_json(
        client, f"{CASES}/{case.pk}/transitions", {"to_status": "closed"}, **bearer("caseworker")
    )
    assert_problem(response, 400)


def test_moving_a_partner_to_its_own_step_is_409(client, bearer, samenstad):
    with scopes_disabled():
        partner = Partner.objects.filter(municipality=samenstad).first()
    response = post_json(
        client,
        f"/api/v1/municipalities/samenstad/partners/{partner.pk}/step-changes",
        {"to_step": partner.step},
        **bearer("coordinator"),
    )
    assert_problem(response, 409)


def test_too_many_requests_carries_retry_after(client, town, settings):
    settings.SAMEN_CONCERN_RATE = "1/h"
    assert post_json(client, CONCERNS, GOOD_CONCERN).status_code == 201
    response = post_json(client, CONCERNS, GOOD_CONCERN)
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 3600


def test_retry_after_says_when_the_window_ends(client, town, settings):
    """Not a fixed guess: the seconds until django-ratelimit's window for this client ends."""
    import time

    from django_ratelimit.core import _get_window

    settings.SAMEN_CONCERN_RATE = "1/d"
    assert post_json(client, NEWSLETTER, {"email": "b@example.org"}).status_code == 202
    response = post_json(client, NEWSLETTER, {"email": "c@example.org"})
    assert response.status_code == 429
    expected = _get_window("127.0.0.1", 86400) - int(time.time())
    assert abs(int(response["Retry-After"]) - expected) <= 2


# --- caching and CORS ------------------------------------------------------------------------


def test_authenticated_responses_are_not_stored(client, bearer, login, samenstad):
    assert client.get(CASES, **bearer("caseworker"))["Cache-Control"] == "no-store"
    assert client.get(CASES, **bearer("coordinator"))["Cache-Control"] == "no-store"  # a 403
    assert login("caseworker").get(CASES)["Cache-Control"] == "no-store"


def test_public_responses_may_be_cached(client, db):
    assert "no-store" not in client.get("/api/v1/activities").get("Cache-Control", "")


PUBLIC = [
    ("GET", "/api/v1/activities"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/municipalities/samenstad/partnerships"),
    ("POST", CONCERNS),
    ("GET", "/api/v1/concerns/status/abc"),
]


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_public_operations_answer_preflights_for_any_origin(client, town, method, path):
    response = client.options(
        path,
        HTTP_ORIGIN="https://buurtapp.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert method in response["Access-Control-Allow-Methods"]
    assert "content-type" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_public_read_carries_allow_origin(client, town):
    response = client.get("/api/v1/activities", HTTP_ORIGIN="https://buurtapp.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_public_operation_never_allows_credentials_across_origins(client, town):
    response = client.options(
        CONCERNS,
        HTTP_ORIGIN="https://buurtapp.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert "authorization" not in response.get("Access-Control-Allow-Headers", "")
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", CASES),
        ("POST", f"{CASES}/1/transitions"),
        ("GET", "/api/v1/municipalities/samenstad/partners"),
        ("GET", "/api/v1/municipalities/samenstad/kpis"),
    ],
)
def test_operations_with_session_or_token_answer_no_preflight(client, town, method, path):
    response = client.options(
        path,
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert "Access-Control-Allow-Origin" not in response
    assert response["Content-Type"] == "application/problem+json"


def test_token_or_session_requests_to_public_reads_get_no_cors(client, bearer, login, samenstad):
    response = client.get(
        "/api/v1/activities", HTTP_ORIGIN="https://evil.example", **bearer("coordinator")
    )
    assert "Access-Control-Allow-Origin" not in response
    response = login("coordinator").get("/api/v1/activities", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


# --- the OpenAPI document --------------------------------------------------------------------


def test_openapi_servers_follow_site_url(client, db, settings):
    settings.SITE_URL = "https://samen.gemeente.example"
    document = client.get("/api/v1/openapi.json").json()
    assert document["servers"][0]["url"] == "https://samen.gemeente.example/api/v1"


def test_documented_partner_breakdown_matches_what_is_sent(client, bearer, samenstad):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    item_ref = schemas["PartnerSummaryOut"]["properties"]["breakdown"]["items"]["$ref"]
    documented = schemas[item_ref.rsplit("/", 1)[1]]
    sent = client.get("/api/v1/municipalities/samenstad/partners", **bearer("coordinator")).json()
    item = sent["results"][0]["breakdown"][0]
    assert set(item) == set(documented["properties"])
    assert set(documented["required"]) <= set(item)


def test_no_two_schemas_share_a_name(db):
    """ninja names a component after its class: two classes of one name overwrite each other."""
    from samen.api import api

    names: dict[str, type] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    _collect(model, names)
                for model in operation.models:
                    _collect(model, names)


def _collect(model, names):
    import typing

    from pydantic import BaseModel

    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return
    for field in model.model_fields.values():
        for candidate in _types(field.annotation, typing):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                name = candidate.__name__
                assert names.setdefault(name, candidate) is candidate, f"two schemas named {name}"
                _collect(candidate, names)


def _types(annotation, typing):
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _types(arg, typing)


def test_json_where_a_file_upload_is_expected_is_415(client, bearer, samenstad):
    response = post_json(
        client,
        "/api/v1/municipalities/samenstad/partner-imports",
        {"file": "naam\nBakkerij"},
        **bearer("coordinator"),
    )
    assert_problem(response, 415)
