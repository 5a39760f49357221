"""Samen's pages from its URL configuration, with their parameters filled from the demo data of
one municipality. Used by the access matrix (test_access_matrix.py) and by the accessibility
check (bench/a11y), so both walk the same pages."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from samen.core.models import Municipality
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope

NOT_PAGES = ("admin/", "api/", "i18n/")


@dataclass(frozen=True)
class Route:
    name: str  # "concerns:case"
    pattern: str  # "<slug:slug>/beheer/signalen/<int:pk>/"

    @property
    def staff(self) -> bool:
        return self.pattern.startswith("<slug:slug>/beheer/")

    @property
    def parameters(self) -> list[str]:
        return [p for p in re.findall(r"<(?:\w+:)?(\w+)>", self.pattern) if p != "slug"]


def routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every named page, staff and public, except the admin, the API and the language switch."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if pattern.startswith(NOT_PAGES):
            continue
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from routes(entry, pattern, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(":".join(filter(None, [namespace, entry.name])), pattern)


def staff_routes() -> list[Route]:
    return [route for route in routes() if route.staff]


def _first(queryset: QuerySet, field: str = "pk"):
    value = queryset.values_list(field, flat=True).first()
    if value is None:
        raise LookupError(f"no demo data for {queryset.model.__name__}")
    return value


def _case(municipality: Municipality) -> dict:
    from samen.concerns.models import Case

    return {"pk": _first(Case.objects.order_by("pk"))}


def _hand_entered_activity(municipality: Municipality) -> dict:
    """An activity entered by hand (a feed's activities are edited in the feed)."""
    from samen.activities.models import Activity

    activities = Activity.objects.filter(feed=None).order_by("pk")
    return {"pk": _first(_own_first(activities, municipality, "organisation"))}


def _activity(municipality: Municipality) -> dict:
    from samen.activities.models import Activity

    return {"pk": _first(Activity.objects.order_by("pk"))}


def _feed(municipality: Municipality) -> dict:
    from samen.activities.models import Feed

    return {"pk": _first(_own_first(Feed.objects.order_by("pk"), municipality, "organisation"))}


def _own_first(queryset: QuerySet, municipality: Municipality, field: str) -> QuerySet:
    """The queryset with the rows of the first partner-role member's organisation first, so
    that this member (the demo user `partner`) may open what is filled in."""
    from samen.core.models import Membership

    first = Membership.objects.filter(municipality=municipality, role=Role.PARTNER).order_by("pk")
    organisation = first.values_list("organisation", flat=True).first()
    own = queryset.filter(**{field: organisation})
    return own if own.exists() else queryset


def _partner_organisation(municipality: Municipality) -> dict:
    from samen.partners.models import Partner

    partners = _own_first(Partner.objects.order_by("pk"), municipality, "organisation")
    return {"org": _first(partners, "organisation__slug")}


def _contribution(municipality: Municipality) -> dict:
    from samen.partners.models import Contribution

    contributions = Contribution.objects.order_by("pk")
    return {"pk": _first(_own_first(contributions, municipality, "partner__organisation"))}


def _offer_point(municipality: Municipality) -> dict:
    from samen.partners.models import OfferPoint

    return {"pk": _first(OfferPoint.objects.order_by("pk"))}


def _template(municipality: Municipality) -> dict:
    from samen.outreach.models import EmailTemplate

    return {"key": _first(EmailTemplate.objects.order_by("slug"), "slug")}


def _campaign(municipality: Municipality) -> dict:
    from samen.outreach.models import EmailCampaign

    return {"pk": _first(EmailCampaign.objects.order_by("pk"))}


def _newsletter(municipality: Municipality) -> dict:
    from samen.outreach.models import Newsletter

    return {"pk": _first(Newsletter.objects.order_by("pk"))}


def _need(municipality: Municipality) -> dict:
    from samen.volunteering.models import Need

    needs = _own_first(Need.objects.order_by("pk"), municipality, "organisation")
    return {"ref": _first(needs, "reference")}


def _kpi_table(municipality: Municipality) -> dict:
    from samen.impact.selectors import compute

    sections = compute(year=timezone.localdate().year)
    return {"key": next(t.key for s in sections for t in s.tables), "fmt": "csv"}


def _own_kpi_table(municipality: Municipality) -> dict:
    """A table of the own figures of the first partner-role member's organisation."""
    from samen.core.models import Organisation
    from samen.impact.selectors import organisation_kpis

    organisations = _own_first(Organisation.objects.order_by("pk"), municipality, "pk")
    sections = organisation_kpis(organisation=organisations.first(), year=timezone.localdate().year)
    return {"key": next(t.key for s in sections for t in s.tables), "fmt": "csv"}


def _meeting(municipality: Municipality) -> dict:
    from samen.workshops.models import Meeting

    return {"pk": _first(Meeting.objects.order_by("pk"))}


# route name -> its parameters from a municipality's demo data (called inside its scope).
def _privacy_subject(municipality: Municipality) -> dict:
    return {"kind": "case", "ref": str(_case(municipality)["pk"])}


def _member(municipality: Municipality) -> dict:
    from samen.core.models import Membership

    members = Membership.objects.filter(municipality=municipality).order_by("pk")
    return {"pk": _first(members, "user_id")}


STAFF_PARAMETERS: dict[str, Callable[[Municipality], dict]] = {
    "core:account": _member,
    "concerns:case": _case,
    "core:privacy-subject": _privacy_subject,
    "core:privacy-subject-text": _privacy_subject,
    "core:privacy-erase": _privacy_subject,
    "activities:edit": _hand_entered_activity,
    "activities:feed-refresh": _feed,
    "activities:feed-accept": _feed,
    "activities:feed-keep": _feed,
    "partners:detail": _partner_organisation,
    "partners:edit": _partner_organisation,
    "partners:contribution": _contribution,
    "partners:offer-point": _offer_point,
    "outreach:template": _template,
    "outreach:campaign": _campaign,
    "outreach:newsletter": _newsletter,
    "volunteering:need": _need,
    "workshops:meeting": _meeting,
    "workshops:edit": _meeting,
    "workshops:invite": _meeting,
    "workshops:outcome": _meeting,
    "workshops:publish": _meeting,
    "impact:export": _kpi_table,
    "impact:own-export": _own_kpi_table,
}
PUBLIC_PARAMETERS: dict[str, Callable[[Municipality], dict]] = {
    "activities:activity": _activity,
    "activities:activity-ics": _activity,
}


def parameters(route: Route, municipality: Municipality) -> dict:
    """The route's parameters from `municipality`'s data; LookupError when it has none."""
    if not route.parameters:
        return {}
    fill = STAFF_PARAMETERS.get(route.name) or PUBLIC_PARAMETERS.get(route.name)
    if fill is None:
        raise LookupError(f"no parameters known for {route.name}")
    with municipality_scope(municipality):
        return fill(municipality)


def url(route: Route, slug: str | None, kwargs: dict) -> str:
    if "<slug:slug>" in route.pattern:
        kwargs = {"slug": slug, **kwargs}
    return reverse(route.name, kwargs=kwargs)
