"""Issue 12 for volunteers: erasure (by themselves, the coordinator or the privacy officer),
the AVG art. 15 export, retention, and the parent's confirmation for under-16s."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from samen.core import capabilities
from samen.core.models import AuditEvent, Organisation, Signup
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory
from samen.volunteering import matching_run, retention, selectors, tasks
from samen.volunteering.models import Match, Need, TimeEntry, Volunteer, hash_token
from samen.volunteering.tests.test_flow import MDT, confirmation_link, young_birthday

REGISTER = "/samenstad/vrijwilligers/aanmelden/"


@pytest.fixture
def town(db):
    """Samenstad without the demo's rows: for the tests that make every volunteer they use."""
    return MunicipalityFactory(slug="samenstad", name="Samenstad")


def _volunteer(municipality, token="geheim-" + "x" * 20, **extra) -> Volunteer:
    fields = {
        "kind": Volunteer.Kind.RESIDENT,
        "first_name": "Bram",
        "last_name": "Markeerman",
        "email": "bram@example.nl",
        "postcode": "9501AB",
        "availability": ["wed_pm"],
        "soft_skills": ["empathy"],
        "interests": ["elderly"],
        **extra,
    }
    return Volunteer.objects.create(
        municipality=municipality, token_hash=hash_token(token), **fields
    )


def _need(municipality, **extra) -> Need:
    organisation = Organisation.objects.get(slug="welzijn-samenstad")
    fields = {
        "kind": "buddy", "title": "Wandelmaatje", "description": "x", "postcode": "9501AB",
        "min_age": 12, "contact_name": "X", "volunteers_needed": 1, **extra,
    }  # fmt: skip
    return Need.objects.create(municipality=municipality, organisation=organisation, **fields)


def _matched(municipality, volunteer):
    """A confirmed match with confirmed hours and an outcome, and an open proposal."""
    done = Match.objects.create(
        municipality=municipality,
        need=_need(municipality, title="Gedaan"),
        volunteer=volunteer,
        programme=volunteer.programme,
        status=Match.Status.CONFIRMED,
        organisation_decision="accepted",
        volunteer_decision="accepted",
        confirmed_at=timezone.now(),
        distance_km=1.5,
        breakdown={"soft_skills": 300},
        score=300,
        people_reached=2,
        helped="yes",
        outcome_note="Bram Markeerman was geweldig",
    )
    TimeEntry.objects.create(
        municipality=municipality,
        match=done,
        date=timezone.localdate(),
        hours=3,
        half_days=1,
        status=TimeEntry.Status.CONFIRMED,
    )
    proposal = Match.objects.create(
        municipality=municipality, need=_need(municipality, title="Voorstel"), volunteer=volunteer
    )
    return done, proposal


def _no_person_in_audit():
    for event in AuditEvent.objects.all():
        assert "Markeerman" not in str(event.detail) and "bram@" not in str(event.detail)


# --- erase ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, action", [("fg", "privacy.erase"), ("coordinator", "volunteer.erase")]
)
def test_privacy_officer_and_coordinator_erase_a_volunteer(
    samenstad, user, unscoped, username, action
):
    with municipality_scope(samenstad):
        bram = _volunteer(samenstad)
        done, proposal = _matched(samenstad, bram)
        pk = bram.pk
        retention.erase_volunteer(volunteer=bram, actor=user(username), reason="request")
    assert not Volunteer.objects.filter(email="bram@example.nl").exists()
    assert not Match.objects.filter(pk=proposal.pk).exists()
    # The confirmed match keeps the hours and the outcome count, without the person.
    done.refresh_from_db()
    assert done.volunteer is None and done.outcome_note == "" and done.distance_km is None
    assert done.breakdown == {} and done.people_reached == 2
    assert TimeEntry.objects.get(match=done).hours == 3
    line = AuditEvent.objects.get(action=action)
    assert line.actor == user(username) and line.object_id == str(pk)
    assert line.detail["reason"] == "request"
    _no_person_in_audit()


