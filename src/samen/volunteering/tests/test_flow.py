"""The whole way: a need is posted, volunteers register, matching proposes with an explanation,
both sides accept, hours are logged and the programme manager sees participation move."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from samen.core.models import Membership, Organisation, User
from samen.core.tenancy import municipality_scope
from samen.volunteering import matching_run, selectors, services
from samen.volunteering.models import Match, Need, Programme, TimeEntry, Volunteer

BUDDY = {
    "kind": "buddy",
    "title": "Maatje voor meneer in de Lindelaan",
    "description": "Meneer van 88 wil graag wekelijks een wandeling maken.",
    "soft_skills": ["empathy", "patience", "listening"],
    "interests": ["elderly"],
    "volunteers_needed": "2",
    "half_days": ["tue_pm", "wed_pm"],
    "recurring": "on",
    "schedule": "Dinsdagmiddag",
    "postcode": "9501 AB",
    "min_age": "16",
    "half_days_per_match": "1",
    "hours_per_match": "3",
    "contact_name": "Anouk Meijer",
}


def young_birthday(age: int) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - age, day=1) - dt.timedelta(days=40)).isoformat()


MDT = {
    "first_name": "Sem",
    "last_name": "Bakker",
    "email": "sem@example.nl",
    "postcode": "9501AB",
    "max_distance_km": "5",
    "availability": ["wed_pm"],
    "soft_skills": ["empathy", "patience"],
    "interests": ["elderly"],
    "languages": ["nl"],
    "vog": "none",
}


def confirmation_link() -> str:
    """The link in the last confirmation mail (a volunteer exists only after it)."""
    from django.core import mail

    return re.search(r"/samenstad/vrijwilligers/bevestigen/\S+/", mail.outbox[-1].body).group(0)


@pytest.fixture
def fresh(samenstad, unscoped):
    """Only the needs of this test: the demo needs are closed."""
    Need.objects.update(status=Need.Status.CLOSED)
    return samenstad


def test_needs_first_the_right_person_and_participation_moves(client, login, user, fresh):
    welzijn = login("welzijn")
    # 1. The welfare organisation posts a buddy need.
    response = welzijn.post("/samenstad/beheer/vrijwilligerswerk/hulpvragen/nieuw/", BUDDY)
    assert response.status_code == 302, response.content.decode()[:3000]
    need = Need.objects.get(title=BUDDY["title"])
    assert need.organisation.slug == "welzijn-samenstad" and need.postcode == "9501AB"

    # 2. An MDT youngster registers without an account (16, no consent needed).
    client.logout()
    client.post("/samenstad/vrijwilligers/aanmelden/", {**MDT, "date_of_birth": young_birthday(16)})
    page = client.post(confirmation_link())
    assert page.status_code == 200 and "Welkom, Sem" in page.content.decode()
    personal_url = re.search(
        r'href="(http://testserver/samenstad/vrijwilligers/mijn/[^"]+)"', page.content.decode()
    ).group(1)
    sem = Volunteer.objects.get(email="sem@example.nl")
    assert sem.kind == "mdt" and sem.user is None

    # The company employee (Lotte) has a profile; she can be matched too.
    lotte = Volunteer.objects.get(user=user("volunteer"))
    Volunteer.objects.exclude(pk__in=[lotte.pk, sem.pk]).update(active=False)
    programme = lotte.programme
    before = selectors.programme_figures(programme)["participation"]

    # 3. The coordinator runs the matching and sees the explanation.
    coordinator = login("coordinator")
    page = coordinator.post("/samenstad/beheer/vrijwilligerswerk/koppelen/").content.decode()
    assert "Waarom dit voorstel" in page and "Soft skills" in page
    matches = Match.objects.filter(need=need)
    assert {m.volunteer for m in matches} == {sem, lotte}
    for m in matches:
        assert m.breakdown["soft_skills"] > 0 and m.score == sum(m.breakdown.values())

    # 4. The organisation approves both; Sem declines, Lotte accepts.
    welzijn = login("welzijn")
    url = f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{need.reference}/"
    assert "Waarom dit voorstel" in welzijn.get(url).content.decode()
    for m in matches:
        assert welzijn.post(url, {"action": "accept", "match": m.pk}).status_code == 302
    client.logout()
    sem_match = matches.get(volunteer=sem)
    response = client.post(personal_url, {"action": "decline", "match": sem_match.pk})
    assert response.status_code == 302
    volunteer_client = login("volunteer")
    lotte_match = matches.get(volunteer=lotte)
    page = volunteer_client.get("/samenstad/beheer/vrijwilligerswerk/mijn/").content.decode()
    assert BUDDY["title"] in page
    volunteer_client.post(
        "/samenstad/beheer/vrijwilligerswerk/mijn/", {"action": "accept", "match": lotte_match.pk}
    )
    lotte_match.refresh_from_db()
    assert lotte_match.status == "confirmed"
    sem_match.refresh_from_db()
    assert sem_match.status == "declined"

    # 5. Hours are proposed automatically; Lotte corrects, the organisation confirms in bulk.
    entry = TimeEntry.objects.get(match=lotte_match)
    assert entry.status == "proposed" and entry.hours == 3
    volunteer_client.post(
        "/samenstad/beheer/vrijwilligerswerk/mijn/",
        {
            "action": "hours",
            "entry": entry.pk,
            "date": timezone.localdate().isoformat(),
            "hours": "3.5",
        },
    )
    entry.refresh_from_db()
    assert entry.hours == 3.5 and entry.corrected_by_volunteer
    welzijn = login("welzijn")
    welzijn.post("/samenstad/beheer/vrijwilligerswerk/", {"action": "confirm_hours"})
    entry.refresh_from_db()
    assert entry.status == "confirmed"
    response = welzijn.post(
        url,
        {
            "action": "outcome",
            "match": lotte_match.pk,
            f"m{lotte_match.pk}-helped": "yes",
            f"m{lotte_match.pk}-people_reached": "1",
        },
    )
    assert response.status_code == 302
    assert Match.objects.get(pk=lotte_match.pk).people_reached == 1

    # 6. The programme manager sees participation move.
    page = login("programme").get("/samenstad/beheer/vrijwilligerswerk/programma/").content.decode()
    after = selectors.programme_figures(programme)
    assert after["participation"] > before
    assert f"{after['participation']}%" in page
    assert after["hours"] == 3.5 and after["people_reached"] == 1 and after["needs_served"] == 1

    # A declined pair is not proposed again; Sem gets nothing new for this need.
    call_command("match", "--municipality", "samenstad", stdout=StringIO())
    assert Match.objects.filter(need=need, volunteer=sem).count() == 1


def test_employee_joins_by_invitation_link_or_email_domain(client, fresh):
    programme = Programme.objects.get()
    data = {**MDT, "email": "kim@elders.example", "first_name": "Kim"}
    client.post(f"/samenstad/vrijwilligers/uitnodiging/{programme.invite_token}/", data)
    response = client.post(confirmation_link())
    assert response.status_code == 200 and "Welkom, Kim" in response.content.decode()
    assert Volunteer.objects.get(email="kim@elders.example").programme == programme
    # By domain, without the link.
    data = {**data, "email": "joep@telecom-samenstad.example", "first_name": "Joep"}
    client.post("/samenstad/vrijwilligers/medewerker/", data)
    assert "Welkom, Joep" in client.post(confirmation_link()).content.decode()
    assert Volunteer.objects.get(email=data["email"]).programme == programme
    # Another domain without a link: a Dutch form error, nothing stored.
    data = {**data, "email": "x@elders.example"}
    page = client.post("/samenstad/vrijwilligers/medewerker/", data).content.decode()
    assert "hoort niet bij een bedrijfsprogramma" in page
    assert not Volunteer.objects.filter(email="x@elders.example").exists()
    assert client.get("/samenstad/vrijwilligers/uitnodiging/onzin/").status_code == 404


@pytest.mark.parametrize(
    "age, consent, error",
    [
        (11, True, "12 tot en met 30"),
        (31, False, "12 tot en met 30"),
        (14, False, "e-mailadres van je ouder"),
    ],
)
def test_mdt_age_and_parental_consent(client, fresh, age, consent, error):
    data = {**MDT, "date_of_birth": young_birthday(age)}
    if consent:
        data.update(parent_name="Ouder", parent_email="ouder@example.nl")
    page = client.post("/samenstad/vrijwilligers/aanmelden/", data).content.decode()
    assert error in page
    assert not Volunteer.objects.filter(email=MDT["email"]).exists()


def test_under_16_with_consent_registers_and_bad_input_gives_dutch_errors(client, fresh):
    data = {**MDT, "date_of_birth": young_birthday(14),
            "parent_name": "Ouder", "parent_email": "ouder@example.nl"}  # fmt: skip
    client.post("/samenstad/vrijwilligers/aanmelden/", data)
    assert "Welkom" in client.post(confirmation_link()).content.decode()
    page = client.post(
        "/samenstad/vrijwilligers/aanmelden/",
        {
            "postcode": "abc",
            "date_of_birth": "gisteren",
            "availability": ["nooit"],
            "max_distance_km": "-3",
        },
    ).content.decode()
    for text in (
        "Vul een postcode in zoals 1234 AB",
        "Vul een datum in",
        "Kies een van de mogelijkheden",
        "Dit veld is verplicht",
    ):
        assert text in page


def _need(organisation_slug="welzijn-samenstad", **extra):
    with_defaults = {
        "kind": "buddy", "title": "Test", "description": "x", "postcode": "9501AB",
        "min_age": 16, "contact_name": "X", "volunteers_needed": 1, **extra,
    }  # fmt: skip
    organisation = Organisation.objects.get(slug=organisation_slug)
    return Need.objects.create(
        municipality=organisation.municipality, organisation=organisation, **with_defaults
    )


def test_hard_constraints_in_the_database(samenstad, fresh, user):
    """Age, VOG, availability, distance, budget and capacity, end to end."""
    lotte = Volunteer.objects.get(user=user("volunteer"))  # VOG valid, tue_pm/fri_am/wed_pm
    Volunteer.objects.exclude(pk=lotte.pk).update(active=False)
    cases = [
        _need(title="too young", min_age=99),
        _need(title="no time", half_days=["sun_am"]),
        _need(title="too far", postcode="8201AB"),
        _need(title="full", volunteers_needed=0),
        _need(title="too many half-days", half_days_per_match=3),
    ]
    with municipality_scope(samenstad):
        run = matching_run.run_matching(municipality=samenstad)
    assert run.result.assignments == []
    Volunteer.objects.filter(pk=lotte.pk).update(vog="none")
    vog = _need(title="vog", vog_required=True)
    ok = _need(title="ok", half_days=["tue_pm"])
    with municipality_scope(samenstad):
        run = matching_run.run_matching(municipality=samenstad)
    assert [(a.volunteer, a.need) for a in run.result.assignments] == [(lotte.pk, ok.pk)]
    assert vog and cases
    # The budget is now taken by the proposal (1 of 2 half-days); another needs 2: no.
    Match.objects.filter(volunteer=lotte).update(volunteer_decision="accepted", status="confirmed")
    _need(title="two half-days", half_days_per_match=2)
    with municipality_scope(samenstad):
        assert services.remaining_budget(lotte) == 1
        assert matching_run.run_matching(municipality=samenstad).result.assignments == []


def test_signaalpunt_referral_creates_a_buddy_need(samenstad, user, unscoped):
    organisation = Organisation.objects.get(slug="welzijn-samenstad")
    with municipality_scope(samenstad):
        need = services.create_buddy_need_from_referral(
            municipality=samenstad,
            organisation=organisation,
            actor=user("caseworker"),
            description="Mevrouw wil graag iemand om mee te wandelen.",
            postcode="9501 ab",
        )
    assert need.kind == "buddy" and need.source == "signaalpunt" and need.postcode == "9501AB"
    assert need.vog_required and "empathy" in need.soft_skills


def test_match_command_json(samenstad, unscoped):
    out = StringIO()
    call_command("match", "--municipality", "samenstad", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["proposals"] == len(data["matches"]) > 0 and data["certified_optimal"]
    first = data["matches"][0]
    assert set(first["breakdown"]) == {"soft_skills", "interests", "skills", "distance"}
    assert Match.objects.count() == data["proposals"]


@pytest.fixture
def other_programme(samenstad, unscoped):
    """A second company programme with its own manager and one confirmed match."""
    school = Organisation.objects.get(slug="sportschool-in-beweging")
    year = timezone.localdate().year
    programme = Programme.objects.create(
        municipality=samenstad, organisation=school, name="In Beweging doet mee",
        period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
    )  # fmt: skip
    manager = User.objects.create_user("manager2", password="x")
    Membership.objects.create(
        user=manager, municipality=samenstad, role="programme", organisation=school
    )
    volunteer = Volunteer.objects.create(
        municipality=samenstad, kind="employee", programme=programme, first_name="Geheim",
        last_name="Collega", email="g@inbeweging.example", postcode="9501AB", token_hash="h2",
    )  # fmt: skip
    need = _need(title="x")
    Match.objects.create(municipality=samenstad, need=need, volunteer=volunteer, programme=programme,
                         status="confirmed", people_reached=7)  # fmt: skip
    return programme


def test_no_programme_manager_sees_another_programme(client, login, bearer, other_programme):
    page = login("programme").get("/samenstad/beheer/vrijwilligerswerk/programma/").content.decode()
    assert "Telecom Samenstad Fonds" in page and other_programme.name not in page
    response = login("programme").get(
        f"/samenstad/beheer/vrijwilligerswerk/programma/?programma={other_programme.pk}"
    )
    assert response.status_code == 404
    api = client.get("/api/v1/municipalities/samenstad/programme-figures", **bearer("programme"))
    assert [row["programme"] for row in api.json()] == ["Telecom Samenstad Fonds: Mooiste Contact"]
    assert api.json()[0]["people_reached"] == 0
    client.force_login(User.objects.get(username="manager2"))
    page = client.get("/samenstad/beheer/vrijwilligerswerk/programma/").content.decode()
    assert other_programme.name in page and "Telecom" not in page
    assert ">7<" in page  # people reached


def test_organisations_see_only_their_own_needs(login, fresh):
    other = _need(organisation_slug="bibliotheek-samenstad", title="Alleen voor de bieb")
    welzijn = login("welzijn")
    assert (
        "Alleen voor de bieb"
        not in welzijn.get("/samenstad/beheer/vrijwilligerswerk/").content.decode()
    )
    url = f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{other.reference}/"
    assert welzijn.get(url).status_code == 404
    assert login("partner").get(url).status_code == 200
    assert login("caseworker").get(url).status_code == 404
    assert login("coordinator").get(url).status_code == 200
    assert login("programme").get("/samenstad/beheer/vrijwilligerswerk/").status_code == 403


def test_api_needs_matches_and_runs(client, bearer, fresh):
    headers = bearer("welzijn")
    bad = client.post(
        "/api/v1/municipalities/samenstad/volunteer-needs",
        data={"title": "", "postcode": "nope", "volunteers_needed": 0},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    reasons = {p["name"]: p["reason"] for p in bad.json()["invalidParams"]}
    assert reasons["postcode"] == "Vul een postcode in zoals 1234 AB."
    assert "title" in reasons and "volunteers_needed" in reasons
    payload = {key: value for key, value in BUDDY.items() if key != "recurring"}
    # JSON types, strictly: numbers as numbers (a string "1" is refused since issue 11).
    payload.update(volunteers_needed=1, min_age=16, half_days_per_match=1, hours_per_match=3)
    created = client.post(
        "/api/v1/municipalities/samenstad/volunteer-needs", data=payload,
        content_type="application/json", **headers,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["organisation"] == "welzijn-samenstad"
    assert (
        client.post("/api/v1/municipalities/samenstad/matching-runs", **headers).status_code == 403
    )
    run = client.post("/api/v1/municipalities/samenstad/matching-runs", **bearer("coordinator"))
    assert run.status_code == 201 and run.json()["certified_optimal"]
    mine = client.get("/api/v1/municipalities/samenstad/volunteer-matches", **headers).json()
    assert mine and all(m["explanation"][0]["criterion"] == "soft_skills" for m in mine)
    decision = client.post(
        f"/api/v1/municipalities/samenstad/volunteer-matches/{mine[0]['id']}/decisions",
        data={"decision": "decline"}, content_type="application/json", **headers,
    )  # fmt: skip
    assert decision.status_code == 200 and decision.json()["status"] == "declined"
    again = client.post(
        f"/api/v1/municipalities/samenstad/volunteer-matches/{mine[0]['id']}/decisions",
        data={"decision": "accept"}, content_type="application/json", **headers,
    )  # fmt: skip
    # Already decided: a conflict with the current state (409), not bad input.
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


def test_staff_cards_per_role(samenstad, user, unscoped):
    with municipality_scope(samenstad):
        assert selectors.staff_card(samenstad, user("caseworker")) is None
        assert selectors.staff_card(samenstad, user("welzijn"))["title"] == "Vrijwilligerswerk"
        assert selectors.staff_card(samenstad, user("programme"))["figure"].endswith("%")
        assert (
            selectors.staff_card(samenstad, user("volunteer"))["title"] == "Mijn vrijwilligerswerk"
        )


def test_pages_render_for_each_role(login, samenstad):
    for username, path in [
        ("welzijn", "/samenstad/beheer/vrijwilligerswerk/"),
        ("welzijn", "/samenstad/beheer/vrijwilligerswerk/hulpvragen/nieuw/"),
        ("coordinator", "/samenstad/beheer/vrijwilligerswerk/koppelen/"),
        ("coordinator", "/samenstad/beheer/vrijwilligerswerk/programma/"),
        ("volunteer", "/samenstad/beheer/vrijwilligerswerk/mijn/"),
        ("volunteer", "/samenstad/beheer/vrijwilligerswerk/mijn/?profiel=1"),
        ("programme", "/samenstad/beheer/vrijwilligerswerk/programma/?van=2026-13-01&tot=x"),
        ("welzijn", "/samenstad/beheer/"),
    ]:
        assert login(username).get(path).status_code == 200, (username, path)
