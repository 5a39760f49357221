"""The offer to businesses (the guide's "voorbeeldpropositie"): prefilled from the guide,
edited by the coordinator, shown on the sign-up page, the partner's own page and in e-mails."""

import pytest
from django.core import mail

from samen.core.models import AuditEvent, Organisation
from samen.core.roles import Role
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory, OrganisationFactory, member
from samen.outreach import services as outreach_services
from samen.outreach.models import EmailSend
from samen.partners import offer
from samen.partners.models import OfferPoint, Partner

from .factories import PartnerFactory

pytestmark = pytest.mark.django_db

GUIDE_TITLES = [title for _key, title, _text in offer.GUIDE_OFFER]


@pytest.fixture
def place():
    return MunicipalityFactory(slug="offerstad", name="Offerstad")


@pytest.fixture
def coordinator(place):
    return member(place, Role.COORDINATOR)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_guide_offer_is_there_the_first_time_and_once(client, place, coordinator):
    client.force_login(coordinator)
    page = _page(client, "/offerstad/beheer/partners/aanbod/")
    for title in GUIDE_TITLES:
        assert title in page
    assert "Toegang tot Signaalpunt" in page
    _page(client, "/offerstad/beheer/partners/aanbod/")
    with municipality_scope(place):
        assert OfferPoint.objects.count() == len(GUIDE_TITLES) == 8


def test_the_sign_up_page_shows_the_offer_with_its_explanations(client, place):
    page = _page(client, "/offerstad/samenwerkingen/meedoen/")
    assert "Wat de gemeente Offerstad u biedt" in page
    assert "Training van medewerkers" in page
    assert "Uw medewerkers leren eenzaamheid herkennen" in page


def test_the_coordinator_adds_reorders_hides_and_edits(client, place, coordinator):
    client.force_login(coordinator)
    url = "/offerstad/beheer/partners/aanbod/"
    client.post(url, {"action": "add", "title": "Gratis plek op de kerstmarkt", "explanation": ""})
    with municipality_scope(place):
        added = OfferPoint.objects.get(title="Gratis plek op de kerstmarkt")
        assert list(OfferPoint.objects.values_list("title", flat=True))[-1] == added.title
        signaalpunt = OfferPoint.objects.get(key="signaalpunt")
        training = OfferPoint.objects.get(key="training")
    client.post(url, {"action": "up", "point": added.pk})
    client.post(url, {"action": "hide", "point": training.pk})
    response = client.post(
        f"{url}{signaalpunt.pk}/",
        {"title": "Direct contact met het Signaalpunt", "explanation": "Bel of meld online."},
    )
    assert response.status_code == 302
    with municipality_scope(place):
        titles = list(OfferPoint.objects.values_list("title", flat=True))
    assert titles[-2:] == ["Gratis plek op de kerstmarkt", "Direct contact met het Signaalpunt"]
    public = _page(client, "/offerstad/samenwerkingen/meedoen/")
    assert "Training van medewerkers" not in public  # hidden
    assert public.index("Gratis plek op de kerstmarkt") < public.index("Direct contact met")
    assert "Training van medewerkers" in _page(client, url)  # kept, marked hidden
    client.post(url, {"action": "show", "point": training.pk})
    assert "Training van medewerkers" in _page(client, "/offerstad/samenwerkingen/meedoen/")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"partners.offer_add", "partners.offer_move", "partners.offer_update"} <= actions


def test_an_empty_or_multi_line_point_gets_a_dutch_error(client, place, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/offerstad/beheer/partners/aanbod/", {"action": "add", "title": " ", "explanation": ""}
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    response = client.post("/offerstad/beheer/partners/aanbod/", {"action": "add", "title": "a\nb"})
    assert "Gebruik hier één regel" in response.content.decode()


def test_another_municipalitys_point_is_not_found(client, place, coordinator):
    other = MunicipalityFactory(slug="elders")
    with municipality_scope(other):
        foreign = offer.points(other)[0]
    client.force_login(coordinator)
    assert client.get(f"/offerstad/beheer/partners/aanbod/{foreign.pk}/").status_code == 404
    response = client.post(
        "/offerstad/beheer/partners/aanbod/", {"action": "hide", "point": foreign.pk}
    )
    assert response.status_code == 404
    with municipality_scope(other):
        assert not OfferPoint.objects.get(pk=foreign.pk).hidden


def test_aanbod_in_an_email_is_the_offer_as_plain_text(place, coordinator):
    with municipality_scope(place):
        points = offer.points(place)
        offer.set_hidden(point=points[0], actor=coordinator, hidden=True)
        template = outreach_services.save_template(
            municipality=place,
            actor=coordinator,
            data={
                "name": "Met aanbod",
                "purpose": "business",
                "subject": "Doe mee",
                "body": "{aanhef},\n\nWat wij bieden:\n{aanbod}\n\nGroet",
            },
        )
        partner = PartnerFactory(municipality=place, contact_email="johan@winkel.example")
        outreach_services.queue_campaign(
            municipality=place,
            actor=coordinator,
            partners=Partner.objects.filter(pk=partner.pk),
            subject=template.subject,
            body=template.body,
            sender="Fatima",
        )
        body = EmailSend.objects.get().body
    assert "- Verbinding met andere ondernemers: U leert ondernemers" in body
    assert "- Toegang tot Signaalpunt: Maakt u zich zorgen" in body
    assert "Kansen voor maatschappelijk verantwoord ondernemen" not in body  # hidden
    assert "{aanbod}" not in body and "<" not in body


def test_the_partners_own_page_shows_the_offer(client, place):
    library = OrganisationFactory(municipality=place, kind=Organisation.Kind.LIBRARY)
    client.force_login(member(place, Role.PARTNER, organisation=library))
    page = _page(client, "/offerstad/beheer/partners/mijn-organisatie/")
    assert "Wat de gemeente Offerstad u biedt" in page
    assert "Vermelding op website, nieuwsbrief" in page
    assert not mail.outbox


def test_aanbod_is_a_list_and_is_refused_in_a_subject(client, place, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/offerstad/beheer/partners/e-mail/sjabloon/",
        {"name": "Fout", "purpose": "business", "subject": "Ons {aanbod}", "body": "{aanbod}"},
    )
    assert response.status_code == 200
    assert "past niet in het onderwerp" in response.content.decode()
    with municipality_scope(place):
        from django.core.exceptions import ValidationError

        partner = PartnerFactory(municipality=place, contact_email="a@b.example")
        with pytest.raises(ValidationError):
            outreach_services.queue_campaign(
                municipality=place,
                actor=coordinator,
                partners=Partner.objects.filter(pk=partner.pk),
                subject="Ons {aanbod}",
                body="Hallo",
                sender="Fatima",
            )
