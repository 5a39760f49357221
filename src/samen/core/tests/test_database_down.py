"""While the database restarts, people and API clients get a clean 503 with Retry-After,
not a 500: the page and the problem are rendered without touching the database."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client


@pytest.fixture
def database_down(db):
    error = OperationalError("connection failed: the database system is shutting down")
    with mock.patch.object(connection, "cursor", side_effect=error):
        yield


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def test_a_page_says_to_try_again_in_dutch(browser, samenstad, database_down):
    response = browser.get("/samenstad/agenda/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Even niet bereikbaar" in response.content.decode()


def test_the_api_answers_a_503_problem(browser, samenstad, database_down):
    response = browser.post(
        "/api/v1/municipalities/samenstad/concerns",
        {"description": "Gordijnen dicht", "postcode": "9501AB", "house_number": "7"},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json()["title"] == "Tijdelijk niet beschikbaar"


def test_healthz_tells_the_load_balancer(browser, db, database_down):
    assert browser.get("/healthz").status_code == 503


def test_other_server_errors_stay_500(browser, samenstad):
    with mock.patch("samen.activities.views.render", side_effect=RuntimeError("bug")):
        response = browser.get("/samenstad/agenda/")
    assert response.status_code == 500
    assert "Retry-After" not in response
