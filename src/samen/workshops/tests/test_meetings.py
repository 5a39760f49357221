"""Planning a meeting: the format first, then a form prefilled from the guide."""

from django.utils import timezone
from django_scopes import scopes_disabled

from samen.core.models import AuditEvent
from samen.core.roles import Role
from samen.core.tests.factories import member
from samen.workshops.models import Meeting

from .factories import MeetingFactory

BASE = "/samenstad/beheer/bijeenkomsten/"


def test_the_format_comes_first_then_goal_and_duration_from_the_guide(staff):
    page = staff.get(BASE + "nieuw/").content.decode()
    assert "Oefening met ambtelijke collega&#x27;s" in page
    assert "Inspiratiebijeenkomst ondernemers" in page and "Werksessie met partners" in page
    assert "?vorm=inspiration" in page
    form = staff.get(BASE + "nieuw/?vorm=inspiration").content.decode()
    assert 'value="150"' in form  # 2 to 3 hours
    assert "aansluiten bij hun corebusiness" in form
    colleagues = staff.get(BASE + "nieuw/?vorm=colleagues").content.decode()
    assert 'value="60"' in colleagues and "Collega-ambtenaren" in colleagues


def test_it_plans_a_meeting(staff, town):
    response = staff.post(
        BASE + "nieuw/",
        {
            "vorm": "inspiration",
            "title": "Ondernemersontbijt",
            "date": "2030-03-12",
            "time": "08:30",
            "duration_minutes": "120",
            "place": "Visrestaurant De Haven",
            "address": "Havenkade 8",
            "postcode": "9503 ef",
            "goal": "Ondernemers laten zien wat zij al doen.",
        },
    )
    with scopes_disabled():
        meeting = Meeting.objects.get()
        assert AuditEvent.objects.filter(action="workshops.create", object_id=meeting.pk).exists()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{meeting.pk}/"
    assert meeting.format == "inspiration" and meeting.postcode == "9503EF"
    assert timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y %H:%M") == "12-03-2030 08:30"
    detail = staff.get(response["Location"]).content.decode()
    assert "Ondernemersontbijt" in detail and "08:30–10:30" in detail


def test_wrong_input_gets_dutch_errors(staff):
    response = staff.post(
        BASE + "nieuw/",
        {"vorm": "working_session", "date": "12-13-2030", "time": "25:00", "duration_minutes": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dit veld is verplicht." in page and "Vul een geldige datum in." in page
    assert "Minimaal 15." in page
    with scopes_disabled():
        assert not Meeting.objects.exists()


def test_an_unknown_format_shows_the_choice_again(staff):
    response = staff.post(BASE + "nieuw/?vorm=feest", {"title": "x"})
    assert (
        response.status_code == 200
        and "Welke bijeenkomst wilt u plannen?" in response.content.decode()
    )


def test_editing_keeps_the_format(staff, town):
    meeting = MeetingFactory(municipality=town, format="working_session")
    form = staff.get(f"{BASE}{meeting.pk}/bewerken/").content.decode()
    assert meeting.title in form
    data = {
        "title": "Werksessie: in elkaars schoenen",
        "date": "2031-05-06",
        "time": "19:00",
        "duration_minutes": "120",
        "place": "Buurthuis De Wissel",
        "goal": "In elkaars schoenen staan.",
    }
    assert staff.post(f"{BASE}{meeting.pk}/bewerken/", data).status_code == 302
    meeting.refresh_from_db()
    assert (
        meeting.title == "Werksessie: in elkaars schoenen" and meeting.format == "working_session"
    )


def test_only_the_coordinator_and_only_of_its_own_municipality(client, town, other_town):
    ours = MeetingFactory(municipality=town)
    theirs = MeetingFactory(municipality=other_town)
    client.force_login(member(town, Role.PARTNER))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{ours.pk}/").status_code == 403
    client.force_login(member(town, Role.COORDINATOR))
    assert client.get(f"{BASE}{ours.pk}/").status_code == 200
    assert client.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert client.get(f"{BASE}{theirs.pk}/uitnodigen/").status_code == 404
    assert client.post(f"{BASE}{theirs.pk}/agenda/", {"action": "publish"}).status_code == 404
    assert client.get(f"/tweestad/beheer/bijeenkomsten/{theirs.pk}/").status_code == 404
    assert theirs.title not in client.get(BASE).content.decode() or theirs.title == ours.title


def test_the_staff_home_has_the_card(staff, town):
    MeetingFactory(municipality=town)
    page = staff.get("/samenstad/beheer/").content.decode()
    assert "Bijeenkomsten" in page and BASE in page


def test_the_list_shows_upcoming_and_past_meetings(staff, town):
    assert "Geen bijeenkomsten gepland." in staff.get(BASE).content.decode()
    MeetingFactory(municipality=town, title="Werksessie in maart")
    MeetingFactory(
        municipality=town,
        format="colleagues",
        title="Oefening van vorige maand",
        starts_at=timezone.now() - timezone.timedelta(days=30),
    )
    page = staff.get(BASE).content.decode()
    assert page.index("Werksessie in maart") < page.index("Geweest") < page.index("Oefening van")
