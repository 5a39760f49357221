"""The five steps: every move appended to the history with its date and who did it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samen.core.models import AuditEvent
from samen.partners import services
from samen.partners.models import Partner, Step, StepChange


def test_five_steps_in_the_history_with_date_and_actor(user, restaurant):
    coordinator = user("coordinator")
    for step in (Step.CONNECT, Step.PERSUADE, Step.RETAIN, Step.STRENGTHEN):
        services.move_step(partner=restaurant, actor=coordinator, to_step=step, note=f"naar {step}")
    history = list(StepChange.objects.filter(partner=restaurant).order_by("at", "pk"))
    assert [(h.from_step, h.to_step) for h in history] == [
        ("", "prepare"),
        ("prepare", "connect"),
        ("connect", "persuade"),
        ("persuade", "retain"),
        ("retain", "strengthen"),
    ]
    assert all(h.actor == coordinator and h.at is not None for h in history[1:])
    restaurant.refresh_from_db()
    assert restaurant.step == Step.STRENGTHEN
    assert (
        AuditEvent.objects.filter(action="partners.step", object_id=str(restaurant.pk)).count() == 4
    )


def test_steps_may_go_back_but_not_stay(user, supermarket):
    coordinator = user("coordinator")
    services.move_step(partner=supermarket, actor=coordinator, to_step=Step.CONNECT)
    with pytest.raises(ValidationError) as error:
        services.move_step(partner=supermarket, actor=coordinator, to_step=Step.CONNECT)
    assert "staat al in de stap" in str(error.value)


def test_history_is_append_only(supermarket):
    change = StepChange.objects.filter(partner=supermarket).first()
    change.note = "aangepast"
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()


def test_only_coordinators_move_steps(user, supermarket):
    with pytest.raises(PermissionDenied):
        services.move_step(partner=supermarket, actor=user("partner"), to_step=Step.CONNECT)


def test_step_and_conversation_on_the_web(login, restaurant):
    client = login("coordinator")
    url = "/samenstad/beheer/partners/organisaties/visrestaurant-de-haven/"
    assert client.post(url, {"action": "step", "to_step": "connect"}).status_code == 302
    response = client.post(
        url,
        {
            "action": "contact",
            "kind": "visit",
            "at": "2026-01-05T10:00",
            "starter": ["contact", "target_group", "action"],
            "summary": "Gesprek met de eigenaar over een buurtmaaltijd.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(url).content.decode()
    assert "Voorbereiden → Verbinden" in page
    assert "Gesprek met de eigenaar" in page and "✓ Doelgroep" in page and "○ Rol" in page
    restaurant.refresh_from_db()
    assert restaurant.last_spoken_at is not None
    bad = client.post(url, {"action": "step", "to_step": "gevonden"})
    assert bad.status_code == 200 and "Kies een van de mogelijkheden." in bad.content.decode()
    future = client.post(url, {"action": "contact", "kind": "call", "at": "2999-01-01T10:00"})
    assert "ligt niet in de toekomst" in future.content.decode()


def test_api_step_change_and_history(client, bearer, restaurant):
    url = f"/api/v1/municipalities/samenstad/partners/{restaurant.pk}/step-changes"
    response = client.post(
        url, {"to_step": "connect"}, content_type="application/json", **bearer("coordinator")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["step"] == "connect"
    assert [s["to_step"] for s in body["steps"]] == ["prepare", "connect"]
    assert body["steps"][-1]["actor"] == "coordinator"
    again = client.post(
        url, {"to_step": "connect"}, content_type="application/json", **bearer("coordinator")
    )
    # Already in that step: a conflict with the current state, not bad input.
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    wrong = client.post(
        url, {"to_step": "x"}, content_type="application/json", **bearer("coordinator")
    )
    assert wrong.status_code == 400
    forbidden = client.post(
        url, {"to_step": "persuade"}, content_type="application/json", **bearer("partner")
    )
    assert forbidden.status_code == 403


def test_not_spoken_to_in_n_weeks(login, in_samenstad):
    page = (
        login("coordinator")
        .get("/samenstad/beheer/partners/niet-gesproken/?weken=4")
        .content.decode()
    )
    # The pharmacy was called 60 days ago; the supermarket 12 days ago.
    assert "Apotheek De Linde" in page and "Supermarkt De Buurtmarkt" not in page
    assert "Notariskantoor" not in page  # still voorbereiden and not on the shortlist
    assert (
        login("coordinator").get("/samenstad/beheer/partners/niet-gesproken/?weken=abc").status_code
        == 200
    )


def test_shortlisting_is_a_service_with_an_audit_line(login, user, supermarket, restaurant):
    ids = [supermarket.pk, restaurant.pk]
    response = login("coordinator").post(
        "/samenstad/beheer/partners/", {"action": "shortlist_add", "ids": ids}
    )
    assert response.status_code == 302
    assert Partner.objects.filter(pk__in=ids, shortlisted=True).count() == 2
    event = AuditEvent.objects.filter(action="partners.shortlist").latest("pk")
    assert event.detail["on"] is True and event.detail["partners"] == sorted(ids)
    with pytest.raises(PermissionDenied):
        services.set_shortlisted(
            municipality=supermarket.municipality, actor=user("partner"), ids=ids, on=False
        )
