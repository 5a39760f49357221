"""The privacy officer (functionaris gegevensbescherming) and the audit log page."""

import re

import pytest

from samen.core.models import AuditEvent, Membership, User
from samen.core.roles import PERMISSIONS, ROLES_REQUIRING_2FA, Role


def test_privacy_officer_holds_only_the_audit_log_and_requests():
    held = {perm for perm, roles in PERMISSIONS.items() if Role.PRIVACY_OFFICER in roles}
    assert held == {"staff.home", "audit.view", "privacy.requests"}
    assert Role.PRIVACY_OFFICER in ROLES_REQUIRING_2FA
    assert Role.COORDINATOR not in PERMISSIONS["audit.view"]
    assert Role.CASEWORKER not in PERMISSIONS["audit.view"]


def test_demo_has_a_privacy_officer_in_samenstad(municipalities):
    membership = Membership.objects.get(user__username="fg")
    assert membership.municipality.slug == "samenstad"
    assert membership.role == Role.PRIVACY_OFFICER


@pytest.mark.parametrize("username", ["coordinator", "caseworker"])
def test_coordinator_and_caseworker_do_not_see_the_audit_log(login, username):
    assert login(username).get("/samenstad/beheer/audit/").status_code == 403


def test_privacy_officer_needs_two_factor(settings, login):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    response = login("fg").get("/samenstad/beheer/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/code/")


def _case(slug):
    from samen.concerns.models import Case

    return Case.objects.filter(municipality__slug=slug).order_by("pk").first()


def test_who_read_case_x_is_one_filter(client, user, bearer, unscoped):
    case = _case("samenstad")
    other = (
        _case("samenstad")
        .__class__.objects.filter(municipality__slug="samenstad")
        .exclude(pk=case.pk)
        .first()
    )
    client.force_login(user("caseworker"))
    assert client.get("/samenstad/beheer/signalen/").status_code == 200
    assert client.get(f"/samenstad/beheer/signalen/{case.pk}/").status_code == 200
    client.logout()
    response = client.get(
        f"/api/v1/municipalities/samenstad/cases/{case.pk}", **bearer("caseworker")
    )
    assert response.status_code == 200, response.content
    client.force_login(user("fg"))
    body = client.get(f"/samenstad/beheer/audit/?object=casus+{case.pk}").content.decode()
    assert "casus gelezen" in body
    assert "wachtrij geopend" in body
    assert "API, token" in body
    assert "web, session" in body
    # Another case's read is not among them.
    if other is not None:
        client.force_login(user("caseworker"))
        client.get(f"/samenstad/beheer/signalen/{other.pk}/")
        client.force_login(user("fg"))
        body = client.get(f"/samenstad/beheer/audit/?object=casus+{case.pk}").content.decode()
        assert f"concerns.case:{other.pk}" not in body
    csv = client.get(f"/samenstad/beheer/audit/csv/?object=casus+{case.pk}&user=caseworker")
    assert csv.status_code == 200
    assert csv.content.startswith(b"\xef\xbb\xbf")  # UTF-8 that Dutch Excel recognises
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("tijdstip;gebruiker;handeling;object;casussen;hoe\r\n")
    assert re.search(r"\r\n\d\d-\d\d-20\d\d \d\d:\d\d;caseworker;", text)
    assert "casus gelezen" in text and "API, token" in text
    assert case.name not in text if getattr(case, "name", "") else True


def test_officer_of_tweestad_sees_nothing_of_samenstad(client, municipalities, unscoped):
    officer = User.objects.create_user("fg-tweestad", password="x")
    Membership.objects.create(
        user=officer, municipality=municipalities["tweestad"], role=Role.PRIVACY_OFFICER
    )
    AuditEvent.objects.create(
        municipality=municipalities["samenstad"], action="concern.read", object_id="999999"
    )
    client.force_login(officer)
    assert client.get("/samenstad/beheer/audit/").status_code == 404
    body = client.get("/tweestad/beheer/audit/?object=casus+999999").content.decode()
    assert "999999" not in body.split("<tbody>")[1].split("</tbody>")[0]
    assert "Geen regels." in body


def test_erasing_a_case_anonymises_it_and_is_audited_without_data(user, unscoped):
    from django.core.exceptions import PermissionDenied

    from samen.concerns.models import Case
    from samen.concerns.services import erase_case

    case = _case("samenstad")
    with pytest.raises(PermissionDenied):
        erase_case(case=case, actor=user("coordinator"), reason="verzoek")
    with pytest.raises(PermissionDenied):
        erase_case(case=_case("tweestad"), actor=user("fg"), reason="verzoek")
    erase_case(case=case, actor=user("fg"), reason="verzoek van betrokkene")
    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_at is not None and case.person_name == "" and case.postcode == ""
    line = AuditEvent.objects.get(action="privacy.erase")
    assert line.object_id == str(case.pk) and line.actor.username == "fg"
    assert "verzoek" not in str(line.detail)
