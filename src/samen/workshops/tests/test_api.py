"""The API: the coordinator lists, plans and publishes meetings; errors as problem+json."""

from django_scopes import scopes_disabled

from samen.core.roles import Role
from samen.core.tests.factories import bearer, member
from samen.workshops.models import Meeting

from .factories import MeetingFactory

URL = "/api/v1/municipalities/samenstad/meetings"


def test_plan_list_and_publish(client, coordinator, town):
    headers = bearer(coordinator)
    created = client.post(
        URL,
        {
            "format": "inspiration",
            "title": "Ondernemersontbijt",
            "starts_at": "2030-03-12T08:30:00+01:00",
            "place": "Visrestaurant De Haven",
        },
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["duration_minutes"] == 150 and "corebusiness" in body["goal"]
    assert body["ends_at"].startswith("2030-03-12T11:00")
    listed = client.get(URL, **headers).json()
    assert [m["title"] for m in listed] == ["Ondernemersontbijt"]
    published = client.post(f"{URL}/{body['id']}/publication", **headers)
    assert published.status_code == 201 and published.json()["activity_id"]


def test_wrong_input_is_a_problem(client, coordinator, town):
    headers = bearer(coordinator)
    response = client.post(
        URL,
        {"format": "feest", "title": "", "starts_at": "morgen", "place": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    exercise = MeetingFactory(municipality=town, format="colleagues")
    refused = client.post(f"{URL}/{exercise.pk}/publication", **headers)
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    with scopes_disabled():
        assert Meeting.objects.count() == 1


def test_only_the_coordinator_of_its_own_municipality(client, town, other_town):
    theirs = MeetingFactory(municipality=other_town)
    partner = bearer(member(town, Role.PARTNER))
    assert client.get(URL, **partner).status_code == 403
    mine = bearer(member(town, Role.COORDINATOR))
    assert client.post(f"{URL}/{theirs.pk}/publication", **mine).status_code == 404
    assert client.get("/api/v1/municipalities/tweestad/meetings", **mine).status_code == 404
