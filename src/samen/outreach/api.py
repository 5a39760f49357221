"""Outreach in the API: e-mail campaigns to partners and the public newsletter subscription.
Under the "Partners" tag, with the paths and operationIds they had there."""

from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from samen.api import AUTH, InputSchema, rate_limited, tenant_endpoint, validation_problem
from samen.partners import selectors as partners_selectors
from samen.partners.selectors import Step  # the choices enum, for the schema

from . import selectors, services

router = Router(tags=["Partners"])


# --- staff: templated e-mail to one partner or a selection -------------------------------------


class CampaignIn(InputSchema):
    multiline = frozenset({"sender", "default_request"})

    template_id: int
    selection: Literal["partners", "shortlist", "step", "all"] = Field(
        "partners",
        description="partners: the ones in `partner_ids`; shortlist; step: all in `step`; "
        "all: the whole longlist.",
    )
    partner_ids: list[int] = Field(default_factory=list, max_length=5000)
    step: Step | None = None
    sender: str = Field(..., min_length=1, max_length=500, description="Name, role, contact.")
    default_request: str = Field(
        "", max_length=2000, description="{verzoek} for partners without their own request."
    )


class CampaignOut(Schema):
    id: int
    queued: int
    without_email: list[str] = Field(description="Partners skipped: no e-mail address.")
    opted_out: list[str] = Field(
        description="Partners skipped: their address unsubscribed from the newsletter."
    )


@router.post(
    "/municipalities/{slug}/email-campaigns",
    response={202: CampaignOut},
    auth=AUTH,
    summary="Queue a templated e-mail to one partner or a selection",
    operation_id="createEmailCampaign",
)
@tenant_endpoint("partners.manage")
def create_campaign(request: HttpRequest, slug: str, payload: CampaignIn):
    """Renders the template's merge fields for each partner into the outbox and queues the
    delivery (202); every e-mail is logged on its partner when sent. Coordinators only."""
    municipality = request.municipality
    template = selectors.templates().filter(pk=payload.template_id).first()
    if template is None:
        return _invalid("template_id", _("Kies een sjabloon."))
    unknown = partners_selectors.unknown_partner_ids(payload.partner_ids)
    if unknown:
        return _invalid(
            "partner_ids",
            _("Onbekende partner(s): %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))},
        )
    selection = "one" if payload.selection == "partners" else payload.selection
    recipients = partners_selectors.campaign_recipients(
        selection, partner_ids=payload.partner_ids, step=payload.step or ""
    )
    try:
        queued = services.queue_campaign(
            municipality=municipality,
            actor=request.user,
            partners=recipients,
            subject=template.subject,
            body=template.body,
            sender=payload.sender,
            default_request=payload.default_request,
            template=template,
        )
    except DjangoValidationError as error:
        return validation_problem(error)
    return Status(
        202,
        {
            "id": queued.campaign.pk,
            "queued": queued.queued,
            "without_email": queued.without_email,
            "opted_out": queued.opted_out,
        },
    )


def _invalid(name: str, reason: str):
    return validation_problem(DjangoValidationError({name: reason}))


# --- public: the newsletter (double opt-in, one-click unsubscribe) -----------------------------


class SubscriptionIn(InputSchema):
    email: str = Field(..., max_length=254, description="Gets a confirmation link.")
    name: str = Field("", max_length=120)


class SubscriptionOut(Schema):
    email: str
    confirmed: bool
    unsubscribed: bool = Field(
        description="Always false: unsubscribing deletes the subscription at once."
    )


class AcceptedOut(Schema):
    detail: str


@router.post(
    "/municipalities/{slug}/newsletter-subscriptions",
    response={202: AcceptedOut},
    auth=None,
    summary="Subscribe to the newsletter (sends a confirmation e-mail)",
    operation_id="createNewsletterSubscription",
)
@tenant_endpoint()
def create_subscription(request: HttpRequest, slug: str, payload: SubscriptionIn):
    """Double opt-in: the address gets a link to confirm. The answer is the same whether or
    not the address was known. Rate limited per client address (429)."""
    municipality = request.municipality
    try:
        validate_email(payload.email.strip())
    except DjangoValidationError:
        return _invalid("email", _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))
    if rate_limited(
        request, group="newsletter", key="ip", rate=settings.SAMEN_CONCERN_RATE, increment=True
    ):
        raise HttpError(429, _("Te veel aanmeldingen vanaf dit adres. Probeer het later opnieuw."))
    services.subscribe(municipality=municipality, email=payload.email, name=payload.name)
    return Status(
        202, {"detail": _("Bekijk uw e-mail en bevestig uw aanmelding met de link daarin.")}
    )


def _subscription_out(subscriber) -> dict:
    return {
        "email": subscriber.email,
        "confirmed": subscriber.confirmed_at is not None,
        "unsubscribed": False,
    }


@router.post(
    "/municipalities/{slug}/newsletter-subscriptions/{token}/confirmation",
    response=SubscriptionOut,
    auth=None,
    summary="Confirm a newsletter subscription with the token from the e-mail",
    operation_id="confirmNewsletterSubscription",
)
@tenant_endpoint()
def confirm_subscription(request: HttpRequest, slug: str, token: str):
    """The token is the key: unknown or of another municipality is 404."""
    municipality = request.municipality
    subscriber = services.confirm_subscription(municipality=municipality, token=token[:64])
    if subscriber is None:
        raise Http404
    return _subscription_out(subscriber)


@router.delete(
    "/municipalities/{slug}/newsletter-subscriptions/{token}",
    response={204: None},
    auth=None,
    summary="Unsubscribe from the newsletter",
    operation_id="deleteNewsletterSubscription",
)
@tenant_endpoint()
def delete_subscription(request: HttpRequest, slug: str, token: str):
    """With the token of the unsubscribe link in every newsletter. The subscription is
    deleted at once; only a keyed hash of the address is kept, so it is never mailed again.
    Idempotent: the same token answers 204 again."""
    municipality = request.municipality
    if not services.unsubscribe(municipality=municipality, token=token[:64]):
        raise Http404
    return Status(204, None)
