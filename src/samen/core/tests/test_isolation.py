"""A user of one municipality never sees another's data, whatever URL they try."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from samen.api import api
from samen.concerns.models import Case


def staff_url_patterns(resolver=None, prefix=""):
    """Every staff page: URL patterns under <slug>/beheer/."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from staff_url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "<slug:slug>/beheer/" in route:
                yield route


def fill(route: str, slug: str, pk: int) -> str:
    route = route.replace("<slug:slug>", slug)
    route = re.sub(r"<int:\w+>", str(pk), route)
    return "/" + route


def api_paths():
    """Every API operation that works on a municipality's data."""
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            if operation.get("security") and "{slug}" in path:
                yield method, path


@pytest.fixture
def tweestad_case(tweestad, unscoped):
    return Case.objects.filter(municipality=tweestad).first()


@pytest.fixture
def samenstad_case(samenstad, unscoped):
    return Case.objects.filter(municipality=samenstad).first()


def test_there_are_staff_pages_and_api_endpoints_to_walk():
    assert len(list(staff_url_patterns())) >= 5
    assert len(list(api_paths())) >= 4


@pytest.mark.parametrize(
    "username", ["coordinator", "caseworker", "partner", "programme", "volunteer"]
)
def test_staff_pages_of_another_municipality_are_404(login, username, tweestad_case):
    client = login(username)
    for route in staff_url_patterns():
        url = fill(route, "tweestad", tweestad_case.pk)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "note", "note": "x"}).status_code == 404, url


@pytest.fixture
def tweestad_object_ids(samenstad, tweestad, unscoped):
    """Ids of Tweestad's rows (any tenant-owned table) that are the id of no Samenstad row in
    any table, so a 200 under Samenstad's slug could only mean Tweestad's data leaked."""
    from django.apps import apps

    from samen.core.models import TenantModel

    models = [m for m in apps.get_models() if issubclass(m, TenantModel)]
    ids = {m: set(m.objects.values_list("municipality_id", "pk")) for m in models}
    ours = {
        pk
        for rows in ids.values()
        for municipality_id, pk in rows
        if municipality_id == samenstad.pk
    }
    theirs = {
        pk
        for rows in ids.values()
        for municipality_id, pk in rows
        if municipality_id == tweestad.pk
    }
    return sorted(theirs - ours)[:15]


def test_objects_of_another_municipality_are_never_shown_under_ones_own_slug(
    login, tweestad_object_ids
):
    """With one's own slug and another municipality's ids: 404 for every role that may use
    the page (403 for roles that may not use it at all), never a page with the object."""
    routes = [route for route in staff_url_patterns() if "<int:" in route]
    assert routes and tweestad_object_ids
    for route in routes:
        seen_404 = False
        for username in ("coordinator", "caseworker", "partner", "programme", "volunteer"):
            client = login(username)
            for pk in tweestad_object_ids:
                status = client.get(fill(route, "samenstad", pk)).status_code
                assert status in (403, 404), (route, username, pk, status)
                seen_404 |= status == 404
        assert seen_404, route


@pytest.mark.parametrize(
    "username", ["coordinator", "caseworker", "partner", "programme", "volunteer"]
)
def test_api_of_another_municipality_is_404(client, bearer, username, tweestad_case):
    """Every read is 404. A write is 404 too, unless its body is already refused by the
    schema (400 with invalidParams) before any data is looked at."""
    headers = bearer(username)
    for method, path in api_paths():
        url = "/api/v1" + re.sub(
            r"\{\w+\}", str(tweestad_case.pk), path.replace("{slug}", "tweestad")
        )
        data = {} if method == "get" else {"to_status": "triaged"}
        response = getattr(client, method)(
            url, content_type="application/json", data=data, **headers
        )
        assert response["Content-Type"] == "application/problem+json", (method, url)
        if method == "get" or response.status_code != 400:
            assert response.status_code == 404, (method, url, response.status_code)
        else:
            assert response.json().get("invalidParams"), (method, url)


def test_api_objects_of_another_municipality_are_404_under_ones_own_slug(
    client, bearer, tweestad_case
):
    headers = bearer("caseworker")
    response = client.get(f"/api/v1/municipalities/samenstad/cases/{tweestad_case.pk}", **headers)
    assert response.status_code == 404


def test_the_other_caseworker_sees_their_own_case(client, bearer, tweestad_case):
    response = client.get(
        f"/api/v1/municipalities/tweestad/cases/{tweestad_case.pk}", **bearer("caseworker-tweestad")
    )
    assert response.status_code == 200
    assert response.json()["postcode"] == tweestad_case.postcode


def test_queue_lists_only_own_municipality(login, samenstad_case, tweestad_case):
    body = login("caseworker").get("/samenstad/beheer/signalen/").content.decode()
    assert samenstad_case.postcode in body
    assert tweestad_case.postcode not in body


def test_queries_outside_a_scope_are_refused(db):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(Case.objects.all())
