"""Data subject requests (AVG art. 15 and 17) as the privacy officer makes them in the browser:
find a person, read and download everything Samen holds, erase it early. For a case of the
Signaalpunt, a volunteer and a newsletter address."""

import json
import re

import pytest

from samen.concerns import services as concerns
from samen.concerns.models import Case, Status
from samen.core.models import AuditEvent
from samen.core.tenancy import municipality_scope
from samen.outreach import services as outreach
from samen.outreach.models import NewsletterOptOut, NewsletterSubscriber
from samen.volunteering.models import Volunteer, hash_token

SEARCH = "/samenstad/beheer/privacy/"
NEWSLETTER_LINK = re.compile(r'href="(/samenstad/beheer/privacy/newsletter/[^"]+)"')
REPORT = {
    "postcode": "9502XY",
    "house_number": "41",
    "street": "Markeerstraat",
    "person_name": "mevrouw Zwanenburg",
    "description": "De gordijnen van mevrouw Zwanenburg zijn al een week dicht.",
    "person_aware": "unknown",
    "reporter_type": "neighbour",
    "reporter_name": "Piet Melder",
    "reporter_phone": "06-98765432",
    "reporter_email": "piet.melder@example.nl",
    "signs": ["curtains_closed"],
}


@pytest.fixture
def reported(samenstad, user, unscoped):
    """A melding with a caseworker's note."""
    with municipality_scope(samenstad):
        submitted = concerns.submit_report(municipality=samenstad, data=REPORT)
        case = submitted.report.case
        concerns.add_note(case=case, actor=user("caseworker"), note="Dochter belt morgen terug.")
    return submitted.report


def _find(client, query: str) -> str:
    response = client.post(SEARCH, {"query": query})
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_is_found_by_its_reference_shown_downloaded_and_erased(
    login, reported, user, unscoped
):
    case = reported.case
    client = login("fg")
    page = _find(client, reported.reference)
    subject = f"/samenstad/beheer/privacy/case/{case.pk}/"
    assert f'href="{subject}"' in page
    search = AuditEvent.objects.get(action="privacy.search")
    assert search.detail["cases"] == [case.pk]
    assert reported.reference not in json.dumps(search.detail)  # the query is not kept

    # The same case by postcode and house number, and by the person's name.
    assert f'href="{subject}"' in _find(client, "9502 xy 41")
    assert f'href="{subject}"' in _find(client, "zwanenburg")
    assert f'href="{subject}"' not in _find(client, "9502XY 42")

    page = client.get(subject).content.decode()
    for held in ["mevrouw Zwanenburg", "Markeerstraat", "week dicht", "Dochter belt morgen"]:
        assert held in page
    # The reporters' contact details are theirs, not the person's.
    assert "06-98765432" not in page and "piet.melder" not in page and "Piet Melder" not in page
    export = AuditEvent.objects.get(action="privacy.export")
    assert (export.actor, export.object_type, export.object_id) == (
        user("fg"),
        "concerns.case",
        str(case.pk),
    )

    text = client.get(subject + "tekst/")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in text["Content-Disposition"]
    body = text.content.decode()
    assert "Inzage (AVG artikel 15)" in body and "Markeerstraat" in body
    assert "Meldingen:" in body and reported.reference in body
    assert "06-98765432" not in body

    # The privacy officer answers "who read case X?" with these lines too.
    log = client.get(f"/samenstad/beheer/audit/?object=casus+{case.pk}").content.decode()
    assert "inzageverzoek: export gemaakt" in log and "verzoek van betrokkene: gezocht" in log


