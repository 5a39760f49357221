"""The one access resolver (core/access.py) for pages and API, and services that refuse by
themselves, whatever interface calls them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from samen.activities import services as activities
from samen.activities.models import Activity
from samen.concerns import services as concerns
from samen.concerns.models import Case
from samen.core.models import Organisation
from samen.core.tenancy import municipality_scope
from samen.volunteering import matching_run
from samen.volunteering import services as volunteering
from samen.volunteering.forms import MdtForm
from samen.volunteering.models import Volunteer

QUEUE_API = "/api/v1/municipalities/samenstad/cases"


def test_page_non_member_404_member_without_permission_403(client, login):
    url = reverse("concerns:queue", args=["samenstad"])
    assert client.get(url).status_code == 302  # nobody logged in: the login form
    assert login("caseworker-tweestad").get(url).status_code == 404
    assert login("partner").get(url).status_code == 403
    assert login("caseworker").get(url).status_code == 200


def test_api_non_member_404_member_without_permission_403_as_problem_json(client, bearer):
    response = client.get(QUEUE_API)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    for username, status in [("caseworker-tweestad", 404), ("partner", 403), ("caseworker", 200)]:
        response = client.get(QUEUE_API, **bearer(username))
        assert response.status_code == status, username
        if status != 200:
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == status
    assert (
        client.get("/api/v1/municipalities/nergensstad/cases", **bearer("caseworker")).status_code
        == 404
    )


def test_second_factor_for_sessions_not_for_tokens(client, login, bearer, settings):
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = True
    page = login("caseworker").get(reverse("concerns:queue", args=["samenstad"]))
    assert page.status_code == 302 and reverse("core:otp-verify") in page["Location"]
    assert client.get(QUEUE_API).status_code == 403  # the same session on the API
    client.logout()
    assert client.get(QUEUE_API, **bearer("caseworker")).status_code == 200


def test_a_service_refusal_is_403_on_page_and_api(client, login, bearer, samenstad, monkeypatch):
    def refuse(**kwargs):
        raise PermissionDenied

    monkeypatch.setattr(concerns, "list_queue", refuse)
    response = client.get(QUEUE_API, **bearer("caseworker"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    monkeypatch.setattr(concerns, "read_case", refuse)
    with municipality_scope(samenstad):
        case = Case.objects.first()
    page = login("caseworker").get(reverse("concerns:case", args=["samenstad", case.pk]))
    assert page.status_code == 403


# --- services check their own permission, without any view -----------------------------------


def test_services_refuse_without_a_view(samenstad, user):
    with municipality_scope(samenstad):
        case = Case.objects.first()
        with pytest.raises(PermissionDenied):
            concerns.read_case(case=case, actor=user("partner"))
        with pytest.raises(PermissionDenied):
            concerns.change_status(case=case, actor=user("caseworker-tweestad"), to_status="x")
        with pytest.raises(PermissionDenied):
            volunteering.create_need(
                municipality=samenstad, actor=user("volunteer"), data={"title": "Hulp"}
            )
        with pytest.raises(PermissionDenied):
            matching_run.run_matching(municipality=samenstad, actor=user("partner"))
        welfare = Organisation.objects.get(slug="welzijn-samenstad")
        need = volunteering.create_need(
            municipality=samenstad, actor=user("coordinator"), organisation=welfare, data={}
        )
        with pytest.raises(PermissionDenied):  # another organisation's need
            volunteering.close_need(need=need, actor=user("partner"))
        volunteering.close_need(need=need, actor=user("coordinator"))
        activity = Activity(municipality=samenstad, organisation=welfare, source_uid="")
        with pytest.raises(PermissionDenied):  # another organisation's activity
            activities.save_activity(activity=activity, actor=user("partner"), data={})


def test_a_new_need_belongs_to_the_partners_own_organisation(samenstad, user):
    partner = user("partner")
    with municipality_scope(samenstad):
        other = Organisation.objects.get(slug="welzijn-samenstad")
        need = volunteering.create_need(
            municipality=samenstad, actor=partner, organisation=other, data={"title": "Hulp"}
        )
        assert need.organisation == partner.organisation_in(samenstad) != other
        with pytest.raises(ValidationError):  # the coordinator must name one
            volunteering.create_need(
                municipality=samenstad, actor=user("coordinator"), data={"title": "Hulp"}
            )
        chosen = volunteering.create_need(
            municipality=samenstad,
            actor=user("coordinator"),
            organisation=other,
            data={"title": "Hulp"},
        )
        assert chosen.organisation == other


def _born(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def test_the_mdt_age_rule_is_the_services_and_the_form_shows_it(samenstad):
    data = {"email": "jong@samen.example", "date_of_birth": _born(11)}
    with municipality_scope(samenstad), pytest.raises(ValidationError) as refused:
        volunteering.register_volunteer(municipality=samenstad, data=data, kind=Volunteer.Kind.MDT)
    assert "date_of_birth" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # 14: a parent, not one's own address
        volunteering.check_age(
            {
                **data,
                "date_of_birth": _born(14),
                "parent_name": "Ouder",
                "parent_email": data["email"],
            },
            Volunteer.Kind.MDT,
        )
    assert "parent_email" in refused.value.message_dict
    form = MdtForm(data={"first_name": "Sam", "email": data["email"], "date_of_birth": _born(31)})
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["MDT is voor jongeren van 12 tot en met 30 jaar."]
