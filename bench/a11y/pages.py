"""Print the pages the accessibility check visits, as JSON: every public page of Samenstad and
every staff page, found from the URL configuration and filled from the demo data, each with
the first demo role that may open it (None: no login).

Run with the environment of the demo database (check.mjs does): it adds the few things the
demo lacks (a concern report, a volunteer, a newsletter subscriber, an organisation that
joined) to have their personal links.
"""

import datetime as dt
import json
import os
import re
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "ERROR")
django.setup()

from django.test import Client  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from samen.core.models import Municipality, User  # noqa: E402
from samen.core.tenancy import municipality_scope  # noqa: E402
from samen.core.tests import demo_urls  # noqa: E402

# Roles in the order they are tried for a staff page; welzijn is the welfare organisation's
# user, who has needs and activities of its own.
ROLES = ["coordinator", "caseworker", "partner", "welzijn", "programme", "volunteer", "fg"]
# Not pages a person reads: files, feeds, redirects after a login.
NOT_HTML = {"core:logout", "core:after-login", "core:otp-verify"}
# Login-only pages outside a municipality, with the role that sees them.
ACCOUNT_PAGES = {
    "core:otp-setup": "coordinator",
    "core:password-change": "partner",
    "core:password-change-done": "partner",
}


def _token_in_last_mail(path: str) -> str:
    """The token of the confirmation link in the last mail sent (nothing exists before it)."""
    from django.core import mail

    return re.search(re.escape(path) + r"([^/\s]+)/", mail.outbox[-1].body).group(1)


def personal_links(municipality: Municipality) -> dict[str, dict]:
    """Parameters of the public pages behind a personal link, made as a resident would."""
    from samen.activities import services as activities
    from samen.outreach import services as outreach
    from samen.partners import signups as partners
    from samen.volunteering import services as volunteering
    from samen.volunteering.models import Programme, Volunteer

    client = Client()
    concern = client.post(
        f"/api/v1/municipalities/{municipality.slug}/concerns",
        {"description": "Post stapelt zich op", "postcode": "1234AB", "house_number": "7"},
        content_type="application/json",
    ).json()
    with municipality_scope(municipality):
        volunteer = volunteering.register_volunteer(
            municipality=municipality,
            kind=Volunteer.Kind.MDT,
            data={
                "first_name": "Noor",
                "last_name": "Bakker",
                "email": "noor@example.org",
                "postcode": "1234AB",
                "date_of_birth": dt.date(2006, 5, 17),
            },
        )
        outreach.subscribe(municipality=municipality, email="lezer@example.org")
        newsletter = _token_in_last_mail("/nieuwsbrief/bevestigen/")
        subscriber = outreach.confirm_subscription(municipality=municipality, token=newsletter)
        activities.join(
            municipality=municipality, name="Buurthuis De Linde", email="info@delinde.example"
        )
        joined = _token_in_last_mail("/meedoen/bevestigen/")
        partners.join(
            municipality=municipality,
            data={
                "name": "Fietsenmaker De Ketting",
                "sector": "retail",
                "contact_name": "Kees",
                "contact_email": "kees@ketting.example",
                "roles": ["signal"],
                "message": "",
            },
        )
        partner_joined = _token_in_last_mail("/samenwerkingen/meedoen/bevestigen/")
        resident = {"first_name": "Sam", "last_name": "de Wit", "postcode": "1234AB"}
        volunteering.request_registration(
            municipality=municipality,
            kind=Volunteer.Kind.RESIDENT,
            data={**resident, "email": "sam@example.org"},
        )
        registered = _token_in_last_mail("/vrijwilligers/bevestigen/")
        volunteering.register_volunteer(
            municipality=municipality,
            kind=Volunteer.Kind.MDT,
            data={
                **resident,
                "email": "jip@example.org",
                "date_of_birth": dt.date.today() - dt.timedelta(days=14 * 366),
                "parent_name": "Ouder de Wit",
                "parent_email": "ouder@example.org",
            },
        )
        parent = _token_in_last_mail("/vrijwilligers/ouder/")
        programme = Programme.objects.first()
        invited = _invitation_token(municipality)
        add_what_the_demo_lacks(municipality)
    links = {
        "concerns:status": {"token": concern["status_token"]},
        "volunteering:personal": {"token": volunteer.token},
        "volunteering:personal-delete": {"token": volunteer.token},
        "outreach:newsletter-confirm": {"token": newsletter},
        "outreach:newsletter-unsubscribe": {"token": subscriber.token},
        "activities:join-confirm": {"token": joined},
        "partners:join-confirm": {"token": partner_joined},
        "volunteering:confirm": {"token": registered},
        "volunteering:parent-confirm": {"token": parent},
        "workshops:rsvp": {"token": invited},
    }
    if programme is not None:
        links["volunteering:invite"] = {"token": programme.invite_token}
    return links


def _invitation_token(municipality: Municipality) -> str:
    """The answer link of an invitation to the demo's working session, as a partner gets it."""
    from samen.workshops import services as workshops
    from samen.workshops.models import Meeting

    meeting = Meeting.objects.get(format="working_session")
    partner = next(row for row in workshops.partner_rows() if row["email"])
    workshops.invite_partners(
        meeting=meeting,
        actor=User.objects.get(username="coordinator"),
        partner_ids=[partner["pk"]],
        subject="Uitnodiging werksessie",
        message="Beste partner, van harte welkom.",
    )
    return _token_in_last_mail("/uitnodiging/")


def add_what_the_demo_lacks(municipality: Municipality) -> None:
    """An activity entered by hand by the library, an e-mail campaign and a newsletter."""
    from samen.activities.models import Activity
    from samen.outreach import services as outreach
    from samen.partners.models import Partner

    coordinator = User.objects.get(username="coordinator")
    library = User.objects.get(username="partner").membership_in(municipality).organisation
    Activity.objects.create(
        municipality=municipality, organisation=library, title="Voorleesuurtje", source_uid=""
    )
    outreach.queue_campaign(
        municipality=municipality,
        actor=coordinator,
        partners=Partner.objects.filter(shortlisted=True),
        subject="Uitnodiging inspiratiesessie",
        body="Beste {aanhef}, graag nodigen we u uit.",
        sender="Fatima El Amrani",
    )
    subject, body = outreach.compose_newsletter(municipality=municipality)
    outreach.save_newsletter(
        municipality=municipality, actor=coordinator, subject=subject, body=body
    )


def is_page(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def first_role_for(url: str) -> str | None:
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        if is_page(client.get(url)):
            return username
    return None


def main() -> None:
    samenstad = Municipality.objects.get(slug="samenstad")
    with scopes_disabled():
        links = personal_links(samenstad)
    pages, skipped = [], []
    for route in demo_urls.routes():
        if route.name in NOT_HTML:
            continue
        try:
            kwargs = links.get(route.name) or demo_urls.parameters(route, samenstad)
        except LookupError as error:
            skipped.append({"name": route.name, "why": str(error)})
            continue
        url = demo_urls.url(route, samenstad.slug, kwargs)
        if route.staff or route.name in ACCOUNT_PAGES:
            role = ACCOUNT_PAGES.get(route.name) or first_role_for(url)
            if role is None:
                skipped.append(
                    {"name": route.name, "why": "not an HTML page (a file or a redirect)"}
                )
                continue
        else:
            role = None
            if not is_page(Client().get(url)):
                continue  # a feed, a calendar file or a redirect
        pages.append({"name": route.name, "url": url, "role": role})
    pages.append({"name": "not found (404)", "url": "/samenstad/bestaat-niet/", "role": None})
    json.dump({"pages": pages, "skipped": skipped}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
