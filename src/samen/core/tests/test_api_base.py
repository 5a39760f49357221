import json

import pytest
from django.core.management import call_command

from samen.core.models import ApiToken

from .factories import MunicipalityFactory


@pytest.fixture
def town(db):
    """Samenstad without the demo's rows: for the tests that need only the municipality."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_openapi_document_is_served_with_version_header(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["API-Version"] == "1.0.0"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/municipalities/{slug}/concerns" in document["paths"]


def test_committed_openapi_document_matches_the_generated_one(db, capsys):
    import json
    from pathlib import Path

    committed = json.loads((Path(__file__).parents[4] / "docs" / "openapi.json").read_text())
    call_command("export_openapi")
    assert committed == json.loads(capsys.readouterr().out), "run `make openapi`"


def test_exported_openapi_document_does_not_depend_on_the_machines_site_url(settings, capsys, db):
    settings.SITE_URL = "http://localhost:1234"
    call_command("export_openapi")
    assert json.loads(capsys.readouterr().out)["servers"][0]["url"] == (
        "https://samen.example/api/v1"
    )
    call_command("export_openapi", "--site-url", "https://samen.gemeente.example/")
    document = json.loads(capsys.readouterr().out)
    assert document["servers"][0]["url"] == "https://samen.gemeente.example/api/v1"


def test_unknown_api_path_is_problem_json(client, db):
    body = assert_problem(client.get("/api/v1/does-not-exist"), 404)
    assert body["title"] == "Niet gevonden"


def test_invalid_json_is_problem_json_in_dutch(client, town):
    response = client.post(
        "/api/v1/municipalities/samenstad/concerns",
        data="{not json",
        content_type="application/json",
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_wrong_type_names_the_field_in_dutch(client, town):
    response = client.post(
        "/api/v1/municipalities/samenstad/concerns",
        data={"description": 12},
        content_type="application/json",
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [{"name": "description", "reason": "Vul hier tekst in."}]


def test_missing_credentials_are_401_problem(client, town):
    response = client.get("/api/v1/municipalities/samenstad/cases")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_role_without_permission_is_403_problem(client, bearer, samenstad):
    assert_problem(
        client.get("/api/v1/municipalities/samenstad/cases", **bearer("coordinator")), 403
    )


def test_token_command_prints_a_working_token_on_its_last_line(client, samenstad, capsys):
    call_command("token", "caseworker")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    response = client.get(
        "/api/v1/municipalities/samenstad/cases", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert isinstance(response.json(), list) and response.json()
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.filter(user__username="caseworker").count() == 1


def test_wrong_and_revoked_tokens_are_refused(client, samenstad, user):
    token, raw = ApiToken.issue(user("caseworker"))
    url = "/api/v1/municipalities/samenstad/cases"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    token.revoke()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_for_unknown_user_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("token", "nobody")


def test_session_api_access_respects_roles(login, samenstad):
    assert login("caseworker").get("/api/v1/municipalities/samenstad/cases").status_code == 200
