"""Nothing about a case is kept longer than needed: contact details typed into notes can be
blanked at closing, and a case nobody touches is closed so that retention applies to it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from samen.concerns import services
from samen.concerns.models import Case, CaseEvent
from samen.core import capabilities
from samen.core.models import AuditEvent


@pytest.fixture
def case(samenstad, unscoped):
    return Case.objects.filter(municipality=samenstad, address_key="9501GH-3").get()


def _close(client, case):
    return client.post(
        f"/samenstad/beheer/signalen/{case.pk}/",
        {"action": "transition", "to_status": "closed", "outcome": "no_concern"},
    )


def test_closing_shows_notes_with_contact_details_and_blanks_them_in_one_step(
    login, user, case, unscoped
):
    caseworker = user("caseworker")
    phone = services.add_note(case=case, actor=caseworker, note="Melder terugbellen: 06-12345678")
    email = services.add_note(case=case, actor=caseworker, note="Dochter mailt via an@voorbeeld.nl")
    plain = services.add_note(case=case, actor=caseworker, note="Ze wil graag koffie drinken.")
    client = login("caseworker")
    url = f"/samenstad/beheer/signalen/{case.pk}/"
    assert "Wis deze notities" not in client.get(url).content.decode()  # only once it closes

    assert _close(client, case).status_code == 302
    page = client.get(url).content.decode()
    assert "Wis deze notities" in page
    assert f'value="{phone.pk}"' in page and f'value="{email.pk}"' in page
    assert f'value="{plain.pk}"' not in page

    response = client.post(
        url, {"action": "blank_notes", "events": [phone.pk, email.pk, plain.pk]}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "06-12345678" not in page and "an@voorbeeld.nl" not in page
    assert "Wis deze notities" not in page
    notes = dict(CaseEvent.objects.filter(case=case).values_list("pk", "note"))
    assert notes[phone.pk] == notes[email.pk] == "[contactgegevens gewist]"
    assert notes[plain.pk] == "Ze wil graag koffie drinken."  # not flagged, not blanked
    assert CaseEvent.objects.filter(
        case=case, note="2 notities met contactgegevens gewist."
    ).exists()
    line = AuditEvent.objects.get(action="concern.blank_notes")
    assert line.actor == caseworker and sorted(line.detail["events"]) == sorted(
        [phone.pk, email.pk]
    )


def test_only_a_caseworker_of_the_municipality_blanks_notes(login, user, case, unscoped):
    note = services.add_note(case=case, actor=user("caseworker"), note="Bel 0612345678")
    with pytest.raises(PermissionDenied):
        services.blank_contact_notes(case=case, actor=user("coordinator"), event_ids=[note.pk])
    with pytest.raises(PermissionDenied):
        services.blank_contact_notes(
            case=case, actor=user("caseworker-tweestad"), event_ids=[note.pk]
        )
    assert CaseEvent.objects.get(pk=note.pk).note == "Bel 0612345678"


def test_a_case_without_activity_for_180_days_is_closed_as_unreachable(
    settings, samenstad, user, case, unscoped
):
    assert settings.SAMEN_CONCERN_IDLE_DAYS == 180
    now = timezone.now()
    lively = (
        Case.objects.filter(municipality=samenstad).exclude(status="closed").exclude(pk=case.pk)[0]
    )
    long_ago = now - dt.timedelta(days=181)
    CaseEvent.objects.filter(case__in=[case, lively]).update(at=long_ago)
    Case.objects.filter(pk__in=[case.pk, lively.pk]).update(created_at=long_ago)
    # A note 10 days ago keeps the other case open.
    services.add_note(case=lively, actor=user("caseworker"), note="Nog een keer proberen.")
    case.reports.update(reporter_phone="0612345678")

    assert services.close_idle_cases(now=now) == 1
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "unreachable" and case.closed_at == now
    assert not case.reports.exclude(reporter_phone="").exists()
    line = case.events.get(kind="status", to_status="closed")
    assert line.actor is None and "180 dagen geen activiteit" in line.note
    assert Case.objects.get(pk=lively.pk).status != "closed"
    assert services.close_idle_cases(now=now) == 0

    # ...so retention anonymises it a year later, like any closed case.
    assert services.anonymise_expired_cases(now=now + dt.timedelta(days=366)) >= 1
    assert Case.objects.get(pk=case.pk).anonymised_at is not None


def test_idle_closing_runs_in_the_daily_schedule(settings, case, unscoped):
    assert "samen.concerns.tasks.close_idle_cases" in capabilities.daily_tasks()
    long_ago = timezone.now() - dt.timedelta(days=200)
    CaseEvent.objects.filter(case=case).update(at=long_ago)
    Case.objects.filter(pk=case.pk).update(created_at=long_ago)
    call_command("schedule")
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_api_flags_contact_notes_and_blanks_them(client, bearer, user, case, unscoped):
    caseworker = user("caseworker")
    note = services.add_note(case=case, actor=caseworker, note="Terugbellen op +31 6 12345678")
    services.change_status(case=case, actor=caseworker, to_status="closed", outcome="declined")
    base = f"/api/v1/municipalities/samenstad/cases/{case.pk}"
    events = client.get(base, **bearer("caseworker")).json()["events"]
    assert [e["id"] for e in events if e["looks_like_contact"]] == [note.pk]

    url = f"{base}/contact-note-erasures"
    refused = client.post(
        url, {"events": [note.pk]}, content_type="application/json", **bearer("coordinator")
    )
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    response = client.post(
        url, {"events": [note.pk]}, content_type="application/json", **bearer("caseworker")
    )
    assert response.status_code == 200 and response.json() == {"blanked": 1}
    events = client.get(base, **bearer("caseworker")).json()["events"]
    assert "12345678" not in str(events) and not any(e["looks_like_contact"] for e in events)
