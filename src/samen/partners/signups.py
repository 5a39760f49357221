"""A business joins on the open page through `core.signup`: the sign-up, its confirmation,
and the handler for a sign-up that waited for the coordinator because it resembled an
organisation that exists (merged into that one, or created after all; registered by
PartnersConfig.ready())."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.core import audit, signup
from samen.core.models import Municipality, Organisation, Signup, User

from .models import ContactKind, ContactLog, Partner
from .services import ORGANISATION_FIELDS, SECTOR_KIND, _unique_slug, create_partner


def _merge_partner_signup(pending: Signup, organisation: Organisation, actor: User) -> None:
    """The coordinator says this sign-up is that organisation: it goes on the longlist if it
    was not yet, and the sign-up is noted in its contact log; the organisation's and the
    partner's name and contact details stay as they are."""
    data = pending.data
    partner = Partner.objects.filter(organisation=organisation).first()
    if partner is None:
        keep = {k: v for k, v in data.items() if k in ("sector", "roles")}
        partner = create_partner(
            municipality=pending.municipality,
            actor=actor,
            data={**keep, "name": organisation.name, "warm_contact": False},
            organisation=organisation,
            source="join",
        )
    contact = ", ".join(
        str(data.get(k, ""))
        for k in ("contact_name", "contact_email", "contact_phone")
        if data.get(k)
    )
    ContactLog.objects.create(
        municipality=pending.municipality,
        partner=partner,
        kind=ContactKind.EMAIL,
        by=actor,
        summary=_("Opnieuw aangemeld via de website (%(c)s): %(m)s")
        % {"c": contact, "m": data.get("message", "")},
    )


def _create_partner_signup(pending: Signup, actor: User) -> Organisation:
    return _partner_from_signup(pending, actor=actor).organisation


HANDLER = signup.Handler(
    label=gettext_lazy("Partner"), merge=_merge_partner_signup, create=_create_partner_signup
)


PARTNER_SIGNUP = "partner"  # the purpose of these sign-ups in samen.core.signup


def join(*, municipality: Municipality, data: dict[str, Any]) -> bool:
    """A business signs up on the open page. Nothing is on the longlist until the contact
    address is confirmed (one confirmation mail per address per hour; False when this one
    was not sent). Never exclusive: every business may join."""

    return signup.start(
        municipality=municipality,
        purpose=PARTNER_SIGNUP,
        email=data["contact_email"],
        data=dict(data),
        confirm_view="partners:join-confirm",
        subject=_("Bevestig uw aanmelding als partner van de coalitie in %(m)s")
        % {"m": municipality.name},
        body=_(
            "Goedendag,\n\nU (of iemand anders) heeft dit adres opgegeven bij een aanmelding als "
            "partner van de coalitie tegen eenzaamheid in %(m)s. Bevestig met deze link:\n\n"
            "%%(link)s\n\nHebt u zich niet aangemeld? Dan hoeft u niets te doen.\n\nSamen"
        )
        % {"m": municipality.name},
    )


def confirm_join(*, municipality: Municipality, token: str) -> Partner | Signup | None:
    """The link was clicked: the business is on the longlist (source 'aangemeld') and the
    coalition's address hears of it; or, when it resembles an organisation that exists
    (KvK number, name, e-mail), the sign-up waits for the coordinator. None: unknown link."""
    with transaction.atomic():
        confirmed = signup.confirm(municipality=municipality, purpose=PARTNER_SIGNUP, token=token)
        if confirmed is None:
            return None
        pending, data = confirmed.signup, confirmed.signup.data
        if not confirmed.first:
            partner = (
                Partner.objects.filter(organisation_id=pending.result_id).first()
                if pending.result_id is not None
                else None
            )
            return partner or pending
        match = None
        if data.get("kvk_number"):
            known = Partner.objects.filter(kvk_number=data["kvk_number"]).first()
            match = known.organisation if known else None
        match = match or signup.matching_organisation(
            municipality=municipality, name=data["name"], email=data["contact_email"]
        )
        if match is not None:
            return signup.hold(signup=pending, match=match)
        partner = _partner_from_signup(pending, actor=None)
    _tell_the_coalition(municipality, partner)
    return partner


def _partner_from_signup(pending: Signup, actor: User | None) -> Partner:
    """A new organisation and its place on the longlist, from a confirmed sign-up."""
    data = dict(pending.data)
    roles = data.pop("roles", [])
    message = data.pop("message", "")
    organisation = Organisation.objects.create(
        municipality=pending.municipality,
        slug=_unique_slug(data["name"]),
        kind=SECTOR_KIND.get(data.get("sector"), Organisation.Kind.BUSINESS),
        email=data.get("contact_email", ""),
        **{k: data.get(k, "") for k in ORGANISATION_FIELDS},
    )
    partner = create_partner(
        municipality=pending.municipality,
        actor=actor,
        data={**data, "warm_contact": False},
        organisation=organisation,
        source="join",
    )
    if roles and not partner.roles:
        partner.roles = roles
        partner.save(update_fields=["roles"])
    if message:
        ContactLog.objects.create(
            municipality=pending.municipality,
            partner=partner,
            kind=ContactKind.EMAIL,
            summary=_("Aangemeld via de website: %(m)s") % {"m": message},
        )
    pending.result = organisation
    pending.save(update_fields=["result"])
    audit.record(action="partners.join", actor=actor, obj=partner)
    return partner


def _tell_the_coalition(municipality: Municipality, partner: Partner) -> None:
    if not municipality.contact_email:
        return
    url = settings.SITE_URL + reverse(
        "partners:detail", args=[municipality.slug, partner.organisation.slug]
    )
    send_mail(
        subject=_("Nieuwe aanmelding als partner"),
        message=_("%(n)s heeft zich aangemeld via de website.\n\n%(url)s\n\nSamen")
        % {"n": partner.organisation.name, "url": url},
        from_email=None,
        recipient_list=[municipality.contact_email],
        fail_silently=True,
    )
