""" "Bij twijfel: niet doen": a partner on hold leaves the contact reminders and the "not
spoken to" list until the coordinator takes it back; its page shows why; audited."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from samen.core.models import AuditEvent
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, member
from samen.outreach import services as outreach_services
from samen.partners import selectors, services
from samen.partners.models import Partner, Step

from .factories import PartnerFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)
REASON = "Eigenaar twijfelt na het eerste gesprek."


@pytest.fixture
def place():
    return MunicipalityFactory(slug="wachtstad", name="Wachtstad")


@pytest.fixture
def coordinator(place):
    return member(place, Role.COORDINATOR, email="regisseur@wachtstad.example")


@pytest.fixture
def hairdresser(place, coordinator):
    long_ago = timezone.now() - dt.timedelta(weeks=20)
    return PartnerFactory(
        municipality=place,
        organisation__name="Kapsalon Knipoog",
        organisation__slug="kapsalon-knipoog",
        step=Step.CONNECT,
        account_holder=coordinator,
        last_spoken_at=long_ago,
        next_contact_on=MONDAY,
    )


def _reminded(place) -> str:
    mail.outbox.clear()
    outreach_services.send_contact_reminders(today=MONDAY, municipality=place, force=True)
    return "\n".join(m.body for m in mail.outbox)


def test_on_hold_leaves_reminders_and_the_stale_list_until_taken_back(
    client, place, coordinator, hairdresser
):
    assert "Kapsalon Knipoog" in _reminded(place)
    client.force_login(coordinator)
    detail = "/wachtstad/beheer/partners/organisaties/kapsalon-knipoog/"
    response = client.post(detail, {"action": "hold", "reason": REASON})
    assert response.status_code == 302

    assert "Kapsalon Knipoog" not in _reminded(place)
    assert (
        "Kapsalon Knipoog"
        not in client.get("/wachtstad/beheer/partners/niet-gesproken/").content.decode()
    )
    page = client.get(detail).content.decode()
    assert "in de wacht" in page and REASON in page
    assert "In de wacht gezet (bij twijfel: niet doen)" in page  # the history line

    client.post(detail, {"action": "take_back"})
    assert "Kapsalon Knipoog" in _reminded(place)
    assert (
        "Kapsalon Knipoog"
        in client.get("/wachtstad/beheer/partners/niet-gesproken/").content.decode()
    )
    page = client.get(detail).content.decode()
    assert "Teruggenomen uit de wacht" in page
    actions = list(
        AuditEvent.objects.filter(action__startswith="partners.hold")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["partners.hold", "partners.hold_end"]


def test_a_reason_is_required_in_dutch(client, place, coordinator, hairdresser):
    client.force_login(coordinator)
    response = client.post(
        "/wachtstad/beheer/partners/organisaties/kapsalon-knipoog/",
        {"action": "hold", "reason": "   "},
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    with municipality_scope(place):
        assert Partner.objects.get(pk=hairdresser.pk).on_hold_since is None


def test_twice_on_hold_or_taking_back_what_is_not_on_hold_is_refused(
    client, place, coordinator, hairdresser
):
    client.force_login(coordinator)
    detail = "/wachtstad/beheer/partners/organisaties/kapsalon-knipoog/"
    response = client.post(detail, {"action": "take_back"}, follow=True)
    assert response.status_code == 200
    assert "staat niet in de wacht" in response.content.decode()
    with municipality_scope(place):
        services.put_on_hold(partner=hairdresser, actor=coordinator, reason=REASON)
        assert selectors.stale_partners(weeks=6).count() == 0


def test_bulk_mail_leaves_out_partners_on_hold(place, coordinator, hairdresser):
    with municipality_scope(place):
        hairdresser.shortlisted = True
        hairdresser.save()
        assert selectors.campaign_recipients("shortlist").count() == 1
        services.put_on_hold(partner=hairdresser, actor=coordinator, reason=REASON)
        assert selectors.campaign_recipients("shortlist").count() == 0
        assert selectors.campaign_recipients("all").count() == 0
        # chosen by name it can still be mailed
        ids = [hairdresser.pk]
        assert selectors.campaign_recipients("one", partner_ids=ids).count() == 1


def test_only_the_coordinator_puts_on_hold(place, hairdresser):
    from django.core.exceptions import PermissionDenied

    caseworker = member(place, Role.CASEWORKER)
    with municipality_scope(place), pytest.raises(PermissionDenied):
        services.put_on_hold(partner=hairdresser, actor=caseworker, reason=REASON)


def test_the_remind_now_button_of_the_stale_list_sends_the_reminders(
    client, place, coordinator, hairdresser
):
    client.force_login(coordinator)
    response = client.post(
        "/wachtstad/beheer/partners/niet-gesproken/", {"action": "remind"}, follow=True
    )
    assert response.status_code == 200
    assert "Herinnering verstuurd aan 1 accounthouder(s)." in response.content.decode()
    assert "Kapsalon Knipoog" in mail.outbox[0].body
