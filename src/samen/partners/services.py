"""Every change to partners goes through these functions: keyword-only, one transaction each,
audit-logged. Views, API, commands and tasks call them. E-mail and the newsletter are in
`samen.outreach.services`; reading a longlist file is in `longlist_import`."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from samen.core import audit
from samen.core.errors import Conflict
from samen.core.models import Municipality, Organisation, User

from . import longlist_import
from .models import (
    DEFAULT_PRIORITY_SECTORS,
    MONEY_RECIPIENTS,
    SPOKEN,
    ContactKind,
    ContactLog,
    Contribution,
    FiveM,
    HoldChange,
    Partner,
    PartnerRole,
    Recipient,
    ScoringWeights,
    Sector,
    StarterItem,
    Step,
    StepChange,
)

# The principle every message to a business repeats (chapter 2, "basisprincipes").
VOLUNTARY_NOTE = _(
    "Samenwerking met de gemeente is altijd geheel vrijwillig, nooit exclusief en geeft geen "
    "voordeel bij inkoop of aanbesteding."
)
MONEY_REFUSED = _(
    "Donaties of sponsorgeld aan het sociaal beleid van de gemeente zijn uitgesloten. Geld kan "
    "wel naar een onafhankelijke stichting of een initiatief: kies die als ontvanger."
)


# --- permissions ---------------------------------------------------------------------------


def _require(actor: User | None, municipality: Municipality, perm: str) -> None:
    if actor is None or not actor.has_samen_perm(municipality, perm):
        raise PermissionDenied(f"{perm} required")


def own_organisation(user: User, municipality: Municipality) -> Organisation | None:
    membership = user.membership_in(municipality) if user.is_authenticated else None
    return membership.organisation if membership else None


def may_edit_partner(user: User, partner: Partner) -> bool:
    """Coordinators edit every partner; a partner user only its own organisation's."""
    if user.has_samen_perm(partner.municipality, "partners.manage"):
        return True
    return (
        user.has_samen_perm(partner.municipality, "partners.own_profile")
        and own_organisation(user, partner.municipality) == partner.organisation
    )


# --- weights -------------------------------------------------------------------------------


def weights_for(municipality: Municipality) -> ScoringWeights:
    row = ScoringWeights.objects.filter(municipality=municipality).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ScoringWeights.objects.create(
                    municipality=municipality,
                    priority_sectors=[str(s) for s in DEFAULT_PRIORITY_SECTORS],
                )
        except IntegrityError:
            row = ScoringWeights.objects.get(municipality=municipality)
    return row


def save_weights(
    *, municipality: Municipality, actor: User, data: dict[str, Any]
) -> ScoringWeights:
    _require(actor, municipality, "partners.manage")
    with transaction.atomic():
        row = weights_for(municipality)
        for name, value in data.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save()
        refresh_scores(municipality=municipality)
        audit.record(action="partners.weights", actor=actor, obj=row, **_jsonable(data))
    return row


def refresh_scores(*, municipality: Municipality) -> int:
    """Recompute every partner's stored score with the municipality's weights: one UPDATE."""
    from .scoring import Weights, score_expression

    weights = Weights.of(weights_for(municipality))
    with scopes_disabled():
        return Partner.objects.filter(municipality=municipality).update(
            score=score_expression(weights)
        )


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | str | bool | list) else str(v) for k, v in data.items()}


# --- partners ------------------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "address", "postcode", "website")
PARTNER_FIELDS = (
    "sector",
    "kvk_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "daily_routes",
    "national_coalition",
    "image_ok",
    "csr_known",
    "fits_goals",
    "earlier_cooperation",
    "warm_contact",
    "shortlisted",
    "account_holder",
    "next_contact_on",
    "salutation",
    "compliment",
    "concrete_request",
    "public_description",
    "notes",
)
SECTOR_KIND: dict[str | None, str] = {
    Sector.SUPERMARKET: Organisation.Kind.SHOP,
    Sector.RETAIL: Organisation.Kind.SHOP,
    Sector.PARAMEDICAL: Organisation.Kind.PHARMACY,
    Sector.HOSPITALITY: Organisation.Kind.HOSPITALITY,
    Sector.SPORT: Organisation.Kind.SPORT,
}


