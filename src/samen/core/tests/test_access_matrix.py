"""The access matrix: every role x every staff page and staff API operation x its own
municipality, the other municipality, and its own municipality's URL with the other's objects.

The expectations come from one table below: for each page or operation the permissions of
core/roles.py that open it. Who holds them, and so who gets 200, 403 or 404, follows from
PERMISSIONS and the user's membership; nothing is written per role.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samen.api import api
from samen.core.models import Municipality, User
from samen.core.roles import PERMISSIONS
from samen.core.tenancy import municipality_scope

from . import demo_urls


@dataclass(frozen=True)
class Rule:
    """Members holding any of `perms` get `ok`; other members get `denied` (404 where an
    object page hides itself from who may not use it). With `organisation`, only members who
    belong to an organisation may use it (pages about one's own organisation). A `post_only`
    page answers every GET with 405 and is checked with POST."""

    perms: tuple[str, ...]
    ok: int = 200
    denied: int = 403
    organisation: bool = False
    post_only: bool = False


def rule(*perms: str, **options) -> Rule:
    return Rule(perms, **options)


# Every staff page (URL name) -> who may use it.
PAGES: dict[str, Rule] = {
    "core:staff-home": rule("staff.home"),
    "core:accounts": rule("accounts.manage"),
    "core:account-invite": rule("accounts.manage"),
    # One member of the municipality; another municipality's member is not found.
    "core:account": rule("accounts.manage"),
    "concerns:queue": rule("concerns.handle"),
    "concerns:case": rule("concerns.handle"),
    "concerns:figures": rule("concerns.view_figures"),
    "concerns:figures-csv": rule("concerns.view_figures"),
    "concerns:feedback": rule("staff.home"),
    "activities:mine": rule("activities.publish", organisation=True),
    "activities:new": rule("activities.publish", organisation=True),
    "activities:edit": rule("activities.publish", organisation=True),
    "activities:feed-refresh": rule("activities.publish", organisation=True, ok=302),
    # A feed marked "verdacht": its organisation or the coordinator (organisations.manage,
    # checked in the service) accepts the change or keeps what is stored.
    "activities:feed-accept": rule("activities.publish", ok=302, post_only=True),
    "activities:feed-keep": rule("activities.publish", ok=302, post_only=True),
    "activities:registrations": rule("organisations.manage"),
    "core:signups": rule("organisations.manage"),
    "core:audit": rule("audit.view"),
    "core:audit-csv": rule("audit.view"),
    "core:privacy": rule("privacy.requests"),
    "core:privacy-subject": rule("privacy.requests"),
    "core:privacy-subject-text": rule("privacy.requests"),
    # Without a ground and the tick the form comes back with its Dutch errors: nothing erased.
    "core:privacy-erase": rule("privacy.requests", post_only=True),
    "partners:longlist": rule("partners.manage"),
    "partners:new": rule("partners.manage"),
    "partners:import": rule("partners.manage"),
    "partners:weights": rule("partners.manage"),
    "partners:stale": rule("partners.manage"),
    "partners:own": rule("partners.own_profile"),
    "partners:offer": rule("partners.manage"),
    "partners:offer-point": rule("partners.manage"),
    "partners:ambassadors": rule("partners.manage"),
    "partners:detail": rule("partners.manage", denied=404),
    "partners:edit": rule("partners.manage", denied=404),
    # A partner organisation's user edits its own contributions (filled with one of them).
    "partners:contribution": rule("partners.manage", "partners.own_profile", denied=404),
    "outreach:templates": rule("partners.manage"),
    "outreach:template-new": rule("partners.manage", denied=404),
    "outreach:template": rule("partners.manage", denied=404),
    "outreach:campaign-new": rule("partners.manage"),
    "outreach:campaign": rule("partners.manage", denied=404),
    "outreach:newsletters": rule("partners.manage"),
    "outreach:newsletter": rule("partners.manage", denied=404),
    "volunteering:needs": rule("volunteering.post_needs"),
    "volunteering:need-new": rule("volunteering.post_needs"),
    "volunteering:need": rule("volunteering.post_needs", denied=404),
    "volunteering:matching": rule("volunteering.match"),
    "volunteering:mine": rule("volunteering.volunteer"),
    "volunteering:mine-delete": rule("volunteering.volunteer"),
    "volunteering:programme": rule("volunteering.programme"),
    "workshops:list": rule("workshops.manage"),
    "workshops:new": rule("workshops.manage"),
    "workshops:meeting": rule("workshops.manage"),
    "workshops:edit": rule("workshops.manage"),
    "workshops:invite": rule("workshops.manage"),
    "workshops:outcome": rule("workshops.manage"),
    # An unknown action changes nothing and goes back to the meeting.
    "workshops:publish": rule("workshops.manage", ok=302, post_only=True),
    "impact:dashboard": rule("impact.view"),
    "impact:report": rule("impact.view"),
    "impact:report-pdf": rule("impact.view"),
    "impact:export": rule("impact.view"),
    "impact:refresh": rule("impact.view", ok=302, post_only=True),
    "impact:own": rule("impact.own"),
    "impact:own-export": rule("impact.own"),
}

# Every API operation that needs credentials (operationId) -> who may use it.
OPERATIONS: dict[str, Rule] = {
    "listCases": rule("concerns.handle"),
    "getCase": rule("concerns.handle"),
    "createCaseTransition": rule("concerns.handle"),
    "createContactNoteErasure": rule("concerns.handle"),
    "getConcernFigures": rule("concerns.view_figures"),
    "listPartners": rule("partners.manage"),
    # A partner organisation's user reads its own partner record (filled in below) and adds
    # to its contributions.
    "getPartner": rule("partners.manage", "partners.own_profile", denied=404),
    "createPartnerStepChange": rule("partners.manage", ok=201),
    "createPartnerContribution": rule("partners.manage", "partners.own_profile", ok=201),
    "updatePartnerContribution": rule("partners.manage", "partners.own_profile"),
    "deletePartnerContribution": rule("partners.manage", "partners.own_profile", ok=204),
    "createPartnerContact": rule("partners.manage", ok=201),
    "createPartnerImport": rule("partners.manage", ok=201),
    "createEmailCampaign": rule("partners.manage", ok=202),
    "listVolunteerNeeds": rule("volunteering.post_needs"),
    "createVolunteerNeed": rule("volunteering.post_needs", ok=201),
    "listVolunteerMatches": rule("staff.home"),
    # The need's organisation (and the coordinator) or the volunteer answers a proposal.
    "createVolunteerMatchDecision": rule(
        "volunteering.post_needs", "volunteering.volunteer", denied=404
    ),
    "createMatchingRun": rule("volunteering.match", ok=201),
    "listProgrammeFigures": rule("volunteering.programme"),
    "getKpis": rule("impact.view"),
    "listMeetings": rule("workshops.manage"),
    "createMeeting": rule("workshops.manage", ok=201),
    "createMeetingPublication": rule("workshops.manage", ok=201),
}


def _partner_id(municipality: Municipality) -> int:
    from samen.partners.models import Partner

    org = demo_urls.STAFF_PARAMETERS["partners:detail"](municipality)["org"]
    return Partner.objects.get(organisation__slug=org).pk


def _match_id(municipality: Municipality) -> int:
    from samen.volunteering.models import Match, Need

    need = Need.objects.get(
        reference=demo_urls.STAFF_PARAMETERS["volunteering:need"](municipality)["ref"]
    )
    return Match.objects.filter(need=need).values_list("pk", flat=True).first()


def _template_id(municipality: Municipality) -> int:
    from samen.outreach.models import EmailTemplate

    key = demo_urls.STAFF_PARAMETERS["outreach:template"](municipality)["key"]
    return EmailTemplate.objects.get(slug=key).pk


def _published_meeting_id(municipality: Municipality) -> int:
    """A meeting that may go in the agenda (the colleagues' exercise may not)."""
    from samen.workshops.models import Meeting

    return Meeting.objects.exclude(format="colleagues").values_list("pk", flat=True).first()


# API path parameter -> its value from the demo data (inside the municipality's scope).
API_PARAMETERS = {
    "case_id": lambda m: demo_urls.STAFF_PARAMETERS["concerns:case"](m)["pk"],
    "partner_id": _partner_id,
    "match_id": _match_id,
    "contribution_id": lambda m: demo_urls.STAFF_PARAMETERS["partners:contribution"](m)["pk"],
    "meeting_id": _published_meeting_id,
}

# Valid bodies, so that a refusal can only come from the access check.
API_BODIES = {
    "createCaseTransition": {"to_status": "triaged"},
    "createContactNoteErasure": {"events": [1]},
    "createPartnerStepChange": {"to_step": "connect"},
    "createPartnerContribution": {
        "m": "people",
        "description": "Twee medewerkers bij de koffieochtend",
        "voluntary": True,
    },
    "updatePartnerContribution": {"description": "Zaal en koffie voor de koffieochtend"},
    "createPartnerContact": {"kind": "call", "summary": "Kort gebeld"},
    "createPartnerImport": {"file": ("longlijst.csv", "naam,sector\nKapsalon Knip,kapper\n")},
    "createEmailCampaign": lambda m: {
        "template_id": _template_id(m),
        "partner_ids": [_partner_id(m)],
        "sender": "Fatima El Amrani, regisseur eenzaamheid",
    },
    "createVolunteerNeed": lambda m: {
        "organisation": demo_urls.STAFF_PARAMETERS["partners:detail"](m)["org"],
        "kind": "buddy",
        "title": "Maatje voor wandelingen",
        "description": "Een vaste wandelmaat op dinsdagmiddag.",
        "postcode": "1234AB",
        "contact_name": "Marieke Jansen",
    },
    "createVolunteerMatchDecision": {"decision": "accept"},
    "createMeeting": {
        "format": "inspiration",
        "title": "Ondernemersontbijt",
        "starts_at": "2030-03-12T08:30:00+01:00",
        "place": "Visrestaurant De Haven",
    },
}

# None: anonymous. The first seven are members of Samenstad, the last of Tweestad.
ROLES = [
    None,
    "coordinator",
    "caseworker",
    "partner",
    "programme",
    "volunteer",
    "fg",
    "caseworker-tweestad",
]


@dataclass(frozen=True)
class Place:
    """Whose URL (`slug_of`) filled with whose objects (`objects_of`)."""

    slug_of: Municipality
    objects_of: Municipality

    def __str__(self) -> str:
        if self.slug_of == self.objects_of:
            return self.slug_of.slug
        return f"{self.slug_of.slug} with {self.objects_of.slug}'s objects"


def places(user: User | None, municipalities: dict[str, Municipality]) -> list[Place]:
    """Own and other municipality; and one's own URLs with the other municipality's objects."""
    if user is None:
        return [Place(m, m) for m in municipalities.values()]
    home = user.default_membership().municipality
    (other,) = [m for m in municipalities.values() if m != home]
    return [Place(home, home), Place(other, other), Place(home, other)]


def expected(rule: Rule, user: User | None, place: Place) -> int | None:
    """The status `user` gets, from the rule and PERMISSIONS; None: not logged in."""
    if user is None:
        return None
    membership = user.membership_in(place.slug_of)
    if membership is None:
        return 404
    if not any(membership.role in PERMISSIONS[perm] for perm in rule.perms):
        return rule.denied
    if rule.organisation and membership.organisation_id is None:
        return 403
    return rule.ok if place.objects_of == place.slug_of else 404


def page_urls(place: Place):
    """(route name, URL) of every staff page at this place; a page whose parameters would be
    the same in both municipalities (such as a template's key) is left out with another's
    objects, since it is then simply one's own."""
    for route in demo_urls.staff_routes():
        kwargs = demo_urls.parameters(route, place.objects_of)
        if kwargs and place.objects_of != place.slug_of:
            if kwargs == demo_urls.parameters(route, place.slug_of):
                continue
        elif route.parameters == [] and place.objects_of != place.slug_of:
            continue
        yield route.name, demo_urls.url(route, place.slug_of.slug, kwargs)


def api_operations():
    """(operationId, method, path) of every API operation that needs credentials."""
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            if operation.get("security"):
                yield operation["operationId"], method, path


def api_call(operation_id: str, path: str, place: Place) -> tuple[str, dict] | None:
    names = [n for n in re.findall(r"\{(\w+)\}", path) if n != "slug"]
    if names == [] and place.objects_of != place.slug_of:
        return None
    with municipality_scope(place.objects_of):
        values = {name: API_PARAMETERS[name](place.objects_of) for name in names}
        body = API_BODIES.get(operation_id, {})
        body = body(place.objects_of) if callable(body) else body
    url = "/api/v1" + path.replace("{slug}", place.slug_of.slug)
    for name, value in values.items():
        url = url.replace("{" + name + "}", str(value))
    return url, body


@pytest.fixture
def matrix(municipalities, unscoped):
    """The demo plus the objects it lacks in one of the municipalities, so that every page
    and operation has something real to open in both."""
    from samen.activities.models import Activity, Feed
    from samen.outreach.models import EmailCampaign, Newsletter
    from samen.partners.models import Contribution, Partner
    from samen.partners.services import partner_for_own_organisation
    from samen.volunteering.models import Match, Need, Volunteer

    coordinator = User.objects.get(username="coordinator")
    for municipality in municipalities.values():
        with municipality_scope(municipality):
            # The library's user opens its own partner record once: it is then on the list.
            partner_for_own_organisation(
                municipality=municipality, actor=User.objects.get(username="partner")
            )
            need = Need.objects.get(
                reference=demo_urls.STAFF_PARAMETERS["volunteering:need"](municipality)["ref"]
            )
            org = demo_urls.STAFF_PARAMETERS["partners:detail"](municipality)["org"]
        partner = Partner.objects.get(municipality=municipality, organisation__slug=org)
        Activity.objects.create(
            municipality=municipality,
            organisation=partner.organisation,
            title="Handwerkcafé",
            starts_at=timezone.now() + timezone.timedelta(days=7),
            source_uid="",
        )
        if not Feed.objects.filter(municipality=municipality).exists():
            Feed.objects.create(
                municipality=municipality,
                organisation=partner.organisation,
                url="https://example.org/agenda.ics",
                kind=Feed.Kind.ICAL,
            )
        Contribution.objects.create(
            municipality=municipality, partner=partner, m="means", description="Zaal voor koffie"
        )
        EmailCampaign.objects.create(
            municipality=municipality, subject="Uitnodiging", body="Beste {aanhef}"
        )
        Newsletter.objects.create(
            municipality=municipality, subject="Nieuws", body="Nieuws", created_by=coordinator
        )
        volunteer = Volunteer.objects.filter(
            municipality=municipality, user__username="volunteer"
        ).first() or Volunteer.objects.create(
            municipality=municipality,
            kind=Volunteer.Kind.MDT,
            first_name="Sem",
            last_name="de Boer",
            email=f"sem@{municipality.slug}.example",
            postcode="1234AB",
            token_hash=f"matrix-{municipality.slug}",
        )
        Match.objects.create(municipality=municipality, need=need, volunteer=volunteer)
    return municipalities


def test_every_staff_page_and_operation_has_an_entry_in_the_table(db):
    assert {route.name for route in demo_urls.staff_routes()} == set(PAGES)
    assert {op for op, _method, _path in api_operations()} == set(OPERATIONS)
    for rule_ in [*PAGES.values(), *OPERATIONS.values()]:
        assert set(rule_.perms) <= set(PERMISSIONS)


@pytest.mark.parametrize("username", ROLES)
def test_staff_pages(client, matrix, username):
    user = User.objects.get(username=username) if username else None
    if user:
        client.force_login(user)
    wrong = []
    for place in places(user, matrix):
        for name, url in page_urls(place):
            page = PAGES[name]
            want = expected(page, user, place)
            methods = ("get", "post") if want != page.ok or page.post_only else ("get",)
            for method in methods:
                response = getattr(client, method)(url, {"action": "note", "note": "x"})
                got = response.status_code
                if page.post_only and method == "get":
                    ok = got == 405
                elif want is None:
                    ok = got == 302 and response["Location"].startswith("/inloggen/")
                else:
                    ok = got == want
                if not ok:
                    wrong.append(f"{method.upper()} {url} ({name}, {place}): {got}, not {want}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("username", ROLES)
def test_staff_api(client, bearer, matrix, username):
    user = User.objects.get(username=username) if username else None
    headers = bearer(username) if username else {}
    wrong = []
    for place in places(user, matrix):
        for operation_id, method, path in api_operations():
            call = api_call(operation_id, path, place)
            if call is None:
                continue
            url, body = call
            want = expected(OPERATIONS[operation_id], user, place) or 401
            if method == "get":
                response = client.get(url, **headers)
            elif "file" in body:
                name, content = body["file"]
                upload = SimpleUploadedFile(name, content.encode())
                response = client.post(url, {"file": upload}, **headers)
            else:
                response = client.generic(
                    method.upper(), url, json.dumps(body), "application/json", **headers
                )
            got = response.status_code
            if got != want or (
                got >= 400 and response["Content-Type"] != "application/problem+json"
            ):
                wrong.append(
                    f"{method.upper()} {url} ({operation_id}, {place}): {got}, not {want}"
                    + (f" {response.content[:300]!r}" if got != want else "")
                )
    assert wrong == [], "\n".join(wrong)


def test_queue_lists_only_own_municipality(login, municipalities, unscoped):
    from samen.concerns.models import Case

    ours = Case.objects.filter(municipality__slug="samenstad").first()
    theirs = Case.objects.filter(municipality__slug="tweestad").first()
    body = login("caseworker").get("/samenstad/beheer/signalen/").content.decode()
    assert f"/samenstad/beheer/signalen/{ours.pk}/" in body
    assert f"/signalen/{theirs.pk}/" not in body


def test_queries_outside_a_scope_are_refused(db):
    from django_scopes.exceptions import ScopeError

    from samen.concerns.models import Case

    with pytest.raises(ScopeError):
        list(Case.objects.all())
