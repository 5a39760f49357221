"""Partner engagement's handler for `core.signup`: what happens to a business's sign-up that
waited for the coordinator, because it resembled an organisation that exists (merged into
that one, or created after all). Registered by PartnersConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.core import signup
from samen.core.models import Organisation, Signup, User

from .models import ContactKind, ContactLog, Partner
from .services import _partner_from_signup, create_partner


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