def test_a_volunteer_erases_themself_and_nobody_else_may(samenstad, tweestad, user, unscoped):
    with municipality_scope(samenstad):
        lotte = Volunteer.objects.get(user=user("volunteer"))
        bram = _volunteer(samenstad)
        for username in ("volunteer", "partner", "caseworker", "programme"):
            with pytest.raises(PermissionDenied):
                retention.erase_volunteer(volunteer=bram, actor=user(username), reason="request")
        with pytest.raises(PermissionDenied):
            retention.erase_volunteer(volunteer=bram, actor=None, reason="self")
        pks = [lotte.pk, bram.pk]
        retention.erase_volunteer(volunteer=lotte, actor=user("volunteer"), reason="self")
        retention.erase_volunteer(volunteer=bram, actor=None, reason="self", by_link=True)
    assert not Volunteer.objects.filter(pk__in=pks).exists()
    assert AuditEvent.objects.filter(action="volunteer.erase").count() == 2
    # The login account stays (the coordinator removes accounts); its profile is gone.
    assert user("volunteer").is_active


def test_privacy_officer_of_another_municipality_may_not_erase(samenstad, tweestad, unscoped):
    from samen.core.models import Membership, User
    from samen.core.roles import Role

    other = User.objects.create(username="fg-tweestad")
    Membership.objects.create(user=other, municipality=tweestad, role=Role.PRIVACY_OFFICER)
    with municipality_scope(samenstad):
        bram = _volunteer(samenstad)
        with pytest.raises(PermissionDenied):
            retention.erase_volunteer(volunteer=bram, actor=other, reason="request")
    assert Volunteer.objects.filter(pk=bram.pk).exists()


def test_export_for_an_access_request_and_find_by_email(samenstad, tweestad, user, unscoped):
    with municipality_scope(samenstad):
        bram = _volunteer(samenstad, phone="0612345678")
        _matched(samenstad, bram)
        found = selectors.volunteers_by_email(samenstad, "  BRAM@example.nl ")
        export = retention.export_volunteer(bram, actor=user("fg"))
    assert found == [bram]
    with municipality_scope(tweestad):
        assert selectors.volunteers_by_email(tweestad, "bram@example.nl") == []
    profile = export["Profiel"]
    assert profile["Voornaam"] == "Bram" and profile["E-mailadres"] == "bram@example.nl"
    assert profile["Telefoon"] == "0612345678"
    assert "Ouderen" in profile["Interesses"] and "woensdagmiddag" in profile["Dagdelen"]
    titles = [m["Hulpvraag"] for m in export["Koppelingen"]]
    assert sorted(titles) == ["Gedaan", "Voorstel"]
    (hours,) = export["Uren"]
    assert (hours["Hulpvraag"], hours["Datum"], hours["Uren"], hours["Status"]) == (
        "Gedaan",
        timezone.localdate(),
        3,
        "Bevestigd",
    )
    done = next(m for m in export["Koppelingen"] if m["Hulpvraag"] == "Gedaan")
    assert done["Waarom voorgesteld"]["Soft skills"].startswith("300 / ")  # the explanation
    assert done["Aantal mensen bereikt"] == 2 and done["Geholpen"]
    line = AuditEvent.objects.get(action="privacy.export")
    assert line.object_id == str(bram.pk) and line.actor == user("fg")
    _no_person_in_audit()


def test_only_the_volunteer_the_coordinator_or_the_privacy_officer_export(
    samenstad, user, unscoped
):
    with municipality_scope(samenstad):
        bram = _volunteer(samenstad)
        for username in ("caseworker", "partner", "programme"):
            with pytest.raises(PermissionDenied):
                retention.export_volunteer(bram, actor=user(username))
        with pytest.raises(PermissionDenied):
            retention.export_volunteer(bram, actor=None)
        assert retention.export_volunteer(bram, actor=user("coordinator"))["Profiel"]


# --- self-service pages --------------------------------------------------------------------


