"""A meeting in the agenda: an activity of the municipality's own organisation."""

import pytest
from django.core.exceptions import ValidationError

from samen.activities.models import Activity
from samen.core.tenancy import municipality_scope
from samen.workshops import services

from .factories import MeetingFactory

BASE = "/samenstad/beheer/bijeenkomsten/"


def test_publish_and_unpublish(staff, client, town):
    meeting = MeetingFactory(municipality=town, title="Ondernemers tegen eenzaamheid")
    response = staff.post(f"{BASE}{meeting.pk}/agenda/", {"action": "publish"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.activity_id is not None
    agenda = staff.get("/samenstad/agenda/?when=month").content.decode()
    assert "Ondernemers tegen eenzaamheid" in agenda and "Gemeente Samenstad" in agenda
    activity = staff.get(f"/samenstad/activiteiten/{meeting.activity_id}/")
    assert activity.status_code == 200
    # an edit of the meeting is an edit in the agenda
    with municipality_scope(town):
        services.update_meeting(
            meeting=meeting, actor=response.wsgi_request.user, data={"title": "Ondernemersontbijt"}
        )
    assert "Ondernemersontbijt" in staff.get("/samenstad/agenda/?when=month").content.decode()
    staff.post(f"{BASE}{meeting.pk}/agenda/", {"action": "unpublish"})
    meeting.refresh_from_db()
    assert meeting.activity_id is None
    assert "Ondernemersontbijt" not in staff.get("/samenstad/agenda/?when=month").content.decode()


def test_publishing_twice_makes_one_activity(coordinator, town):
    meeting = MeetingFactory(municipality=town)
    with municipality_scope(town):
        services.publish(meeting=meeting, actor=coordinator)
        first = meeting.activity_id
        services.publish(meeting=meeting, actor=coordinator)
        assert meeting.activity_id == first
        assert Activity.objects.count() == 1


def test_the_colleagues_exercise_stays_internal(staff, coordinator, town):
    exercise = MeetingFactory(municipality=town, format="colleagues")
    with pytest.raises(ValidationError):
        services.publish(meeting=exercise, actor=coordinator)
    response = staff.post(f"{BASE}{exercise.pk}/agenda/", {"action": "publish"}, follow=True)
    assert "is intern en komt niet in de agenda" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.activity_id is None


def test_a_get_publishes_nothing(staff, town):
    meeting = MeetingFactory(municipality=town)
    assert staff.get(f"{BASE}{meeting.pk}/agenda/").status_code == 405
