"""Issue 12, "done when": a marker name written into a melding, a case note and the caseworker's
note on each kind of hand-over (buddy, welfare, activity) is found only where a caseworker reads
it. (a) Every text and JSON column of every table; (b) every page, export and API response that
every other role (and an anonymous visitor) can reach; and the mails sent meanwhile."""

import io
import re
import zipfile
import zlib

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from samen.api import api
from samen.concerns import services
from samen.core.models import Membership, Organisation, User
from samen.core.tenancy import municipality_scope
from samen.core.tests import demo_urls

MARKER = "Zwanetta Vreugdenhil"
HANDOVER = "Houdt van wandelen en de markt, graag op zaterdag."

# The only columns the marker may be in, all read by caseworkers alone (through read_case and
# the caseworkers' queue and API, each audited):
ALLOWED_COLUMNS = {
    "concerns.Report.description",  # what the reporter wrote in the melding
    "concerns.Case.person_name",  # the name the reporter gave ("naam, als bekend")
    "concerns.CaseEvent.note",  # case notes and the caseworker's note on each hand-over
}
# Not even there: CaseEvent.handover_text (what a receiver may know), every Need column, the
# audit log (AuditEvent.detail holds ids only), activities, partners, impact, sessions.

# Public pages behind a link with a one-time token from a mail (sign-up confirmations,
# invitations, unsubscribing): they show nothing of a case or a need. The personal page of a
# volunteer and the reporter's status page are visited with real tokens below.
TOKEN_PAGES = {
    "activities:join-confirm",
    "partners:join-confirm",
    "outreach:newsletter-confirm",
    "outreach:newsletter-unsubscribe",
    "volunteering:invite",
    "volunteering:confirm",
    "volunteering:personal",
    "concerns:status",
}
# API operations with a token in the path (newsletter confirmation): none reads a case or need.
TOKEN_OPERATIONS = {"getConcernStatus"}

# Everyone but a caseworker of Samenstad: the demo's roles, the receiving welfare organisation's
# own user (`welzijn`), the other municipality's caseworker and an anonymous visitor.
VIEWERS = [
    "coordinator",
    "partner",
    "welzijn",
    "programme",
    "volunteer",
    "fg",
    "caseworker-tweestad",
    None,
]


