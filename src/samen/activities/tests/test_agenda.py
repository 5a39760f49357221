"""Residents find activities, subscribe, print; partners embed; the API returns occurrences."""

import datetime as dt

import icalendar
import pytest
from django.utils.html import escape

from samen.activities.models import Activity
from samen.core.places import OfflineGeocoder, PdokGeocoder
from samen.core.tests.factories import MunicipalityFactory

API = "/api/v1/activities"


@pytest.fixture
def town(db):
    """Samenstad without the demo's activities: for the tests of bad input."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


def titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_a_resident_finds_a_coffee_morning_near_a_postcode_this_week(client, samenstad):
    page = client.get(
        "/samenstad/agenda/",
        {"near": "9501 AB", "radius_km": "5", "category": "meeting", "when": "week"},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Koffieochtend in de bibliotheek" in body and "km" in body
    assert "Wandelvoetbal" not in body  # exercise, not meeting


def test_api_filters_category_distance_price_and_access(client, samenstad):
    near = {"municipality": "samenstad", "near": "9501AB", "radius_km": 5}
    everything = titles(client.get(API, near))
    assert "Samen eten aan de haven" in everything
    assert "Samen eten aan de haven" not in titles(client.get(API, {**near, "free": "true"}))
    accessible = titles(client.get(API, {**near, "accessible": "true"}))
    assert (
        "Bewegen met Parkinson" in accessible and "Wandelvoetbal voor 60-plussers" not in accessible
    )
    assert set(titles(client.get(API, {**near, "category": "exercise"}))) == {
        "Wandelvoetbal voor 60-plussers",
        "Bewegen met Parkinson",
    }
    # Tweestad's inloop is ~50 km away.
    assert "Inloopochtend Tweestad" not in titles(
        client.get(API, {"near": "9501AB", "radius_km": 10})
    )
    assert "Inloopochtend Tweestad" in titles(client.get(API, {"near": "8201", "radius_km": 10}))


def test_api_returns_sorted_paginated_occurrences_with_distance(client, samenstad):
    body = client.get(
        API, {"municipality": "samenstad", "near": "52.7010,6.1960", "page_size": 3}
    ).json()
    assert body["count"] >= 9 and len(body["results"]) == 3 and body["page"] == 1
    starts = [row["starts_at"] for row in body["results"]]
    assert starts == sorted(starts)
    assert all(
        row["distance_km"] is not None and row["distance_km"] < 10 for row in body["results"]
    )
    second = client.get(
        API, {"municipality": "samenstad", "near": "52.7010,6.1960", "page_size": 3, "page": 2}
    ).json()
    assert {r["starts_at"] + r["title"] for r in second["results"]}.isdisjoint(
        {r["starts_at"] + r["title"] for r in body["results"]}
    )


def test_api_date_range(client, samenstad):
    start = dt.date.today() + dt.timedelta(days=30)
    body = client.get(
        API,
        {
            "municipality": "samenstad",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=6)).isoformat(),
        },
    ).json()
    assert body["results"] and all(
        row["starts_at"][:10] >= start.isoformat() for row in body["results"]
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "nergens"}, None),
        ({"category": "bogus"}, "category"),
        ({"start": "gisteren"}, "start"),
        ({"radius_km": "ver"}, "radius_km"),
        ({"page": 0}, "page"),
        ({"start": "2026-12-10", "end": "2026-12-01"}, None),
    ],
)
def test_api_bad_filters_are_problem_json(client, town, params, field):
    response = client.get(API, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert response.json()["invalidParams"][0]["name"] == field


def test_unknown_place_is_a_dutch_error_on_the_page(client, town):
    body = client.get("/samenstad/agenda/", {"near": "Atlantis"}).content.decode()
    assert "Deze plaats of postcode kennen we niet" in body


def test_activity_page_carries_schema_org_event(client, samenstad, unscoped):
    activity = Activity.objects.get(title="Samen eten aan de haven")
    body = client.get(f"/samenstad/activiteiten/{activity.pk}/").content.decode()
    assert '"@type": "Event"' in body and '"priceCurrency": "EUR"' in body
    assert "elke " in body and "van de maand" in body  # plain Dutch schedule


def test_json_ld_cannot_break_out_of_its_script(client, samenstad, unscoped):
    activity = Activity.objects.get(title="Samen eten aan de haven")
    Activity.objects.filter(pk=activity.pk).update(title="</script><script>alert(1)</script>")
    body = client.get(f"/samenstad/activiteiten/{activity.pk}/").content.decode()
    assert "</script><script>alert(1)" not in body


def test_calendar_subscription_keeps_recurrence(client, samenstad, unscoped):
    response = client.get("/samenstad/agenda.ics", {"category": "meeting"})
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert "RRULE" in events["Koffieochtend in de bibliotheek"]
    assert "Wandelvoetbal voor 60-plussers" not in events
    activity = Activity.objects.get(title="Digicafé: hulp bij uw telefoon en DigiD")
    single = icalendar.Calendar.from_ical(
        client.get(f"/samenstad/activiteiten/{activity.pk}.ics").content
    )
    vevents = single.walk("VEVENT")
    assert any("RRULE" in e for e in vevents) and any("RECURRENCE-ID" in e for e in vevents)


def test_rss_of_the_agenda(client, samenstad):
    response = client.get("/samenstad/agenda.rss", {"near": "9501AB"})
    assert response["Content-Type"].startswith("application/rss+xml")
    assert b"<item>" in response.content and b"Koffieochtend" in response.content


def test_print_week_agenda_per_neighbourhood(client, samenstad):
    body = client.get("/samenstad/agenda/print/", {"near": "9502", "radius_km": 2}).content.decode()
    assert "samen/print.css" in body and "Breien &amp; haken" in body
    assert "Inloopochtend Tweestad" not in body


def test_embed_can_be_framed_and_shows_one_organisation(client, samenstad):
    response = client.get("/samenstad/agenda/embed/", {"organisatie": "bibliotheek-samenstad"})
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert "Koffieochtend" in body and "Wandelvoetbal" not in body
    assert client.get("/samenstad/agenda/").get("X-Frame-Options") == "DENY"


def test_offline_geocoder_and_lat_lon():
    assert OfflineGeocoder().geocode("9501 AB").latitude == pytest.approx(52.701)
    assert OfflineGeocoder().geocode("0000XX") is None


def test_pdok_adapter_against_a_recorded_response(fake_server):
    from pathlib import Path

    recorded = Path(__file__).parent / "recorded"
    fake_server.routes["/free"] = (
        "application/json",
        (recorded / "pdok-free-9501AB.json").read_bytes(),
    )
    point = PdokGeocoder(fake_server.url).geocode("9501AB")
    assert (point.latitude, point.longitude) == (52.70097, 6.19612)
    assert "q=9501AB" in fake_server.requests[-1]["path"]
    fake_server.routes["/free"] = (
        "application/json",
        (recorded / "pdok-free-empty.json").read_bytes(),
    )
    assert PdokGeocoder(fake_server.url).geocode("0000XX") is None
    assert PdokGeocoder("http://127.0.0.1:9").geocode("9501AB") is None  # unreachable: no crash


def test_the_agenda_page_and_the_api_find_the_same(client, samenstad):
    today = dt.date.today()
    query = {"near": "9501AB", "radius_km": 10, "start": today, "end": today + dt.timedelta(28)}
    api = client.get(API, {"municipality": "samenstad", **query, "page_size": 100}).json()
    page = client.get("/samenstad/agenda/", query).content.decode()
    assert api["count"] > 20  # more than one page of the agenda
    assert f"{api['count']} activiteiten gevonden" in page
    first_page = [escape(row["title"]) for row in api["results"][:20]]
    assert all(title in page for title in first_page)


def test_a_search_runs_the_same_few_queries_however_many_match(
    client, samenstad, django_assert_max_num_queries
):
    # The long-running occurrences' ids, step 1 (values of every match), step 2 (the page's
    # rows), the page's municipalities.
    with django_assert_max_num_queries(4):
        body = client.get(
            API, {"start": dt.date.today(), "end": dt.date.today() + dt.timedelta(28)}
        ).json()
    assert body["count"] >= 20


def test_the_api_shows_an_activity_listed_twice_once(client, library_listed_twice):
    rows = client.get(API, {"municipality": "samenstad", "q": "Koffieochtend"}).json()["results"]
    starts = [row["starts_at"] for row in rows]
    assert rows and len(starts) == len(set(starts))
    assert all(row["also_listed_by"] == ["Welzijn Samenstad"] for row in rows)


@pytest.fixture
def library_listed_twice(samenstad, unscoped):
    from samen.activities import services
    from samen.core.models import Organisation

    welfare = Organisation.objects.get(municipality=samenstad, slug="welzijn-samenstad")
    library = Organisation.objects.get(municipality=samenstad, slug="bibliotheek-samenstad")
    services.import_feed(
        feed=services.add_feed(organisation=welfare, url=library.feeds.get().url), local_files=True
    )


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("name", ["start", "end"])
def test_far_away_dates_are_a_dutch_error_not_an_overflow(name, value):
    from samen.activities.selectors import parse_search

    search = parse_search({name: value})
    assert search.errors == {name: "Kies een datum tussen 1900 en 2100."}
    assert search.start < search.end