def test_delete_by_personal_link(client, town, unscoped):
    with municipality_scope(town):
        bram = _volunteer(town, token="persoonlijk-" + "y" * 20)
    page_url = "/samenstad/vrijwilligers/mijn/persoonlijk-" + "y" * 20 + "/"
    page = client.get(page_url).content.decode()
    assert "Mijn aanmelding verwijderen" in page
    delete_url = page_url + "verwijderen/"
    assert f'href="{delete_url}"' in page
    confirm = client.get(delete_url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    pk = bram.pk
    assert Volunteer.objects.filter(pk=pk).exists()  # a GET deletes nothing
    done = client.post(delete_url)
    assert done.status_code == 200
    assert "Je aanmelding is verwijderd" in done.content.decode()
    assert not Volunteer.objects.filter(pk=pk).exists()
    assert client.get(page_url).status_code == 404
    assert client.post(delete_url).status_code == 404


def test_the_delete_form_needs_its_csrf_token(town, unscoped):
    from django.test import Client

    with municipality_scope(town):
        bram = _volunteer(town, token="persoonlijk-" + "z" * 20)
    strict = Client(enforce_csrf_checks=True)
    url = "/samenstad/vrijwilligers/mijn/persoonlijk-" + "z" * 20 + "/verwijderen/"
    assert strict.post(url).status_code == 403
    assert Volunteer.objects.filter(pk=bram.pk).exists()


def test_delete_by_account(login, user, unscoped):
    client = login("volunteer")
    page = client.get("/samenstad/beheer/vrijwilligerswerk/mijn/").content.decode()
    assert "Mijn aanmelding verwijderen" in page
    url = "/samenstad/beheer/vrijwilligerswerk/mijn/verwijderen/"
    assert 'method="post"' in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Je aanmelding is verwijderd" in response.content.decode()
    assert not Volunteer.objects.filter(user=user("volunteer")).exists()
    # Without a profile the page offers to make one again; nothing to delete.
    assert client.get(url).status_code == 302


# --- retention -----------------------------------------------------------------------------


def _long_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_idle_volunteers_are_deleted_after_two_years(samenstad, user, settings, unscoped):
    settings.SAMEN_VOLUNTEER_IDLE_DAYS = 730
    with municipality_scope(samenstad):
        idle = _volunteer(samenstad, email="idle@example.nl", token="t1" * 12)
        new = _volunteer(samenstad, email="new@example.nl", token="t2" * 12)
        matched = _volunteer(samenstad, email="matched@example.nl", token="t3" * 12)
        _matched(samenstad, matched)
        worked = _volunteer(samenstad, email="worked@example.nl", token="t4" * 12)
        old_match, _ = _matched(samenstad, worked)
        lotte = Volunteer.objects.get(user=user("volunteer"))
    Volunteer.objects.filter(pk__in=[idle.pk, matched.pk, worked.pk, lotte.pk]).update(
        created_at=_long_ago(800)
    )
    Match.objects.filter(volunteer=worked).update(proposed_at=_long_ago(800))
    Match.objects.filter(volunteer__in=[lotte]).update(proposed_at=_long_ago(800))
    TimeEntry.objects.filter(match__volunteer=lotte).delete()
    lotte_user = user("volunteer")
    lotte_user.last_login = timezone.now() - dt.timedelta(days=10)
    lotte_user.save()
    # `worked` had a match long ago but logged hours last month: kept.
    TimeEntry.objects.filter(match=old_match).update(date=timezone.localdate())
    assert tasks.delete_idle_volunteers.call() == 1
    kept = Volunteer.objects.filter(pk__in=[idle.pk, new.pk, matched.pk, worked.pk, lotte.pk])
    assert set(kept.values_list("email", flat=True)) == {
        "new@example.nl",
        "matched@example.nl",
        "worked@example.nl",
        lotte.email,
    }
    # No login for two years either: Lotte goes too.
    lotte_user.last_login = _long_ago(800)
    lotte_user.save()
    assert retention.delete_idle_volunteers() >= 1
    assert not Volunteer.objects.filter(pk=lotte.pk).exists()
    line = AuditEvent.objects.filter(action="volunteer.erase", object_id=str(idle.pk)).get()
    assert line.actor is None and line.detail["reason"] == "idle"


def test_mdt_records_end_at_31_or_when_mdt_ends(town, unscoped):
    today = timezone.localdate()
    with municipality_scope(town):
        thirty = _volunteer(
            town,
            kind="mdt",
            token="m1" * 12,
            date_of_birth=today.replace(year=today.year - 30),
        )
        turned = _volunteer(
            town,
            kind="mdt",
            token="m2" * 12,
            date_of_birth=today.replace(year=today.year - 31) - dt.timedelta(days=1),
        )
        ended = _volunteer(
            town, kind="mdt", token="m3" * 12, date_of_birth=dt.date.fromisoformat(
                young_birthday(20)), active=False
        )  # fmt: skip
        adult = _volunteer(town, token="m4" * 12, date_of_birth=today.replace(year=today.year - 40))
    assert retention.delete_idle_volunteers() == 2
    left = set(Volunteer.objects.values_list("pk", flat=True))
    assert thirty.pk in left and adult.pk in left
    assert turned.pk not in left and ended.pk not in left


def test_the_retention_task_is_scheduled_and_logs(settings, town, caplog, unscoped):
    import logging

    assert "samen.volunteering.tasks.delete_idle_volunteers" in capabilities.daily_tasks()
    from samen.volunteering.tasks import delete_idle_volunteers

    with caplog.at_level(logging.INFO, logger="samen.retention"):
        delete_idle_volunteers.enqueue()
    assert "delete_idle_volunteers: 0 volunteers deleted" in caplog.text


# --- under 16: the parent confirms ---------------------------------------------------------


def _parent_link() -> str:
    return re.search(r"/samenstad/vrijwilligers/ouder/\S+/", mail.outbox[-1].body).group(0)


YOUNG = {
    **MDT,
    "date_of_birth": young_birthday(14),
    "parent_name": "Petra Bakker",
    "parent_email": "petra@example.nl",
}


def test_under_16_waits_for_the_parent_who_confirms_by_a_link(client, samenstad, unscoped):
    Need.objects.update(status=Need.Status.CLOSED)
    page = client.get(REGISTER).content.decode()
    assert 'name="parent_consent"' not in page  # the tick box is gone
    client.post(REGISTER, YOUNG)
    page = client.post(confirmation_link()).content.decode()
    assert "ouder" in page and "petra@example.nl" in page
    sem = Volunteer.objects.get(email="sem@example.nl")
    assert sem.active is False and sem.parent_confirmed_at is None
    parent_mail = mail.outbox[-1]
    assert parent_mail.to == ["petra@example.nl"]
    body = parent_mail.body
    assert "maatschappelijke diensttijd" in body and "woensdagmiddag" in body and "Ouderen" in body
    # no more than needed: not the child's name, address, birth date or e-mail address
    for private in ("Bakker", "9501", "sem@example.nl", YOUNG["date_of_birth"]):
        assert private not in body
    # Not in the matching until the parent has confirmed.
    with municipality_scope(samenstad):
        need = _need(samenstad)
        Volunteer.objects.exclude(pk=sem.pk).update(active=False)
        assert matching_run.run_matching(municipality=samenstad).result.assignments == []
    # A mail scanner opening the link confirms nothing: a button first.
    link = _parent_link()
    button = client.get(link)
    assert button.status_code == 200 and 'method="post"' in button.content.decode()
    sem.refresh_from_db()
    assert sem.parent_confirmed_at is None
    done = client.post(link)
    assert done.status_code == 200 and "toestemming" in done.content.decode()
    sem.refresh_from_db()
    assert sem.active and sem.parent_confirmed_at is not None
    assert AuditEvent.objects.filter(action="volunteering.parent_confirmed").exists()
    with municipality_scope(samenstad):
        run = matching_run.run_matching(municipality=samenstad)
    assert [(a.volunteer, a.need) for a in run.result.assignments] == [(sem.pk, need.pk)]
    # Clicking again changes nothing; a forged link is a Dutch 400.
    first = sem.parent_confirmed_at
    client.post(link)
    sem.refresh_from_db()
    assert sem.parent_confirmed_at == first
    forged = client.post("/samenstad/vrijwilligers/ouder/vervalst/")
    assert forged.status_code == 400 and "werkt niet" in forged.content.decode()


def test_a_minor_without_confirmation_is_never_matched(samenstad, unscoped):
    """Also a record from the time of the tick box (active, but no confirmation date)."""
    Need.objects.update(status=Need.Status.CLOSED)
    with municipality_scope(samenstad):
        Volunteer.objects.update(active=False)
        _need(samenstad)
        young = _volunteer(
            samenstad,
            kind="mdt",
            date_of_birth=dt.date.fromisoformat(young_birthday(14)),
            parent_email="ouder@example.nl",
        )
        assert matching_run.run_matching(municipality=samenstad).result.assignments == []
        Volunteer.objects.filter(pk=young.pk).update(parent_confirmed_at=timezone.now())
        run = matching_run.run_matching(municipality=samenstad)
    assert [a.volunteer for a in run.result.assignments] == [young.pk]


def test_under_16_needs_a_parent_address_of_someone_else(client, town, unscoped):
    page = client.post(REGISTER, {**YOUNG, "parent_email": ""}).content.decode()
    assert "e-mailadres van je ouder" in page
    page = client.post(REGISTER, {**YOUNG, "parent_email": "SEM@example.nl"}).content.decode()
    assert "niet je eigen" in page
    assert mail.outbox == []


def test_the_waiting_minor_can_ask_for_the_mail_again_or_delete(client, town, unscoped):
    client.post(REGISTER, YOUNG)
    page = client.post(confirmation_link()).content.decode()
    personal = re.search(r'href="http://testserver(/samenstad/vrijwilligers/mijn/[^"]+)"', page)
    mail.outbox.clear()
    # the parent's address got a mail within the hour: nothing more yet
    client.post(personal.group(1), {"action": "parent_mail"})
    assert mail.outbox == []
    Signup.objects.filter(email="petra@example.nl").update(created_at=_long_ago(1))
    response = client.post(personal.group(1), {"action": "parent_mail"}, follow=True)
    assert "opnieuw" in response.content.decode()
    assert mail.outbox[-1].to == ["petra@example.nl"]
    # three mails to the parent's address at most, not one an hour for a week
    Signup.objects.filter(email="petra@example.nl").update(created_at=_long_ago(1))
    client.post(personal.group(1), {"action": "parent_mail"})
    Signup.objects.filter(email="petra@example.nl").update(created_at=_long_ago(1))
    client.post(personal.group(1), {"action": "parent_mail"})
    assert len(mail.outbox) == 2
    assert "Mijn aanmelding verwijderen" in client.get(personal.group(1)).content.decode()


def test_unconfirmed_minors_are_deleted_after_the_sign_up_window(client, town, unscoped):
    client.post(REGISTER, YOUNG)
    client.post(confirmation_link())
    sem = Volunteer.objects.get(email="sem@example.nl")
    assert retention.delete_idle_volunteers() == 0
    Volunteer.objects.filter(pk=sem.pk).update(created_at=_long_ago(8))
    assert retention.delete_idle_volunteers() == 1
    assert not Volunteer.objects.filter(pk=sem.pk).exists()
    line = AuditEvent.objects.get(action="volunteer.erase", object_id=str(sem.pk))
    assert line.detail["reason"] == "no_parent"
    # the parent's link no longer works
    assert client.post(_parent_link()).status_code == 400


def test_a_programme_keeps_the_hours_of_an_erased_employee(samenstad, user, unscoped):
    with municipality_scope(samenstad):
        lotte = Volunteer.objects.get(user=user("volunteer"))
        programme = lotte.programme
        _matched(samenstad, lotte)
        before = selectors.programme_figures(programme)
        retention.erase_volunteer(volunteer=lotte, actor=user("volunteer"), reason="self")
        after = selectors.programme_figures(programme)
    assert after["hours"] == before["hours"] and after["hours"] >= 3
    assert after["people_reached"] == before["people_reached"]
    # a person count: the erased volunteer no longer counts as one who took part
    assert after["volunteered"] == before["volunteered"] - 1