def test_erasing_needs_a_ground_and_a_confirmation_and_then_forgets_the_case(
    login, reported, unscoped
):
    case = reported.case
    client = login("fg")
    erase = f"/samenstad/beheer/privacy/case/{case.pk}/wissen/"
    assert client.get(erase).status_code == 405
    refused = client.post(erase, {"ground": "request"})
    assert refused.status_code == 200
    assert "Vink aan dat u dit zeker weet." in refused.content.decode()
    assert Case.objects.get(pk=case.pk).person_name == "mevrouw Zwanenburg"  # nothing lost

    response = client.post(erase, {"ground": "request", "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == SEARCH
    assert "Gewist" in response.content.decode()
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert (case.person_name, case.street, case.postcode) == ("", "", "")
    assert case.status == Status.CLOSED  # nobody works a case of a person who asked to go
    line = AuditEvent.objects.get(action="privacy.erase")
    assert line.detail["reason"] == "request"
    assert "Zwanenburg" not in json.dumps(line.detail)
    with municipality_scope(case.municipality):
        assert case.reports.get().description == "[geanonimiseerd]"
    # Found again by its reference, it holds nothing of the person.
    page = client.get(f"/samenstad/beheer/privacy/case/{case.pk}/").content.decode()
    assert "Zwanenburg" not in page and "Dochter belt" not in page


def test_another_municipalitys_subjects_are_not_found(login, tweestad, unscoped):
    other = Case.objects.filter(municipality=tweestad).first()
    client = login("fg")
    assert client.get(f"/samenstad/beheer/privacy/case/{other.pk}/").status_code == 404
    assert client.post(f"/samenstad/beheer/privacy/case/{other.pk}/wissen/").status_code == 404
    assert f"/case/{other.pk}/" not in _find(client, f"casus {other.pk}")
    assert client.get("/samenstad/beheer/privacy/onbekend/1/").status_code == 404


def test_an_empty_search_is_a_dutch_error(login):
    response = login("fg").post(SEARCH, {"query": "  "})
    assert "Vul in waarop u wilt zoeken." in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.search").exists()


@pytest.mark.parametrize("username", ["coordinator", "caseworker"])
def test_only_the_privacy_officer_answers_requests(login, reported, username, unscoped):
    client = login(username)
    assert client.get(SEARCH).status_code == 403
    assert client.get(f"/samenstad/beheer/privacy/case/{reported.case.pk}/").status_code == 403


def test_a_volunteer_is_found_by_e_mail_exported_and_erased(login, samenstad, unscoped):
    volunteer = Volunteer.objects.create(
        municipality=samenstad,
        token_hash=hash_token("t" * 30),
        kind=Volunteer.Kind.RESIDENT,
        first_name="Bram",
        last_name="Markeerman",
        email="bram.markeerman@example.nl",
        postcode="9501AB",
    )
    client = login("fg")
    subject = f"/samenstad/beheer/privacy/volunteer/{volunteer.pk}/"
    assert f'href="{subject}"' in _find(client, "Bram.Markeerman@example.nl")
    assert f'href="{subject}"' in _find(client, "bram  markeerman")
    page = client.get(subject).content.decode()
    assert "Markeerman" in page and "9501AB" in page
    client.post(subject + "wissen/", {"ground": "objection", "confirm": "on"})
    assert not Volunteer.objects.filter(pk=volunteer.pk).exists()
    line = AuditEvent.objects.get(action="privacy.erase")
    assert line.detail["reason"] == "objection" and "Markeerman" not in json.dumps(line.detail)


def test_a_newsletter_address_never_appears_in_a_url_and_leaves_only_its_hash(
    login, samenstad, unscoped
):
    email = "lezer.markeer@example.nl"
    NewsletterSubscriber.objects.create(
        municipality=samenstad, email=email, token=NewsletterSubscriber.new_token()
    )
    client = login("fg")
    (subject,) = NEWSLETTER_LINK.findall(_find(client, email))
    assert "@" not in subject and "markeer" not in subject
    page = client.get(subject).content.decode()
    assert email in page  # in the export, not in the title the browser keeps in its history
    assert email not in page.split("</title>")[0]

    client.post(subject + "wissen/", {"ground": "request", "confirm": "on"})
    assert not NewsletterSubscriber.objects.filter(email=email).exists()
    assert NewsletterOptOut.objects.filter(
        email_hash=NewsletterOptOut.hash_email(samenstad, email)
    ).exists()
    with municipality_scope(samenstad):
        assert outreach.opted_out(municipality=samenstad, email=email)
    # What is left is found again: only the hash, so the address itself is not shown.
    page = _find(client, email)
    assert "alleen een hash bewaard" in page
    (subject,) = NEWSLETTER_LINK.findall(page)
    body = client.get(subject).content.decode()
    assert "niet bewaard" in body and email not in body


def test_the_export_does_not_give_the_reporter_away(login, samenstad, user, unscoped):
    """AVG art. 15(4): the person may not learn who reported them."""
    from samen.core.models import Organisation

    organisation = Organisation.objects.filter(municipality=samenstad).first()
    with municipality_scope(samenstad):
        report = concerns.submit_report(
            municipality=samenstad,
            data={**REPORT, "description": "Bel mij terug op 06-98765432 of piet@example.nl"},
            reporter_organisation=organisation,
        ).report
        concerns.add_note(
            case=report.case,
            actor=user("caseworker"),
            note="Melder teruggebeld op 06-98765432,\nmailt nog via piet.melder@example.nl",
        )
    client = login("fg")
    subject = f"/samenstad/beheer/privacy/case/{report.case.pk}/"
    page = client.get(subject).content.decode()
    text = client.get(subject + "tekst/").content.decode()
    for body in (page, text):
        assert "98765432" not in body and "piet" not in body
        assert organisation.name not in body
        assert "[contactgegeven weggelaten]" in body
    assert "lees de tekst na" in page  # the officer checks names in free text
    # A note over two lines stays under its label in the text file.
    assert "\n      mailt nog via [contactgegeven weggelaten]" in text
    assert client.get(subject)["Cache-Control"].startswith("max-age=0")


def test_a_house_number_with_an_addition_and_a_short_reference_are_found(
    login, samenstad, unscoped
):
    with municipality_scope(samenstad):
        report = concerns.submit_report(
            municipality=samenstad, data={**REPORT, "house_number": "41-2"}
        ).report
    client = login("fg")
    subject = f'href="/samenstad/beheer/privacy/case/{report.case.pk}/"'
    assert subject in _find(client, "9502XY 41-2")
    assert subject in _find(client, "9502 xy 41 2")  # the same number, another addition
    assert subject not in _find(client, "9502XY 4")
    year, number = report.reference.split("-")[1:]
    assert subject in _find(client, f"sp-{year}-{int(number)}")


def test_erasing_an_open_case_keeps_why_it_closed_and_twice_is_nothing(login, reported, unscoped):
    case = reported.case
    client = login("fg")
    erase = f"/samenstad/beheer/privacy/case/{case.pk}/wissen/"
    client.post(erase, {"ground": "request", "confirm": "on"})
    with municipality_scope(case.municipality):
        notes = list(case.events.values_list("note", flat=True))
    assert "Afgesloten: de gegevens zijn op verzoek gewist." in notes
    again = client.post(erase, {"ground": "request", "confirm": "on"}, follow=True)
    assert "Er was niets meer te wissen" in again.content.decode()
    assert AuditEvent.objects.filter(action="privacy.erase").count() == 1
