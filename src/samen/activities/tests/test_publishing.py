"""Organisations join in two minutes and publish by hand or by feed."""

import re
from pathlib import Path

from django.core import mail

from samen.activities.models import Activity, Feed, Occurrence, Registration
from samen.core.models import Organisation

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bibliotheek-samenstad.ics"


def test_join_with_a_feed_preview_confirm_and_approval(client, login, samenstad, unscoped):
    data = {
        "name": "Buurtvereniging De Linde",
        "email": "info@delinde.example",
        "website": "delinde.example",
        "feed_url": "https://nergens.invalid/agenda.ics",
    }
    # An address that cannot be read is a form error, nothing is stored.
    response = client.post("/samenstad/meedoen/", data)
    assert "Dit adres konden we niet lezen." in response.content.decode()
    assert not Organisation.objects.filter(name="Buurtvereniging De Linde").exists()
    data["feed_url"] = ""
    response = client.post("/samenstad/meedoen/", data)
    assert "We hebben een e-mail gestuurd" in response.content.decode()
    assert not Organisation.objects.filter(name="Buurtvereniging De Linde").exists()
    link = re.search(r"http\S+/meedoen/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    page = client.post(link.split("8000")[-1]).content.decode()
    assert "De regisseur van de gemeente kijkt uw aanmelding na" in page
    organisation = Organisation.objects.get(name="Buurtvereniging De Linde")
    assert organisation.website == "https://delinde.example"
    registration = Registration.objects.get(organisation=organisation)
    assert registration.email_confirmed_at and not registration.is_active
    login("coordinator").post("/samenstad/beheer/aanmeldingen/", {"registration": registration.pk})
    registration.refresh_from_db()
    assert registration.is_active


def test_join_preview_shows_what_was_found(client, samenstad, fake_server, unscoped):
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    data = {
        "name": "Bieb Noord",
        "email": "noord@bieb.example",
        "feed_url": fake_server.url + "/agenda.ics",
    }
    body = client.post("/samenstad/meedoen/", data).content.decode()
    assert (
        "Gevonden: iCalendar-agenda met 3 items" in body
        and "Koffieochtend in de bibliotheek" in body
    )
    assert not Organisation.objects.filter(name="Bieb Noord").exists()  # preview saves nothing
    client.post("/samenstad/meedoen/", {**data, "step": "confirm"})
    assert not Feed.objects.filter(organisation__name="Bieb Noord").exists()  # not confirmed
    client.post(re.search(r"/samenstad/meedoen/bevestigen/\S+/", mail.outbox[-1].body).group(0))
    feed = Feed.objects.get(organisation__name="Bieb Noord")
    assert not feed.is_active and not Activity.objects.filter(feed=feed).exists()


def test_confirmed_join_without_approval_imports_the_feed(client, samenstad, fake_server, unscoped):
    samenstad.require_organisation_approval = False
    samenstad.save()
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    client.post(
        "/samenstad/meedoen/",
        {
            "name": "Bieb Zuid",
            "email": "zuid@bieb.example",
            "feed_url": fake_server.url + "/agenda.ics",
            "step": "confirm",
        },
    )
    link = re.search(r"/samenstad/meedoen/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    assert "bij de volgende ronde ingelezen" in client.post(link).content.decode()
    from samen.activities.services import refresh_all_feeds

    refresh_all_feeds()  # in-process tasks: the next round imports it
    assert Activity.objects.filter(organisation__name="Bieb Zuid").count() == 3
    assert client.get("/samenstad/meedoen/bevestigen/vervalst/").status_code == 400


def test_join_errors_are_dutch(client, samenstad):
    body = client.post(
        "/samenstad/meedoen/", {"name": "", "email": "geen", "feed_url": "ftp://x"}
    ).content.decode()
    assert "Vul de naam van uw organisatie in." in body
    assert "Vul een geldig e-mailadres in" in body
    assert "begint met https://" in body


def test_partner_adds_a_recurring_activity_by_hand(login, samenstad, unscoped):
    client = login("partner")
    response = client.post(
        "/samenstad/beheer/activiteiten/nieuw/",
        {
            "title": "Voorleesmiddag",
            "description": "Voorlezen voor ouderen",
            "categories": ["culture", "meeting"],
            "date": "2026-12-01",
            "start_time": "14:00",
            "end_time": "15:30",
            "repeat": "MONTHLY_NTH",
            "venue": "Bibliotheek",
            "postcode": "9501 GH",
            "is_free": "on",
            "wheelchair": "on",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Voorleesmiddag")
    assert (
        activity.rrule == "FREQ=MONTHLY;BYDAY=1TU"
        and activity.organisation.slug == "bibliotheek-samenstad"
    )
    assert Occurrence.objects.filter(activity=activity).count() >= 3
    page = client.get(response["Location"]).content.decode()
    assert "elke 1e dinsdag van de maand, 14:00–15:30 uur" in page


def test_activity_form_errors_are_dutch_and_store_nothing(login, samenstad, unscoped):
    before = Activity.objects.count()
    body = (
        login("partner")
        .post(
            "/samenstad/beheer/activiteiten/nieuw/",
            {
                "title": "",
                "date": "morgen",
                "start_time": "10:00",
                "end_time": "09:00",
                "postcode": "12",
            },
        )
        .content.decode()
    )
    assert (
        "Geef de activiteit een titel." in body
        and "Vul een datum in." in body
        and "Vul een postcode in zoals 1234 AB." in body
    )
    assert Activity.objects.count() == before


def test_partners_cannot_edit_other_organisations_activities(login, samenstad, unscoped):
    other = Activity.objects.get(title="Wandelvoetbal voor 60-plussers")
    assert login("partner").get(f"/samenstad/beheer/activiteiten/{other.pk}/").status_code == 404
    assert login("caseworker").get("/samenstad/beheer/activiteiten/").status_code == 403
