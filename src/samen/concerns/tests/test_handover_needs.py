"""Issue 12: the buddy hulpvraag made from a case is linked to it (the hand-over line in the
case history names it), is anonymised with the case, and every read of it is audited. Welfare
and activity hand-overs send nothing anywhere."""

import pytest
from django.core import mail
from django.utils import timezone

from samen.concerns import services
from samen.concerns.models import Case, CaseEvent
from samen.core.models import AuditEvent
from samen.volunteering.models import Match, Need, Volunteer

NOTE = "Mevrouw De Boer, Dorpsstraat 12, belt liever niet na 17 uur."
HANDOVER = "Houdt van wandelen, graag op dinsdagmiddag."


@pytest.fixture
def case(samenstad, unscoped):
    return Case.objects.filter(municipality=samenstad, address_key="9501GH-3").get()


def _hand_over(case, actor, referral="buddy", **extra):
    services.change_status(case=case, actor=actor, to_status="in_contact")
    services.change_status(
        case=case,
        actor=actor,
        to_status="handed_over",
        referral=referral,
        note=NOTE,
        handover_text=HANDOVER,
        **extra,
    )
    return case.events.get(to_status="handed_over")


@pytest.fixture
def buddy_need(case, user):
    _hand_over(case, user("caseworker"))
    return Need.objects.get(source=Need.Source.SIGNAALPUNT, municipality=case.municipality)


def test_the_hand_over_line_names_the_need_it_made(case, user):
    event = _hand_over(case, user("caseworker"))
    need = Need.objects.get(source=Need.Source.SIGNAALPUNT)
    assert event.need == need
    assert not CaseEvent.objects.exclude(pk=event.pk).filter(need__isnull=False).exists()


def test_a_welfare_hand_over_makes_no_need(case, user):
    event = _hand_over(case, user("caseworker"), referral="welfare")
    assert event.need is None
    assert not Need.objects.filter(source=Need.Source.SIGNAALPUNT).exists()


def _matched(need, samenstad):
    volunteer = Volunteer.objects.get(municipality=samenstad, user__username="volunteer")
    return Match.objects.create(
        municipality=samenstad,
        need=need,
        volunteer=volunteer,
        status=Match.Status.CONFIRMED,
        outcome_note="Mevrouw De Boer vond de wandeling fijn.",
    )


def test_anonymising_the_case_anonymises_its_need(case, buddy_need, samenstad):
    match = _matched(buddy_need, samenstad)
    proposal = Match.objects.create(
        municipality=samenstad,
        need=buddy_need,
        volunteer=Volunteer.objects.create(
            municipality=samenstad,
            kind=Volunteer.Kind.RESIDENT,
            first_name="Ria",
            last_name="Kok",
            email="ria@example.nl",
            postcode="9501AB",
            token_hash="test-anonymise",
        ),
    )
    other = Need.objects.exclude(pk=buddy_need.pk).filter(municipality=samenstad).first()
    before = Need.objects.filter(pk=other.pk).values().get()
    services.anonymise_case(case, now=timezone.now())
    proposal.refresh_from_db()
    assert proposal.status == Match.Status.DECLINED
    buddy_need.refresh_from_db()
    assert buddy_need.description == "[geanonimiseerd]"
    assert buddy_need.status == Need.Status.CLOSED
    assert len(buddy_need.postcode) == 4
    match.refresh_from_db()
    assert "De Boer" not in match.outcome_note
    assert Need.objects.filter(pk=other.pk).values().get() == before
    assert AuditEvent.objects.filter(
        action="volunteering.need_anonymised", object_id=str(buddy_need.pk)
    ).exists()


def test_erasing_the_case_anonymises_its_need(case, buddy_need, user):
    services.erase_case(case=case, actor=user("fg"), reason="verzoek")
    buddy_need.refresh_from_db()
    assert HANDOVER not in str(Need.objects.filter(pk=buddy_need.pk).values().get())
    assert buddy_need.description == "[geanonimiseerd]"


def test_retention_anonymises_the_need_of_an_expired_case(case, buddy_need, user, settings):
    services.change_status(
        case=case, actor=user("caseworker"), to_status="closed", outcome="connected"
    )
    later = timezone.now() + timezone.timedelta(days=settings.SAMEN_CONCERN_RETENTION_DAYS + 1)
    assert services.anonymise_expired_cases(now=later) >= 1
    buddy_need.refresh_from_db()
    assert buddy_need.description == "[geanonimiseerd]"


# --- reads of a need from the Signaalpunt are audited -------------------------------------


