"""What each capability gives the kernel, registered from its AppConfig.ready().

The core imports no capability: the staff home, the menu (base.html), `samen demo`,
`samen schedule` and the impact dashboard iterate what is registered, in INSTALLED_APPS
order. Registration resolves everything it is given, so a capability that cannot be imported
stops the start-up instead of silently missing from a page."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    import datetime as dt

    from .kpi import KpiSection
    from .models import Municipality, User


@dataclass(frozen=True)
class NavEntry:
    """An item of the main menu: `url_name` is reversed with the municipality's slug; shown
    only to users with `perm` (in that municipality) when one is given. Entries are shown by
    `order`, then in INSTALLED_APPS order."""

    label: Any  # a lazy translation
    url_name: str
    perm: str = ""
    order: int = 100


# Milestones of the last four weeks are suggested for the newsletter.
MILESTONE_DAYS = 28


@dataclass(frozen=True)
class Milestone:
    """Something to celebrate ("Vier het"), reached on `on`: a short `title` for the staff
    home and a `text` ready for the newsletter. `key` is stable (the same milestone found
    twice has the same key). Never about a person: organisations and the coalition only."""

    key: str
    on: "dt.date"
    title: str
    text: str


@dataclass(frozen=True)
class Capability:
    """Every part is optional.

    card: (municipality, user) -> None or {"title", "figure", "label", "links": [{"text",
      "url"}]} for the staff home; `card_template` renders it instead of the common card.
    kpis: (year=...) -> KpiSection, the capability's figures for the impact dashboard.
    demo: (municipality) -> None, adds its demo content (inside the municipality's scope).
    daily_tasks: dotted paths of tasks `samen schedule` enqueues once a day, in this order.
    navigation: its entries in the main menu.
    home_cards: templates of its cards on a municipality's public home page (they get
      `municipality`).
    overview_link: the one link it offers a resident beside each municipality on the list
      of municipalities (`/`).
    milestones: (municipality, today) -> [Milestone], what it has to celebrate (reached in
      the last MILESTONE_DAYS days); `milestones()` gathers them for whoever shows them."""

    label: str
    card: "Callable[[Municipality, User], dict | None] | None" = None
    card_template: str = ""
    kpis: "Callable[..., KpiSection] | None" = None
    demo: "Callable[[Municipality], None] | None" = None
    daily_tasks: tuple[str, ...] = ()
    navigation: tuple[NavEntry, ...] = field(default=())
    home_cards: tuple[str, ...] = ()
    overview_link: NavEntry | None = None
    milestones: "Callable[[Municipality, dt.date], list[Milestone]] | None" = None


_registry: dict[str, Capability] = {}


def register(capability: Capability) -> Capability:
    """Called from the capability's AppConfig.ready() (again when a test reloads the apps,
    which replaces it). Raises when the label is not an installed app or a task cannot be
    imported."""
    try:
        apps.get_app_config(capability.label)
    except LookupError:
        raise ImproperlyConfigured(
            f"Capability {capability.label!r} is not an installed app."
        ) from None
    for path in capability.daily_tasks:
        if not hasattr(import_string(path), "enqueue"):
            raise ImproperlyConfigured(f"{path} is not a task.")
    _registry[capability.label] = capability
    return capability


def registered() -> Iterator[Capability]:
    """The registered capabilities in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if config.label in _registry:
            yield _registry[config.label]


def cards(municipality: "Municipality", user: "User") -> list[dict]:
    """The staff home's cards this user may see; a provider that fails, fails the page."""
    found = []
    for capability in registered():
        if capability.card is None:
            continue
        card = capability.card(municipality, user)
        if card:
            found.append({**card, "template": capability.card_template})
    return found


def kpi_sections(*, year: int) -> list["KpiSection"]:
    return [c.kpis(year=year) for c in registered() if c.kpis is not None]


def load_demo(municipality: "Municipality") -> None:
    for capability in registered():
        if capability.demo is not None:
            capability.demo(municipality)


def daily_tasks() -> list[str]:
    return [path for capability in registered() for path in capability.daily_tasks]


def navigation(municipality: "Municipality", user: "User | None") -> list[dict]:
    """The main menu's entries of the capabilities, as {"label", "url"}."""
    from django.urls import reverse

    entries = [e for c in registered() for e in c.navigation]
    return [
        {"label": entry.label, "url": reverse(entry.url_name, args=[municipality.slug])}
        for entry in sorted(entries, key=lambda e: e.order)
        if not entry.perm
        or (
            user is not None
            and user.is_authenticated
            and user.has_samen_perm(municipality, entry.perm)
        )
    ]


def home_cards() -> list[str]:
    """The templates of the cards on a municipality's public home page, in order."""
    return [name for capability in registered() for name in capability.home_cards]


def overview_links() -> list[NavEntry]:
    return [c.overview_link for c in registered() if c.overview_link is not None]


def milestones(municipality: "Municipality", today: "dt.date") -> list[Milestone]:
    """Every capability's milestones of the last MILESTONE_DAYS days, newest first."""
    found = [
        m
        for c in registered()
        if c.milestones is not None
        for m in c.milestones(municipality, today)
    ]
    return sorted(found, key=lambda m: (m.on, m.key), reverse=True)