def _unique_slug(name: str, taken: set[str] | None = None) -> str:
    base = slugify(name)[:90] or "organisatie"
    existing = taken if taken is not None else set()
    candidate, n = base, 2
    while candidate in existing or (
        taken is None and Organisation.objects.filter(slug=candidate).exists()
    ):
        candidate = f"{base}-{n}"
        n += 1
    if taken is not None:
        taken.add(candidate)
    return candidate


def _check_kvk(partner: Partner | None, kvk: str) -> None:
    if (
        kvk
        and Partner.objects.filter(kvk_number=kvk)
        .exclude(pk=partner.pk if partner and partner.pk else 0)
        .exists()
    ):
        raise Conflict({"kvk_number": _("Er is al een partner met dit KvK-nummer.")})


def create_partner(
    *,
    municipality: Municipality,
    actor: User | None,
    data: dict[str, Any],
    organisation: Organisation | None = None,
    source: str = "hand",
) -> Partner:
    """Put an organisation on the longlist (step voorbereiden). Creates the organisation when
    it is not in the coalition yet."""
    if source != "join":
        _require(actor, municipality, "partners.manage")
    with transaction.atomic():
        if organisation is None:
            organisation = Organisation.objects.filter(name__iexact=data["name"].strip()).first()
        if organisation is not None and Partner.objects.filter(organisation=organisation).exists():
            raise Conflict({"name": _("Deze organisatie staat al op de longlist.")})
        _check_kvk(None, data.get("kvk_number", ""))
        if organisation is None:
            organisation = Organisation.objects.create(
                municipality=municipality,
                slug=_unique_slug(data["name"]),
                kind=SECTOR_KIND.get(data.get("sector"), Organisation.Kind.BUSINESS),
                email=data.get("organisation_email", "") or data.get("contact_email", ""),
                **{k: data.get(k, "") for k in ORGANISATION_FIELDS},
            )
        now = timezone.now()
        partner = Partner(
            municipality=municipality,
            organisation=organisation,
            source=source,
            created_at=now,
            updated_at=now,
            step_changed_at=now,
        )
        for name in PARTNER_FIELDS:
            if name in data:
                setattr(partner, name, data[name])
        partner.save()
        StepChange.objects.create(
            municipality=municipality, partner=partner, to_step=Step.PREPARE, actor=actor, at=now
        )
        audit.record(action="partners.create", actor=actor, obj=partner, source=source)
    return partner


def update_partner(*, partner: Partner, actor: User, data: dict[str, Any]) -> Partner:
    _require(actor, partner.municipality, "partners.manage")
    with transaction.atomic():
        _check_kvk(partner, data.get("kvk_number", partner.kvk_number))
        organisation = partner.organisation
        for name in ORGANISATION_FIELDS:
            if name in data:
                setattr(organisation, name, data[name])
        organisation.save()
        for name in PARTNER_FIELDS:
            if name in data:
                setattr(partner, name, data[name])
        partner.updated_at = timezone.now()
        partner.save()
        audit.record(action="partners.update", actor=actor, obj=partner)
    return partner


def update_own_profile(*, partner: Partner, actor: User, data: dict[str, Any]) -> Partner:
    """What a partner edits itself: what it does (roles), the public text and its contact."""
    if not may_edit_partner(actor, partner):
        raise PermissionDenied("not this partner")
    with transaction.atomic():
        for name in (
            "roles",
            "public_description",
            "contact_name",
            "contact_email",
            "contact_phone",
        ):
            if name in data:
                setattr(partner, name, data[name])
        organisation = partner.organisation
        for name in ("website", "description"):
            if name in data:
                setattr(organisation, name, data[name])
        organisation.save()
        partner.updated_at = timezone.now()
        partner.save()
        audit.record(action="partners.profile", actor=actor, obj=partner)
    return partner


def partner_for_own_organisation(*, municipality: Municipality, actor: User) -> Partner | None:
    """A partner user's own partner record; created (on the longlist) the first time."""
    organisation = own_organisation(actor, municipality)
    if organisation is None:
        return None
    existing = Partner.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    return create_partner(
        municipality=municipality,
        actor=actor,
        data={"name": organisation.name},
        organisation=organisation,
        source="join",
    )


