"""Issue #15's done-when: a coordinator plans an inspiration meeting in the browser and it
shows in the agenda. And the demo: one meeting of each format in Samenstad."""

import datetime as dt

from django.utils import timezone
from django_scopes import scopes_disabled

from samen.workshops.models import Meeting


def test_a_coordinator_plans_an_inspiration_meeting_that_shows_in_the_agenda(login, samenstad):
    client = login("coordinator")
    day = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    choose = client.get("/samenstad/beheer/bijeenkomsten/nieuw/").content.decode()
    assert "?vorm=inspiration" in choose
    planned = client.post(
        "/samenstad/beheer/bijeenkomsten/nieuw/?vorm=inspiration",
        {
            "title": "Inspiratieavond winkeliers",
            "date": day,
            "time": "19:30",
            "duration_minutes": "150",
            "place": "Theater De Schouwburg",
            "goal": "Helder krijgen wat ondernemers kunnen doen.",
        },
    )
    detail = planned["Location"]
    published = client.post(detail + "agenda/", {"action": "publish"}, follow=True)
    assert "De bijeenkomst staat in de agenda." in published.content.decode()
    agenda = client.get(f"/samenstad/agenda/?start={day}&end={day}").content.decode()
    assert "Inspiratieavond winkeliers" in agenda


def test_the_demo_has_one_meeting_of_each_format(samenstad):
    with scopes_disabled():
        meetings = Meeting.objects.filter(municipality=samenstad)
        assert sorted(meetings.values_list("format", flat=True)) == [
            "colleagues",
            "inspiration",
            "working_session",
        ]
        assert meetings.get(format="inspiration").activity_id is not None