def _lines(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _no_text(line):
    assert HANDOVER not in str(line.detail) and "De Boer" not in str(line.detail)


def test_the_need_page_is_audited(login, buddy_need):
    client = login("coordinator")
    response = client.get(f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{buddy_need.reference}/")
    assert response.status_code == 200 and HANDOVER in response.content.decode()
    (line,) = _lines("need.read")
    assert line.object_id == str(buddy_need.pk) and line.actor.username == "coordinator"
    _no_text(line)


def test_a_need_from_the_website_is_not_audited(login, samenstad, unscoped):
    need = Need.objects.filter(municipality=samenstad).exclude(source="signaalpunt").first()
    login("coordinator").get(f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{need.reference}/")
    assert _lines("need.read") == []
    login("coordinator").get("/samenstad/beheer/vrijwilligerswerk/")
    assert _lines("need.list") == []


def test_the_needs_page_is_audited_with_the_ids(login, buddy_need):
    response = login("coordinator").get("/samenstad/beheer/vrijwilligerswerk/")
    assert response.status_code == 200
    (line,) = _lines("need.list")
    assert line.detail["needs"] == [buddy_need.pk] and line.actor.username == "coordinator"
    _no_text(line)


def test_the_needs_api_is_audited_with_the_ids(client, bearer, buddy_need):
    response = client.get(
        "/api/v1/municipalities/samenstad/volunteer-needs", **bearer("coordinator")
    )
    assert response.status_code == 200
    assert HANDOVER in response.content.decode()
    (line,) = _lines("need.list")
    assert line.detail["needs"] == [buddy_need.pk]
    assert line.detail["via"] == "api"
    _no_text(line)


def test_the_matches_api_and_matching_page_are_audited(
    client, bearer, login, buddy_need, samenstad
):
    match = _matched(buddy_need, samenstad)
    match.status = Match.Status.PROPOSED
    match.save()
    client.get("/api/v1/municipalities/samenstad/volunteer-matches", **bearer("coordinator"))
    login("coordinator").get("/samenstad/beheer/vrijwilligerswerk/koppelen/")
    lines = _lines("need.list")
    assert [line.detail["needs"] for line in lines] == [[buddy_need.pk], [buddy_need.pk]]


def test_the_volunteers_page_is_audited(login, buddy_need, samenstad):
    match = _matched(buddy_need, samenstad)
    match.status = Match.Status.PROPOSED
    match.save()
    response = login("volunteer").get("/samenstad/beheer/vrijwilligerswerk/mijn/")
    assert HANDOVER in response.content.decode()
    (line,) = _lines("need.list")
    assert line.detail["needs"] == [buddy_need.pk] and line.actor.username == "volunteer"


# --- welfare and activity hand-overs: only handover_text, and it stays in the history -----


@pytest.mark.parametrize("referral", ["welfare", "activity"])
def test_welfare_and_activity_hand_overs_send_nothing_but_store_the_text(
    case, user, samenstad, referral
):
    from samen.activities.models import Activity

    extra = {}
    if referral == "activity":
        activity = Activity.objects.filter(municipality=samenstad).first()
        extra["activity"] = activity.pk
        before = Activity.objects.filter(pk=activity.pk).values().get()
    needs_before = Need.objects.count()
    mail.outbox.clear()
    event = _hand_over(case, user("caseworker"), referral=referral, **extra)
    # Nothing is sent to the receiving organisation or the organiser, and no need is made.
    assert mail.outbox == []
    assert Need.objects.count() == needs_before
    if referral == "activity":
        assert Activity.objects.filter(pk=activity.pk).values().get() == before
    # The note and the text for the receiver stay in the case history, apart.
    assert event.handover_text == HANDOVER and HANDOVER not in event.note
    assert "De Boer" in event.note and "De Boer" not in event.handover_text


def test_who_read_case_x_includes_the_reads_of_its_need(login, case, buddy_need, samenstad):
    """The privacy officer's one filter: reads of the hulpvraag made from case X are listed
    under case X, with the case's id, not the need's text."""
    other = Need.objects.filter(municipality=samenstad).exclude(pk=buddy_need.pk).first()
    client = login("coordinator")
    client.get(f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{buddy_need.reference}/")
    client.get(f"/samenstad/beheer/vrijwilligerswerk/hulpvragen/{other.reference}/")
    client.get("/samenstad/beheer/vrijwilligerswerk/")
    (read,) = _lines("need.read")
    (listing,) = _lines("need.list")
    assert read.detail["cases"] == [case.pk] and listing.detail["cases"] == [case.pk]
    body = login("fg").get(f"/samenstad/beheer/audit/?object=casus+{case.pk}").content.decode()
    assert "hulpvraag van het Signaalpunt gelezen" in body
    assert "hulpvragen van het Signaalpunt getoond" in body
    assert f"volunteering.need:{buddy_need.pk}" in body
    assert f"volunteering.need:{other.pk}" not in body
    assert HANDOVER not in body