def move_step(*, partner: Partner, actor: User, to_step: str, note: str = "") -> Partner:
    """Move a partner to one of the five steps (any order: the guide says so) and append the
    move, its date and who did it to the history."""
    _require(actor, partner.municipality, "partners.manage")
    if to_step not in Step.values:
        raise ValidationError({"to_step": _("Kies een van de vijf stappen.")})
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if partner.step == to_step:
            raise Conflict(
                {
                    "to_step": _("De partner staat al in de stap '%(step)s'.")
                    % {"step": Step(to_step).label}
                }
            )
        now = timezone.now()
        StepChange.objects.create(
            municipality=partner.municipality,
            partner=partner,
            from_step=partner.step,
            to_step=to_step,
            actor=actor,
            note=note,
            at=now,
        )
        from_step = partner.step
        partner.step = to_step
        partner.step_changed_at = now
        partner.updated_at = now
        partner.save(update_fields=["step", "step_changed_at", "updated_at"])
        audit.record(
            action="partners.step", actor=actor, obj=partner, from_step=from_step, to_step=to_step
        )
    return partner


def put_on_hold(*, partner: Partner, actor: User, reason: str) -> Partner:
    """ "Bij twijfel: niet doen": the partner leaves the contact reminders and the "not spoken
    to" list, with the reason on its page and in its history, until `take_back`."""
    _require(actor, partner.municipality, "partners.manage")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Vul in waarom u deze partner laat rusten.")})
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if partner.on_hold_since is not None:
            raise Conflict({"reason": _("Deze partner staat al in de wacht.")})
        now = timezone.now()
        partner.on_hold_since, partner.on_hold_reason, partner.updated_at = now, reason, now
        partner.save(update_fields=["on_hold_since", "on_hold_reason", "updated_at"])
        HoldChange.objects.create(
            municipality=partner.municipality,
            partner=partner,
            on_hold=True,
            reason=reason,
            actor=actor,
            at=now,
        )
        audit.record(action="partners.hold", actor=actor, obj=partner)
    return partner


def take_back(*, partner: Partner, actor: User) -> Partner:
    """The partner is back in the reminders and the "not spoken to" list."""
    _require(actor, partner.municipality, "partners.manage")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if partner.on_hold_since is None:
            raise Conflict({"reason": _("Deze partner staat niet in de wacht.")})
        now = timezone.now()
        partner.on_hold_since, partner.on_hold_reason, partner.updated_at = None, "", now
        partner.save(update_fields=["on_hold_since", "on_hold_reason", "updated_at"])
        HoldChange.objects.create(
            municipality=partner.municipality, partner=partner, on_hold=False, actor=actor, at=now
        )
        audit.record(action="partners.hold_end", actor=actor, obj=partner)
    return partner


def set_ambassador(*, organisation: Organisation, actor: User, on: bool) -> Organisation:
    """Mark (or unmark) an organisation or business as ambassador of the coalition: it is in
    the ambassador network and the public register shows it."""
    _require(actor, organisation.municipality, "partners.manage")
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(is_ambassador=on)
        organisation.is_ambassador = on
        audit.record(action="partners.ambassador", actor=actor, obj=organisation, on=on)
    return organisation


def log_contact(
    *,
    partner: Partner,
    actor: User,
    kind: str,
    at: dt.datetime | None = None,
    summary: str = "",
    starter: list[str] | None = None,
    next_contact_on: dt.date | None = None,
) -> ContactLog:
    _require(actor, partner.municipality, "partners.manage")
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Kies bezoek, telefoongesprek, e-mail of afspraak.")})
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(
            {"at": _("Een contact ligt niet in de toekomst. Gebruik 'volgend contact'.")}
        )
    starter = [item for item in (starter or []) if item in StarterItem.values]
    with transaction.atomic():
        contact = ContactLog.objects.create(
            municipality=partner.municipality,
            partner=partner,
            kind=kind,
            at=at,
            by=actor,
            summary=summary,
            starter=starter,
        )
        _touch(partner, kind, at)
        if next_contact_on is not None:
            Partner.objects.filter(pk=partner.pk).update(next_contact_on=next_contact_on)
            partner.next_contact_on = next_contact_on
        audit.record(action="partners.contact", actor=actor, obj=partner, kind=kind)
    return contact