def _readable(response) -> str:
    """The text of a response: pages, JSON, CSV, the unzipped XML of an XLSX and the
    uncompressed streams of a PDF."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if body[:5] == b"%PDF-":
        parts = [body.decode("latin-1")]
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
            try:
                parts.append(zlib.decompress(stream).decode("latin-1"))
            except zlib.error:
                pass
        return "".join(parts)
    return body.decode("utf-8", "replace")


@pytest.fixture
def marked(samenstad, user, unscoped):
    """One person with the marker in every place a caseworker writes or reads about them,
    handed over three times; the buddy need is proposed to two volunteers."""
    from samen.activities.models import Activity
    from samen.volunteering.models import Match, Need, Volunteer, hash_token

    caseworker = user("caseworker")
    submitted = services.submit_report(
        municipality=samenstad,
        data={
            "postcode": "9502CD",
            "house_number": "17",
            "street": "Lindeplein",
            "person_name": MARKER,
            "description": f"{MARKER} doet al dagen niet open.",
            "signs": ["curtains_closed"],
            "person_aware": "unknown",
            "reporter_type": "shop",
            "reporter_name": "Kassière",
            "reporter_email": "kassa@example.nl",
        },
    )
    case = submitted.report.case
    services.read_case(case=case, actor=caseworker)
    services.add_note(case=case, actor=caseworker, note=f"Gebeld met {MARKER}, belt terug.")
    activity = Activity.objects.filter(municipality=samenstad).order_by("pk").first()
    for referral, extra in (
        ("buddy", {}),
        ("welfare", {}),
        ("activity", {"activity": activity.pk}),
    ):
        services.change_status(case=case, actor=caseworker, to_status="in_contact")
        services.change_status(
            case=case,
            actor=caseworker,
            to_status="handed_over",
            referral=referral,
            note=f"{MARKER} wil graag ({referral}).",
            handover_text=HANDOVER,
            **extra,
        )
    need = Need.objects.get(source=Need.Source.SIGNAALPUNT)
    # The receiving organisation is the caseworker's (the demo's user `welzijn` works there).
    assert Membership.objects.get(user__username="welzijn").organisation == need.organisation
    # Two volunteers with the proposal: one with an account, one by personal link.
    lotte = Volunteer.objects.get(municipality=samenstad, user__username="volunteer")
    by_link = Volunteer.objects.create(
        municipality=samenstad,
        kind=Volunteer.Kind.RESIDENT,
        first_name="Ria",
        last_name="Kok",
        email="ria@example.nl",
        postcode="9502CD",
        token_hash=hash_token("marker-personal-link"),
    )
    for volunteer in (lotte, by_link):
        Match.objects.create(municipality=samenstad, need=need, volunteer=volunteer, score=700)
    return {"case": case, "need": need, "status_token": submitted.status_token}


def _columns_with_marker() -> set[str]:
    found = set()
    for model in apps.get_models():
        rows = model._base_manager.all()
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                hits = rows.filter(**{f"{field.name}__icontains": MARKER})
            elif isinstance(field, models.JSONField):
                text = Cast(field.name, models.TextField())
                hits = rows.annotate(as_text=text).filter(as_text__icontains=MARKER)
            else:
                continue
            if hits.exists():
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_the_marker_is_only_in_the_caseworkers_columns(marked):
    assert _columns_with_marker() == ALLOWED_COLUMNS
    assert [m.subject for m in mail.outbox if MARKER in m.subject + m.body] == []


def test_anonymising_the_case_removes_the_marker_everywhere(marked):
    services.anonymise_case(marked["case"], now=timezone.now())
    assert _columns_with_marker() == set()


def _pages(samenstad, marked) -> list[str]:
    """Every page: staff and public from urls.py with the demo's parameters, the marked need,
    the volunteer's personal page, the reporter's status page, and every impact export."""
    from samen.impact.selectors import figures, organisation_kpis

    urls = []
    for route in demo_urls.routes():
        if route.name in TOKEN_PAGES or route.name == "core:logout":
            continue
        try:
            kwargs = demo_urls.parameters(route, samenstad)
        except LookupError:
            # No such object in the demo (an e-mail campaign, a newsletter: nothing of a case
            # or a need is in them), or a token page: the marked ones are added below.
            kwargs = None
        if kwargs is not None:
            urls.append(demo_urls.url(route, samenstad.slug, kwargs))
    slug = samenstad.slug
    urls += [
        reverse("concerns:case", args=[slug, marked["case"].pk]),
        reverse("volunteering:need", args=[slug, marked["need"].reference]),
        reverse("volunteering:personal", args=[slug, "marker-personal-link"]),
        reverse("concerns:status", args=[slug, marked["status_token"]]),
    ]
    year = timezone.localdate().year
    with municipality_scope(samenstad):
        keys = {
            t.key for s in figures(municipality=samenstad, year=year).sections for t in s.tables
        }
        for organisation in Organisation.objects.filter(
            slug__in=["welzijn-samenstad", "bibliotheek-samenstad", "telecom-samenstad-fonds"]
        ):
            sections = organisation_kpis(organisation=organisation, year=year)
            keys |= {("own", t.key) for s in sections for t in s.tables}
    for key in keys:
        for fmt in ("csv", "xlsx"):
            if isinstance(key, tuple):
                urls.append(reverse("impact:own-export", args=[slug, key[1], fmt]))
            else:
                urls.append(reverse("impact:export", args=[slug, key, fmt]))
    return urls


def _api_calls(samenstad, marked) -> list[tuple[str, str]]:
    """(method, URL) of every GET operation of the API, and the matching run (its answer
    lists proposals with their needs)."""
    from samen.partners.models import Partner

    values = {
        "case_id": marked["case"].pk,
        "partner_id": Partner.objects.filter(municipality=samenstad).order_by("pk").first().pk,
    }
    calls = []
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            if method != "get" and operation["operationId"] != "createMatchingRun":
                continue
            if operation["operationId"] in TOKEN_OPERATIONS:
                continue
            url = "/api/v1" + path.replace("{slug}", samenstad.slug)
            for name, value in values.items():
                url = url.replace("{" + name + "}", str(value))
            assert "{" not in url, f"fill in the parameters of {path}"
            calls.append((method, url))
    return calls


@pytest.mark.parametrize("username", VIEWERS)
def test_no_other_role_sees_the_marker(client, marked, samenstad, username):
    from samen.core.models import ApiToken

    headers = {}
    if username:
        viewer = User.objects.get(username=username)
        client.force_login(viewer)
        _token, raw = ApiToken.issue(viewer)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    seen, errors, opened = [], [], 0
    for url in _pages(samenstad, marked):
        response = client.get(url)
        opened += response.status_code == 200
        if response.status_code >= 500:
            errors.append(f"GET {url}: {response.status_code}")
        if MARKER in _readable(response):
            seen.append(f"GET {url}")
    for method, url in _api_calls(samenstad, marked):
        response = getattr(client, method)(url, **headers)
        opened += response.status_code in (200, 201)
        if response.status_code >= 500:
            errors.append(f"{method.upper()} {url}: {response.status_code}")
        if MARKER in _readable(response):
            seen.append(f"{method.upper()} {url}")
    assert errors == [], "\n".join(errors)
    assert seen == [], "\n".join(seen)
    assert opened >= 10  # the public pages at least: the walk did reach something
    assert [m.subject for m in mail.outbox if MARKER in m.subject + m.body] == []


def test_the_receiving_organisation_sees_the_handover_text_only(client, marked, samenstad):
    """The walk above can find something: the welfare organisation does read its need."""
    client.force_login(User.objects.get(username="welzijn"))
    url = reverse("volunteering:need", args=[samenstad.slug, marked["need"].reference])
    page = client.get(url).content.decode()
    assert HANDOVER in page and MARKER not in page


def test_a_caseworker_reads_the_marker(client, bearer, marked, samenstad):
    case = marked["case"]
    client.force_login(User.objects.get(username="caseworker"))
    page = client.get(reverse("concerns:case", args=[samenstad.slug, case.pk]))
    assert page.status_code == 200 and MARKER in _readable(page)
    api_case = client.get(
        f"/api/v1/municipalities/{samenstad.slug}/cases/{case.pk}", **bearer("caseworker")
    )
    assert api_case.status_code == 200 and MARKER in _readable(api_case)
