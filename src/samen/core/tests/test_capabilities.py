"""Capabilities register themselves in their AppConfig; the kernel iterates the registry, in
INSTALLED_APPS order, and a capability that cannot register stops the start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from samen.core import capabilities

DAILY_TASKS = [
    "samen.core.tasks.purge_signups",
    "samen.core.tasks.purge_invitations",
    "samen.concerns.tasks.send_daily_reminders",
    "samen.concerns.tasks.close_idle_cases",
    "samen.concerns.tasks.anonymise_expired_cases",
    "samen.activities.tasks.refresh_all_feeds",
    "samen.activities.tasks.extend_horizon",
    "samen.outreach.tasks.send_contact_reminders",
    "samen.outreach.tasks.week_against_loneliness_reminder",
    "samen.outreach.tasks.resume_deliveries",
    "samen.outreach.tasks.purge_newsletter_addresses",
    "samen.volunteering.tasks.delete_idle_volunteers",
    "samen.workshops.tasks.forget_invitees",
]


def test_every_app_registers_in_installed_apps_order():
    assert [c.label for c in capabilities.registered()] == [
        "core",
        "concerns",
        "activities",
        "partners",
        "outreach",
        "volunteering",
        "workshops",
        "impact",
    ]
    assert capabilities.daily_tasks() == DAILY_TASKS
    assert [c.label for c in capabilities.registered() if c.kpis] == [
        "concerns",
        "activities",
        "partners",
        "volunteering",
    ]


def test_a_registration_that_fails_stops_the_start_up(settings):
    broken = [*settings.INSTALLED_APPS, "samen.core.tests.broken_capability.BrokenConfig"]
    with pytest.raises(ImportError), override_settings(INSTALLED_APPS=broken):
        pass
    assert "broken_capability" not in [c.label for c in capabilities.registered()]
    assert capabilities.daily_tasks() == DAILY_TASKS  # the apps were loaded again: same list


def test_a_capability_must_be_an_installed_app_and_name_real_tasks():
    with pytest.raises(ImproperlyConfigured):
        capabilities.register(capabilities.Capability(label="nowhere"))
    with pytest.raises(ImproperlyConfigured):
        capabilities.register(
            capabilities.Capability(label="core", daily_tasks=("samen.core.demo.load",))
        )
    assert capabilities.daily_tasks() == DAILY_TASKS


def test_a_failing_card_fails_the_staff_home(login, samenstad, monkeypatch):
    """Never a silently missing section: the error reaches the error page and the log."""
    activities = next(c for c in capabilities.registered() if c.label == "activities")

    def broken(municipality, user):
        raise RuntimeError("card")

    monkeypatch.setitem(
        capabilities._registry,
        "activities",
        capabilities.Capability(**{**activities.__dict__, "card": broken}),
    )
    client = login("coordinator")
    client.raise_request_exception = True
    with pytest.raises(RuntimeError, match="card"):
        client.get(f"/{samenstad.slug}/beheer/")


def test_staff_home_shows_the_cards_and_the_menu_the_entries_in_order(login, samenstad):
    page = login("coordinator").get(f"/{samenstad.slug}/beheer/").content.decode()
    menu = page[page.index('class="page-nav"') : page.index("</nav>")]
    links = ["/agenda/", "/samenwerkingen/", "/signaal/", "/beheer/"]
    assert [menu.index(f'href="/{samenstad.slug}{link}"') for link in links] == sorted(
        menu.index(f'href="/{samenstad.slug}{link}"') for link in links
    )
    for title in ("Signaalpunt", "Activiteiten", "Impact"):
        assert f"<h2>{title}</h2>" in page


def test_the_public_pages_show_the_registered_cards_and_links(client, municipalities):
    home = client.get("/samenstad/").content.decode().split("<main", 1)[1]
    assert home.index("/samenstad/signaal/") < home.index("/samenstad/agenda/")  # in order
    assert "Zet uw activiteiten erbij" in home
    overview = client.get("/").content.decode()
    assert "/samenstad/signaal/" in overview and "/tweestad/signaal/" in overview