def _touch(partner: Partner, kind: str, at: dt.datetime) -> None:
    """Keep the partner's last-contact stamps (for the 'not spoken to' list) up to date."""
    Partner.objects.filter(pk=partner.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)
    if kind in SPOKEN:
        Partner.objects.filter(pk=partner.pk).filter(
            Q(last_spoken_at__isnull=True) | Q(last_spoken_at__lt=at)
        ).update(last_spoken_at=at)


def set_shortlisted(*, municipality: Municipality, actor: User, ids: list[int], on: bool) -> int:
    """Put the partners `ids` on the shortlist (or take them off), with one audit line."""
    _require(actor, municipality, "partners.manage")
    with transaction.atomic():
        count = Partner.objects.filter(municipality=municipality, pk__in=ids).update(
            shortlisted=on, updated_at=timezone.now()
        )
        audit.record(
            action="partners.shortlist",
            actor=actor,
            municipality=municipality,
            on=on,
            partners=sorted(ids),
            count=count,
        )
    return count


def log_email_sent(
    *, municipality_id: int, partner_id: int, at: dt.datetime, by_id: int | None, **log: Any
) -> None:
    """Outreach sent a campaign's e-mail: it is in the partner's contact log (`log` gives the
    summary and email_send_id) and counts as the last contact. Runs in the worker's
    transaction, across scopes."""
    ContactLog.objects.create(
        municipality_id=municipality_id,
        partner_id=partner_id,
        kind=ContactKind.EMAIL,
        at=at,
        by_id=by_id,
        **log,
    )
    Partner.objects.filter(pk=partner_id).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)


# --- roles and contributions ---------------------------------------------------------------


def set_roles(
    *, partner: Partner, actor: User, roles: list[str], public_description: str | None = None
) -> Partner:
    if not may_edit_partner(actor, partner):
        raise PermissionDenied("not this partner")
    unknown = [r for r in roles if r not in PartnerRole.values]
    if unknown:
        raise ValidationError({"roles": _("Kies rollen uit de lijst.")})
    with transaction.atomic():
        partner.roles = [r for r in PartnerRole.values if r in roles]
        if public_description is not None:
            partner.public_description = public_description
        partner.updated_at = timezone.now()
        partner.save(update_fields=["roles", "public_description", "updated_at"])
        audit.record(action="partners.roles", actor=actor, obj=partner, roles=partner.roles)
    return partner


def check_contribution(data: dict[str, Any]) -> None:
    """The principles for contributions, in Dutch, per field."""
    m, recipient = data.get("m"), data.get("recipient", Recipient.COALITION)
    if m not in FiveM.values:
        raise ValidationError({"m": _("Kies een van de 5 M's.")})
    if recipient not in Recipient.values:
        raise ValidationError({"recipient": _("Kies aan wie de bijdrage ten goede komt.")})
    if m == FiveM.MONEY:
        if recipient not in MONEY_RECIPIENTS:
            raise ValidationError({"recipient": MONEY_REFUSED})
        if not (data.get("recipient_name") or "").strip():
            raise ValidationError(
                {"recipient_name": _("Vul de naam van de stichting of het initiatief in.")}
            )
    elif data.get("amount"):
        raise ValidationError({"amount": _("Een bedrag hoort alleen bij munten (geld).")})
    if data.get("amount") is not None and data["amount"] < 0:
        raise ValidationError({"amount": _("Een bedrag is niet negatief.")})
    ended, started = data.get("ended_on"), data.get("started_on")
    if ended and started and ended < started:
        raise ValidationError({"ended_on": _("De einddatum ligt voor de begindatum.")})


def _check_principles(
    *, partner: Partner, actor: User, data: dict[str, Any], confirm: bool = False
) -> None:
    """Who may change this partner's contributions, and the principles any contribution
    keeps; a refused donation to the municipality is written to the audit log. With
    `confirm`, `data["voluntary"]` must be true (cooperation is always voluntary)."""
    if not may_edit_partner(actor, partner):
        raise PermissionDenied("not this partner")
    if confirm and not data.get("voluntary"):
        raise ValidationError(
            {"voluntary": _("Samenwerking is altijd vrijwillig: bevestig dat de partner dit weet.")}
        )
    try:
        check_contribution(data)
    except ValidationError:
        if data.get("m") == FiveM.MONEY and data.get("recipient") == Recipient.MUNICIPALITY:
            audit.record(action="partners.donation_refused", actor=actor, obj=partner)
        raise


def record_contribution(*, partner: Partner, actor: User, data: dict[str, Any]) -> Contribution:
    """Record what a partner contributes. Money to the municipality's social policy is refused
    (and the refusal is in the audit log); money to an independent foundation or initiative is
    recorded as such. `data["voluntary"]` must be true: the partner confirmed that
    cooperation is voluntary, never exclusive and gives no advantage in procurement."""
    _check_principles(partner=partner, actor=actor, data=data, confirm=True)
    with transaction.atomic():
        contribution = Contribution.objects.create(
            municipality=partner.municipality,
            partner=partner,
            m=data["m"],
            description=data["description"],
            recipient=data.get("recipient", Recipient.COALITION),
            recipient_name=(data.get("recipient_name") or "").strip(),
            amount=data.get("amount"),
            started_on=data.get("started_on") or timezone.localdate(),
            ended_on=data.get("ended_on"),
            created_by=actor,
        )
        audit.record(action="partners.contribution", actor=actor, obj=partner, m=contribution.m)
    return contribution


def record_own_contribution(
    *, municipality: Municipality, actor: User, data: dict[str, Any]
) -> Contribution:
    """A partner user's contribution to its own organisation's record, which is created (on
    the longlist) with it the first time: both or neither."""
    with transaction.atomic():
        partner = partner_for_own_organisation(municipality=municipality, actor=actor)
        if partner is None:
            raise PermissionDenied("no organisation of one's own")
        return record_contribution(partner=partner, actor=actor, data=data)


CONTRIBUTION_FIELDS = (
    "m",
    "description",
    "recipient",
    "recipient_name",
    "amount",
    "started_on",
    "ended_on",
)


def update_contribution(
    *, contribution: Contribution, actor: User, data: dict[str, Any]
) -> Contribution:
    """Change a contribution under the same principles as recording one (money never to the
    municipality). `data` holds the fields to change; a form that asks for the voluntary
    confirmation again passes it as `data["voluntary"]`, which must then be true."""
    partner = contribution.partner
    merged = {name: getattr(contribution, name) for name in CONTRIBUTION_FIELDS} | data
    _check_principles(partner=partner, actor=actor, data=merged, confirm="voluntary" in data)
    with transaction.atomic():
        for name in CONTRIBUTION_FIELDS:
            setattr(contribution, name, merged[name])
        contribution.recipient_name = (contribution.recipient_name or "").strip()
        contribution.started_on = contribution.started_on or timezone.localdate()
        contribution.save()
        audit.record(action="partners.contribution_update", actor=actor, obj=partner)
    return contribution


def delete_contribution(*, contribution: Contribution, actor: User) -> None:
    """Remove a contribution recorded by mistake (it leaves the public register). A
    cooperation that stopped is ended instead (`end_contribution`), so the register keeps it."""
    partner = contribution.partner
    if not may_edit_partner(actor, partner):
        raise PermissionDenied("not this partner")
    with transaction.atomic():
        audit.record(
            action="partners.contribution_delete",
            actor=actor,
            obj=partner,
            m=contribution.m,
            description=contribution.description,
        )
        contribution.delete()


def end_contribution(
    *, contribution: Contribution, actor: User, on: dt.date | None = None
) -> Contribution:
    if not may_edit_partner(actor, contribution.partner):
        raise PermissionDenied("not this partner")
    with transaction.atomic():
        contribution.ended_on = on or timezone.localdate()
        contribution.save(update_fields=["ended_on"])
        audit.record(action="partners.contribution_end", actor=actor, obj=contribution.partner)
    return contribution


# --- longlist import (the file is read by `longlist_import`) ----------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_longlist(
    *, municipality: Municipality, actor: User, filename: str, content: bytes
) -> ImportResult:
    """Import a longlist from CSV or XLSX. Upserts by KvK number, else by name: importing the
    same file twice changes nothing. Rows with errors are skipped and reported per line; the
    other rows are imported."""
    _require(actor, municipality, "partners.manage")
    parsed = longlist_import.parse(filename, content)
    result = ImportResult(warnings=parsed.warnings)
    errors = list(parsed.errors)
    now = timezone.now()
    from .scoring import Weights

    weights = Weights.of(weights_for(municipality))
    with transaction.atomic():
        by_kvk = {
            p.kvk_number: p
            for p in Partner.objects.exclude(kvk_number="").select_related("organisation")
        }
        organisations = {o.name.lower(): o for o in Organisation.objects.all()}
        partners_by_org = {
            p.organisation_id: p for p in Partner.objects.select_related("organisation")
        }
        slugs = set(Organisation.objects.values_list("slug", flat=True))
        for line, data in parsed.rows:
            kvk = data.get("kvk_number", "")
            partner = by_kvk.get(kvk) if kvk else None
            organisation = (
                partner.organisation if partner else organisations.get(data["name"].lower())
            )
            if partner is None and organisation is not None:
                partner = partners_by_org.get(organisation.pk)
            if partner is not None and kvk and partner.kvk_number and partner.kvk_number != kvk:
                errors.append(
                    (
                        line,
                        _(
                            "Regel %(n)d (%(name)s): staat al op de longlist met een ander "
                            "KvK-nummer."
                        )
                        % {"n": line, "name": data["name"]},
                    )
                )
                continue
            if organisation is None:
                organisation = Organisation.objects.create(
                    municipality=municipality,
                    slug=_unique_slug(data["name"], slugs),
                    name=data["name"],
                    kind=SECTOR_KIND.get(data.get("sector"), Organisation.Kind.BUSINESS),
                    address=data.get("address", ""),
                    postcode=data.get("postcode", ""),
                    website=data.get("website", ""),
                    email=data.get("contact_email", ""),
                    created_at=now,
                )
                organisations[organisation.name.lower()] = organisation
            else:
                changed = False
                for key in ("address", "postcode", "website"):
                    if data.get(key) and getattr(organisation, key) != data[key]:
                        setattr(organisation, key, data[key])
                        changed = True
                if changed:
                    organisation.save()
            fields = {k: v for k, v in data.items() if k not in ORGANISATION_FIELDS}
            if partner is None:
                partner = Partner(
                    municipality=municipality,
                    organisation=organisation,
                    source="import",
                    created_at=now,
                    updated_at=now,
                    step_changed_at=now,
                    **fields,
                )
                partner._weights = weights  # type: ignore[attr-defined]  # read by Partner.save
                partner.save()
                StepChange.objects.create(
                    municipality=municipality,
                    partner=partner,
                    to_step=Step.PREPARE,
                    actor=actor,
                    at=now,
                )
                partners_by_org[organisation.pk] = partner
                result.created += 1
            else:
                changed = False
                for key, value in fields.items():
                    if isinstance(value, str) and not value and key != "kvk_number":
                        continue  # an empty cell does not wipe what is known
                    if key == "kvk_number" and not value:
                        continue
                    if getattr(partner, key) != value:
                        setattr(partner, key, value)
                        changed = True
                if changed:
                    partner.updated_at = now
                    partner._weights = weights  # type: ignore[attr-defined]  # read by Partner.save
                    partner.save()
                    result.updated += 1
            if partner.kvk_number:
                by_kvk[partner.kvk_number] = partner
        # in the order of the file's lines, as when each row was checked as it was written
        result.errors = [message for _line, message in sorted(errors, key=lambda e: e[0])]
        audit.record(
            action="partners.import",
            actor=actor,
            municipality=municipality,
            created=result.created,
            updated=result.updated,
            errors=len(result.errors),
        )
    return result
