"""Every change to partners goes through these functions: keyword-only, one transaction each,
audit-logged. Views, API, commands and tasks call them."""

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from samen.core import audit, signup
from samen.core.errors import Conflict
from samen.core.models import Municipality, Organisation, Signup, User
from samen.core.roles import Role

from .models import (
    DEFAULT_PRIORITY_SECTORS,
    MONEY_RECIPIENTS,
    SPOKEN,
    ContactKind,
    ContactLog,
    Contribution,
    DailyRoute,
    EmailCampaign,
    EmailSend,
    EmailTemplate,
    FiveM,
    Newsletter,
    NewsletterOptOut,
    NewsletterSubscriber,
    Partner,
    PartnerRole,
    Recipient,
    ReminderLog,
    ScoringWeights,
    Sector,
    StarterItem,
    Step,
    StepChange,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

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
        raise PermissionError(f"{perm} required")


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
SECTOR_KIND = {
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
        .exclude(pk=partner.pk if partner else None)
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
        raise PermissionError("not this partner")
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


# --- roles and contributions ---------------------------------------------------------------


def set_roles(
    *, partner: Partner, actor: User, roles: list[str], public_description: str | None = None
) -> Partner:
    if not may_edit_partner(actor, partner):
        raise PermissionError("not this partner")
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


def _check_principles(*, partner: Partner, actor: User, data: dict[str, Any]) -> None:
    """Who may change this partner's contributions, and the principles any contribution
    keeps; a refused donation to the municipality is written to the audit log."""
    if not may_edit_partner(actor, partner):
        raise PermissionError("not this partner")
    try:
        check_contribution(data)
    except ValidationError:
        if data.get("m") == FiveM.MONEY and data.get("recipient") == Recipient.MUNICIPALITY:
            audit.record(action="partners.donation_refused", actor=actor, obj=partner)
        raise


def record_contribution(*, partner: Partner, actor: User, data: dict[str, Any]) -> Contribution:
    """Record what a partner contributes. Money to the municipality's social policy is refused
    (and the refusal is in the audit log); money to an independent foundation or initiative is
    recorded as such."""
    _check_principles(partner=partner, actor=actor, data=data)
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
    municipality). `data` holds the fields to change."""
    partner = contribution.partner
    merged = {name: getattr(contribution, name) for name in CONTRIBUTION_FIELDS} | data
    _check_principles(partner=partner, actor=actor, data=merged)
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
        raise PermissionError("not this partner")
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
        raise PermissionError("not this partner")
    with transaction.atomic():
        contribution.ended_on = on or timezone.localdate()
        contribution.save(update_fields=["ended_on"])
        audit.record(action="partners.contribution_end", actor=actor, obj=contribution.partner)
    return contribution


# --- longlist import -----------------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
# An xlsx is a zip: 5 MB on disk can be gigabytes unpacked. What a 20,000-row longlist needs.
MAX_IMPORT_UNPACKED = 50 * 1024 * 1024
MAX_IMPORT_MEMBERS = 500
MAX_IMPORT_COLUMNS = 100
MAX_IMPORT_CELLS = 400_000
TOO_LARGE = "too_large"  # the code of errors the API answers with 413
HEADERS = {
    "naam": "name",
    "organisatie": "name",
    "bedrijf": "name",
    "bedrijfsnaam": "name",
    "name": "name",
    "sector": "sector",
    "branche": "sector",
    "adres": "address",
    "address": "address",
    "postcode": "postcode",
    "website": "website",
    "contactpersoon": "contact_name",
    "contact": "contact_name",
    "e-mail": "contact_email",
    "email": "contact_email",
    "e-mailadres": "contact_email",
    "telefoon": "contact_phone",
    "telefoonnummer": "contact_phone",
    "kvk": "kvk_number",
    "kvk-nummer": "kvk_number",
    "kvk nummer": "kvk_number",
    "kvknummer": "kvk_number",
    "nationale coalitie": "national_coalition",
    "lid nationale coalitie": "national_coalition",
    "lid nationale coalitie tegen eenzaamheid": "national_coalition",
    "dagelijkse routes": "daily_routes",
    "dagelijkse route": "daily_routes",
    "routes": "daily_routes",
    "imago ok": "image_ok",
    "mvo bekend": "csr_known",
    "mvo": "csr_known",
    "past bij eenzaamheidsdoelen": "fits_goals",
    "past bij doelen": "fits_goals",
    "eerdere samenwerking": "earlier_cooperation",
    "warm contact": "warm_contact",
    "shortlist": "shortlisted",
}
BOOLEAN_COLUMNS = (
    "national_coalition",
    "image_ok",
    "csr_known",
    "fits_goals",
    "earlier_cooperation",
    "warm_contact",
    "shortlisted",
)
TRUE = {"ja", "j", "x", "yes", "y", "1", "true", "waar", "✓", "v"}
FALSE = {"", "nee", "n", "no", "0", "false", "onwaar", "-"}
SECTOR_WORDS = [
    ("supermarkt", Sector.SUPERMARKET),
    ("gemakswinkel", Sector.SUPERMARKET),
    ("kringloop", Sector.RETAIL),
    ("winkel", Sector.RETAIL),
    ("detailhandel", Sector.RETAIL),
    ("bezorg", Sector.HOME_VISITS),
    ("installat", Sector.HOME_VISITS),
    ("nuts", Sector.HOME_VISITS),
    ("kapper", Sector.PERSONAL_CARE),
    ("pedicure", Sector.PERSONAL_CARE),
    ("schoonheid", Sector.PERSONAL_CARE),
    ("apotheek", Sector.PARAMEDICAL),
    ("opticien", Sector.PARAMEDICAL),
    ("audicien", Sector.PARAMEDICAL),
    ("diëtist", Sector.PARAMEDICAL),
    ("horeca", Sector.HOSPITALITY),
    ("restaurant", Sector.HOSPITALITY),
    ("café", Sector.HOSPITALITY),
    ("cafe", Sector.HOSPITALITY),
    ("sport", Sector.SPORT),
    ("notaris", Sector.PROFESSIONAL),
    ("advocaat", Sector.PROFESSIONAL),
    ("dierenarts", Sector.PROFESSIONAL),
    ("rijschool", Sector.PROFESSIONAL),
    ("vereniging", Sector.BUSINESS_NETWORK),
    ("mkb", Sector.BUSINESS_NETWORK),
    ("biz", Sector.BUSINESS_NETWORK),
]
ROUTE_WORDS = [
    ("boodschap", DailyRoute.GROCERIES),
    ("supermarkt", DailyRoute.GROCERIES),
    ("kapper", DailyRoute.HAIRDRESSER),
    ("apotheek", DailyRoute.PHARMACY),
    ("recept", DailyRoute.PHARMACY),
    ("sport", DailyRoute.SPORT),
    ("koffie", DailyRoute.HOSPITALITY),
    ("horeca", DailyRoute.HOSPITALITY),
    ("eten", DailyRoute.HOSPITALITY),
    ("thuis", DailyRoute.AT_HOME),
    ("bezorg", DailyRoute.AT_HOME),
    ("markt", DailyRoute.MARKET),
    ("winkelcentrum", DailyRoute.MARKET),
]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _normal_header(value: Any) -> str:
    text = str(value or "").strip().lower().replace("_", " ").replace("?", "")
    return re.sub(r"\s+", " ", text).strip()


def _too_many_cells() -> ValidationError:
    return ValidationError(
        _("Het bestand heeft meer dan %(n)d cellen. Splits het in delen.")
        % {"n": MAX_IMPORT_CELLS},
        code=TOO_LARGE,
    )


def _kept(row, counted: list[int]) -> list[str]:
    """A row as stripped text without its empty tail, counting its cells against the limit."""
    cells = ["" if cell is None else str(cell).strip() for cell in row[:MAX_IMPORT_COLUMNS]]
    while cells and not cells[-1]:
        cells.pop()
    counted[0] += len(cells)
    if counted[0] > MAX_IMPORT_CELLS:
        raise _too_many_cells()
    return cells


_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"))


def _check_xlsx_archive(content: bytes) -> None:
    """Refuse a zip bomb by the unpacked sizes, and any DTD (no spreadsheet needs one; entity
    tricks live there), before openpyxl reads a byte. defusedxml guards openpyxl's parser too."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if len(members) > MAX_IMPORT_MEMBERS or (
            sum(info.file_size for info in members) > MAX_IMPORT_UNPACKED
        ):
            raise ValidationError(
                _("Het bestand is uitgepakt groter dan %(n)d MB. Splits het in delen.")
                % {"n": MAX_IMPORT_UNPACKED // (1024 * 1024)},
                code=TOO_LARGE,
            )
        for info in members:
            if info.filename.lower().startswith(("xl/media/", "docprops/thumbnail")):
                continue  # pictures: openpyxl does not parse them as XML
            with archive.open(info) as member:  # reads at most the declared size
                tail = b""
                while chunk := member.read(1024 * 1024):
                    if any(mark in tail + chunk for mark in _DTD_MARKS):
                        raise ValidationError(
                            _(
                                "Dit Excel-bestand bevat een DTD en dat doet een gewoon "
                                "spreadsheet nooit. Sla het opnieuw op als .xlsx of als CSV."
                            )
                        )
                    tail = chunk[-32:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ValidationError(
            _("Dit Excel-bestand kunnen we niet lezen. Sla het op als .xlsx of als CSV.")
        ) from exc


def _read_rows(name: str, content: bytes) -> list[list[str]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("Het bestand is groter dan 5 MB. Splits het in delen."), code=TOO_LARGE
        )
    counted = [0]
    if name.lower().endswith(".xlsx"):
        import zipfile
        from xml.etree.ElementTree import ParseError

        from defusedxml import DefusedXmlException
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        _check_xlsx_archive(content)
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                _kept(row, counted)
                for _n, row in zip(
                    range(MAX_IMPORT_ROWS + 2),
                    sheet.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS),
                    strict=False,
                )
            ]
        except DefusedXmlException as exc:
            raise ValidationError(
                _(
                    "Dit Excel-bestand bevat een DTD en dat doet een gewone spreadsheet nooit. "
                    "Sla het opnieuw op als .xlsx of als CSV."
                )
            ) from exc
        except (
            zipfile.BadZipFile,
            InvalidFileException,
            ParseError,
            KeyError,
            IndexError,
            ValueError,
            TypeError,
            OSError,
        ) as exc:
            raise ValidationError(
                _("Dit Excel-bestand kunnen we niet lezen. Sla het op als .xlsx of als CSV.")
            ) from exc
        return rows
    if not name.lower().endswith((".csv", ".txt")):
        raise ValidationError(_("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ValidationError(
            _("Dit bestand is geen tekstbestand. Kies een CSV- of Excel-bestand.")
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for n, row in enumerate(reader):
            if n > MAX_IMPORT_ROWS + 1:
                break
            rows.append(_kept(row, counted))
    except csv.Error as exc:
        raise ValidationError(
            _("Dit CSV-bestand kunnen we niet lezen: %(e)s") % {"e": exc}
        ) from exc
    return rows


def _parse_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def _parse_sector(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return Sector.OTHER
    for code, label in Sector.choices:
        if text in (code, str(label).lower()):
            return code
    for word, code in SECTOR_WORDS:
        if word in text:
            return code
    return None


def _parse_routes(value: str) -> tuple[list[str], list[str]]:
    routes, unknown = [], []
    for part in re.split(r"[,;/]", value):
        text = part.strip().lower()
        if not text:
            continue
        match = next(
            (code for code, label in DailyRoute.choices if text in (code, str(label).lower())),
            None,
        ) or next((code for word, code in ROUTE_WORDS if word in text), None)
        if match:
            if match not in routes:
                routes.append(match)
        else:
            unknown.append(part.strip())
    return routes, unknown


def _clean_row(values: dict[str, str], line: int, result: ImportResult) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    problems = []
    name = values.get("name", "").strip()
    if not name:
        if any(v.strip() for v in values.values()):
            problems.append(_("naam ontbreekt"))
        else:
            return None  # empty line
    elif len(name) > 200:
        problems.append(_("naam is langer dan 200 tekens"))
    data["name"] = name
    for key, limit in (
        ("address", 200),
        ("postcode", 7),
        ("contact_name", 120),
        ("contact_phone", 30),
        ("website", 200),
    ):
        if key in values:
            value = values[key].strip()
            if key == "postcode":
                value = value.replace(" ", "").upper()
            if len(value) > limit:
                problems.append(_("%(col)s is te lang") % {"col": key})
            data[key] = value
    if values.get("website") and not values["website"].startswith(("http://", "https://")):
        data["website"] = "https://" + values["website"].strip()
    if "contact_email" in values:
        email = values["contact_email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("e-mailadres '%(v)s' klopt niet") % {"v": email})
        data["contact_email"] = email
    if "kvk_number" in values:
        kvk = re.sub(r"[\s.]", "", values["kvk_number"])
        if kvk.endswith(".0"):
            kvk = kvk[:-2]
        if kvk and not re.fullmatch(r"[0-9]{8}", kvk):
            problems.append(
                _("KvK-nummer '%(v)s' heeft geen 8 cijfers") % {"v": values["kvk_number"]}
            )
        data["kvk_number"] = kvk
    if "sector" in values:
        sector = _parse_sector(values["sector"])
        if sector is None:
            result.warnings.append(
                _("Regel %(n)d: sector '%(v)s' onbekend, op 'Anders' gezet.")
                % {"n": line, "v": values["sector"]}
            )
            sector = Sector.OTHER
        data["sector"] = sector
    if "daily_routes" in values:
        routes, unknown = _parse_routes(values["daily_routes"])
        if unknown:
            result.warnings.append(
                _("Regel %(n)d: route '%(v)s' onbekend, overgeslagen.")
                % {"n": line, "v": ", ".join(unknown)}
            )
        data["daily_routes"] = routes
    for key in BOOLEAN_COLUMNS:
        if key in values:
            parsed = _parse_bool(values[key])
            if parsed is None:
                problems.append(_("'%(v)s' is geen ja of nee") % {"v": values[key]})
            data[key] = bool(parsed)
    if problems:
        result.errors.append(
            _("Regel %(n)d (%(name)s): %(p)s.")
            % {"n": line, "name": name or "?", "p": "; ".join(str(p) for p in problems)}
        )
        return None
    return data


def import_longlist(
    *, municipality: Municipality, actor: User, filename: str, content: bytes
) -> ImportResult:
    """Import a longlist from CSV or XLSX. Upserts by KvK number, else by name: importing the
    same file twice changes nothing. Rows with errors are skipped and reported per line; the
    other rows are imported."""
    _require(actor, municipality, "partners.manage")
    rows = _read_rows(filename, content)
    while rows and not any(rows[0]):
        rows = rows[1:]  # blank lines above the header
    if not rows:
        raise ValidationError(_("Het bestand is leeg."))
    columns = [HEADERS.get(_normal_header(h)) for h in rows[0]]
    if "name" not in columns:
        raise ValidationError(
            _("De eerste regel moet kolomnamen hebben, met in elk geval 'naam'. Gevonden: %(h)s.")
            % {"h": ", ".join(str(h) for h in rows[0][:12]) or "-"}
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationError(_("Maximaal %(n)d regels per bestand.") % {"n": MAX_IMPORT_ROWS})
    result = ImportResult()
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
        for line, row in enumerate(rows[1:], start=2):
            values = {
                col: (row[i] if i < len(row) else "")
                for i, col in enumerate(columns)
                if col is not None
            }
            data = _clean_row(values, line, result)
            if data is None:
                continue
            kvk = data.get("kvk_number", "")
            partner = by_kvk.get(kvk) if kvk else None
            organisation = (
                partner.organisation if partner else organisations.get(data["name"].lower())
            )
            if partner is None and organisation is not None:
                partner = partners_by_org.get(organisation.pk)
            if partner is not None and kvk and partner.kvk_number and partner.kvk_number != kvk:
                result.errors.append(
                    _("Regel %(n)d (%(name)s): staat al op de longlist met een ander KvK-nummer.")
                    % {"n": line, "name": data["name"]}
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
                partner._weights = weights
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
                    partner._weights = weights
                    partner.save()
                    result.updated += 1
            if partner.kvk_number:
                by_kvk[partner.kvk_number] = partner
        audit.record(
            action="partners.import",
            actor=actor,
            municipality=municipality,
            created=result.created,
            updated=result.updated,
            errors=len(result.errors),
        )
    return result


# --- e-mail --------------------------------------------------------------------------------

MERGE_FIELDS = {
    "aanhef": _("de aanhef, bijvoorbeeld 'Beste Johan'"),
    "organisatie": _("de naam van de organisatie"),
    "compliment": _("een relevant compliment aan de organisatie"),
    "verzoek": _("de concrete vraag of suggestie"),
    "afzender": _("uw naam, functie en contactgegevens"),
    "gemeente": _("de naam van de gemeente"),
}
MERGE_RE = re.compile(r"\{([a-z_]+)\}")


def unknown_merge_fields(text: str) -> list[str]:
    return sorted({name for name in MERGE_RE.findall(text) if name not in MERGE_FIELDS})


def render_merge(text: str, values: dict[str, str]) -> str:
    """Fill in {aanhef}, {organisatie}, ... Unknown names stay as they are."""
    return MERGE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def merge_values(
    row: dict[str, Any], *, municipality: Municipality, sender: str, default_request: str
) -> dict[str, str]:
    """Merge values for one partner; `row` has the fields of `RECIPIENT_FIELDS`."""
    contact = row["contact_name"]
    salutation = row["salutation"] or (
        _("Beste %(n)s") % {"n": contact} if contact else _("Geachte heer/mevrouw")
    )
    return {
        "aanhef": salutation,
        "organisatie": row["organisation__name"],
        "compliment": row["compliment"],
        "verzoek": row["concrete_request"] or default_request,
        "afzender": sender,
        "gemeente": municipality.name,
    }


RECIPIENT_FIELDS = (
    "pk",
    "organisation__name",
    "organisation__email",
    "contact_email",
    "contact_name",
    "salutation",
    "compliment",
    "concrete_request",
)


def with_voluntary_note(body: str) -> str:
    note = str(VOLUNTARY_NOTE)
    return body if note in body else f"{body.rstrip()}\n\n--\n{note}\n"


def save_template(
    *,
    municipality: Municipality,
    actor: User,
    data: dict[str, Any],
    template: EmailTemplate | None = None,
) -> EmailTemplate:
    _require(actor, municipality, "partners.manage")
    unknown = unknown_merge_fields(data["subject"] + data["body"])
    if unknown:
        raise ValidationError(
            {"body": _("Onbekende velden: %(u)s.") % {"u": ", ".join(f"{{{u}}}" for u in unknown)}}
        )
    with transaction.atomic():
        template = template or EmailTemplate(municipality=municipality)
        for key in ("name", "purpose", "subject", "body"):
            setattr(template, key, data[key])
        template.updated_at = timezone.now()
        template.save()
        audit.record(action="partners.template", actor=actor, obj=template)
    return template


@dataclass
class QueuedCampaign:
    campaign: EmailCampaign
    queued: int
    without_email: list[str]
    # partners whose address unsubscribed from the newsletter: never mailed in bulk again
    opted_out: list[str] = field(default_factory=list)


DELIVERY_CHUNK = 500


def queue_campaign(
    *,
    municipality: Municipality,
    actor: User,
    partners: QuerySet[Partner],
    subject: str,
    body: str,
    sender: str,
    default_request: str = "",
    template: EmailTemplate | None = None,
) -> QueuedCampaign:
    """Render the e-mail for each selected partner and put it in the outbox (one row per
    partner), then hand delivery to the task queue. Partners without an e-mail address are
    reported, not queued, and so are partners whose address opted out of the newsletter."""
    _require(actor, municipality, "partners.manage")
    unknown = unknown_merge_fields(subject + body)
    if unknown:
        raise ValidationError({"body": _("Onbekende velden: %(u)s.") % {"u": ", ".join(unknown)}})
    body = with_voluntary_note(body)
    now = timezone.now()
    domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "samen.example"
    with transaction.atomic():
        campaign = EmailCampaign.objects.create(
            municipality=municipality,
            template=template,
            subject=subject,
            body=body,
            sender=sender,
            default_request=default_request,
            created_by=actor,
            created_at=now,
        )
        sends, without, opted = [], [], []
        never = _opt_out_hashes(municipality)
        for row in partners.order_by("pk").values(*RECIPIENT_FIELDS).iterator(chunk_size=2000):
            email = row["contact_email"] or row["organisation__email"]
            if not email:
                without.append(row["organisation__name"])
                continue
            if never and NewsletterOptOut.hash_email(municipality, email) in never:
                opted.append(row["organisation__name"])
                continue
            values = merge_values(
                row, municipality=municipality, sender=sender, default_request=default_request
            )
            sends.append(
                EmailSend(
                    municipality=municipality,
                    campaign=campaign,
                    partner_id=row["pk"],
                    to_email=email,
                    subject=render_merge(subject, values)[:200],
                    body=render_merge(body, values),
                    headers={
                        "Message-ID": f"<campaign-{campaign.pk}.partner-{row['pk']}@{domain}>"
                    },
                    created_at=now,
                )
            )
        if not sends and opted:
            raise ValidationError(
                {
                    "selection": _(
                        "Het e-mailadres van deze partners is afgemeld voor de nieuwsbrief."
                    )
                }
            )
        if not sends:
            raise ValidationError({"selection": _("Geen van deze partners heeft een e-mailadres.")})
        EmailSend.objects.bulk_create(sends, batch_size=1000)
        audit.record(action="partners.campaign", actor=actor, obj=campaign, recipients=len(sends))
        count = len(sends)
        transaction.on_commit(lambda: enqueue_delivery(campaign_id=campaign.pk, count=count))
    return QueuedCampaign(
        campaign=campaign, queued=len(sends), without_email=without, opted_out=opted
    )


def enqueue_delivery(
    *, campaign_id: int | None = None, newsletter_id: int | None = None, count: int
) -> None:
    """Enqueue delivery in chunks, plus one spare task: a chunk whose worker was killed is
    picked up by the next task (each task takes any unsent rows, not a fixed set)."""
    from .tasks import deliver_emails

    for _n in range(math.ceil(count / DELIVERY_CHUNK) + 1):
        deliver_emails.enqueue(campaign_id=campaign_id, newsletter_id=newsletter_id)


def deliver_emails(
    *, campaign_id: int | None = None, newsletter_id: int | None = None, limit: int = DELIVERY_CHUNK
) -> int:
    """Send up to `limit` unsent e-mails of a campaign or newsletter. Each row is claimed,
    sent and stamped in one transaction; a row already stamped is never sent again, so a
    killed and restarted worker sends no duplicates of finished rows. Runs in the worker,
    across the tenant scope of the row it sends."""
    sent = 0
    with scopes_disabled():
        pending = EmailSend.objects.filter(sent_at__isnull=True, error="")
        if campaign_id is not None:
            pending = pending.filter(campaign_id=campaign_id)
        elif newsletter_id is not None:
            pending = pending.filter(newsletter_id=newsletter_id)
        else:
            return 0
        while sent < limit:
            failure = None
            with transaction.atomic():
                row = (
                    pending.select_for_update(skip_locked=True, of=("self",))
                    .select_related("campaign")
                    .order_by("pk")
                    .first()
                )
                if row is None:
                    break
                now = timezone.now()
                if not EmailSend.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                    sent_at=now
                ):
                    continue  # another worker sent it
                # Every write first, then the send, then straight to the commit: a worker
                # killed in between leaves at most this one message in doubt.
                if row.partner_id is not None and row.campaign_id is not None:
                    ContactLog.objects.create(
                        municipality_id=row.municipality_id,
                        partner_id=row.partner_id,
                        kind=ContactKind.EMAIL,
                        at=now,
                        by_id=row.campaign.created_by_id,
                        summary=row.subject,
                        email_send=row,
                    )
                    Partner.objects.filter(pk=row.partner_id).filter(
                        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=now)
                    ).update(last_contact_at=now)
                try:
                    _send_one(row)
                except Exception as exc:  # SMTP refused etc.: keep the row, mark the error
                    failure = f"{type(exc).__name__}: {exc}"[:300]
                    transaction.set_rollback(True)
                else:
                    sent += 1
            if failure:
                EmailSend.objects.filter(pk=row.pk).update(error=failure)
    return sent


def _send_one(row: EmailSend) -> None:
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        to=[row.to_email],
        headers=row.headers or None,
    )
    message.send(fail_silently=False)


def retry_failed(*, campaign: EmailCampaign, actor: User) -> int:
    _require(actor, campaign.municipality, "partners.manage")
    count = (
        EmailSend.objects.filter(campaign=campaign, sent_at__isnull=True)
        .exclude(error="")
        .update(error="")
    )
    if count:
        transaction.on_commit(lambda: enqueue_delivery(campaign_id=campaign.pk, count=count))
    return count


def resume_deliveries() -> int:
    """Re-enqueue delivery of outboxes with unsent rows older than ten minutes (a killed
    worker's chunk). Harmless to run daily: rows already sent are skipped."""
    cutoff = timezone.now() - dt.timedelta(minutes=10)
    with scopes_disabled():
        pending = EmailSend.objects.filter(sent_at__isnull=True, error="", created_at__lt=cutoff)
        campaigns = set(pending.exclude(campaign=None).values_list("campaign_id", flat=True))
        newsletters = set(pending.exclude(newsletter=None).values_list("newsletter_id", flat=True))
    for pk in campaigns:
        enqueue_delivery(campaign_id=pk, count=1)
    for pk in newsletters:
        enqueue_delivery(newsletter_id=pk, count=1)
    return len(campaigns) + len(newsletters)


# --- open page: any business may join --------------------------------------------------------


PARTNER_SIGNUP = "partner"  # the purposes of these sign-ups in samen.core.signup
NEWSLETTER_SIGNUP = "newsletter"


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
            partner = Partner.objects.filter(organisation_id=pending.result_id).first()
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


# registered by PartnersConfig.ready()
SIGNUP_HANDLER = signup.Handler(
    label=gettext_lazy("Partner"), merge=_merge_partner_signup, create=_create_partner_signup
)


# --- newsletter ----------------------------------------------------------------------------


def subscribe(*, municipality: Municipality, email: str, name: str = "") -> None:
    """Double opt-in: nothing is stored on the mailing list until the link is clicked (one
    confirmation mail per address per hour). The answer is the same whether or not the
    address was known; an active subscriber gets no mail at all."""
    email = signup.normal_email(email)
    existing = NewsletterSubscriber.objects.filter(email=email).first()
    if existing is not None and existing.active:
        return

    signup.start(
        municipality=municipality,
        purpose=NEWSLETTER_SIGNUP,
        email=email,
        data={"name": name},
        confirm_view="partners:newsletter-confirm",
        subject=_("Bevestig uw aanmelding voor de nieuwsbrief van %(m)s")
        % {"m": municipality.name},
        body=_(
            "Goedendag,\n\nU (of iemand anders) heeft dit adres aangemeld voor de nieuwsbrief "
            "van de coalitie tegen eenzaamheid in %(m)s. Bevestig met deze link:\n\n%%(link)s\n\n"
            "Hebt u zich niet aangemeld? Dan hoeft u niets te doen.\n\nSamen"
        )
        % {"m": municipality.name},
    )


def opted_out(*, municipality: Municipality, email: str) -> bool:
    """This address unsubscribed (or was erased): no newsletter or campaign mails it."""
    email_hash = NewsletterOptOut.hash_email(municipality, email)
    with scopes_disabled():  # the query names the municipality
        return NewsletterOptOut.objects.filter(
            municipality=municipality, email_hash=email_hash
        ).exists()


def _opt_out_hashes(municipality: Municipality) -> set[str]:
    with scopes_disabled():  # the query names the municipality
        opt_outs = NewsletterOptOut.objects.filter(municipality=municipality)
        return set(opt_outs.values_list("email_hash", flat=True))


def confirm_subscription(*, municipality: Municipality, token: str) -> NewsletterSubscriber | None:
    """The link was clicked: the address is on the mailing list, with the link's token as its
    own (the unsubscribe link). This, the person's own confirmed sign-up, is the only way an
    address that opted out gets the newsletter again: it removes the opt-out. Links mailed
    before sign-ups were kept apart still work."""
    with transaction.atomic():
        confirmed = signup.confirm(
            municipality=municipality, purpose=NEWSLETTER_SIGNUP, token=token
        )
        if confirmed is not None and not confirmed.first:
            return NewsletterSubscriber.objects.filter(token=token).first()
        if confirmed is not None:
            email, now = confirmed.signup.email, timezone.now()
            NewsletterOptOut.objects.filter(
                municipality=municipality,
                email_hash=NewsletterOptOut.hash_email(municipality, email),
            ).delete()
            subscriber = NewsletterSubscriber.objects.filter(email=email).first()
            if subscriber is None:
                return NewsletterSubscriber.objects.create(
                    municipality=municipality,
                    email=email,
                    name=str(confirmed.signup.data.get("name", ""))[:120],
                    token=token,
                    confirmed_at=now,
                )
            if not subscriber.active:
                subscriber.confirmed_at = now
                subscriber.token = token
                subscriber.save(update_fields=["confirmed_at", "token"])
            return subscriber
    subscriber = NewsletterSubscriber.objects.filter(token=token[:64]).first()
    if subscriber is None:
        return None
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def _forget_address(municipality: Municipality, email: str, token: str = "") -> int:
    """Delete the subscription (with its copies of sent newsletters, unsent ones included)
    and the newsletter sign-ups of `email`, and keep only its keyed hash. The number of
    subscriptions and sign-ups deleted."""
    email = signup.normal_email(email)
    with scopes_disabled():  # every query names the municipality
        _deleted, rows = NewsletterSubscriber.objects.filter(
            municipality=municipality, email__iexact=email
        ).delete()
        signups, _rows = Signup.objects.filter(
            municipality=municipality, purpose=NEWSLETTER_SIGNUP, email=email
        ).delete()
        opt_out, created = NewsletterOptOut.objects.get_or_create(
            municipality=municipality,
            email_hash=NewsletterOptOut.hash_email(municipality, email),
            defaults={"token_hash": NewsletterOptOut.hash_token(token) if token else ""},
        )
        if token and not created and not opt_out.token_hash:
            opt_out.token_hash = NewsletterOptOut.hash_token(token)
            opt_out.save(update_fields=["token_hash"])
    return rows.get(NewsletterSubscriber._meta.label, 0) + signups


def unsubscribe(*, municipality: Municipality, token: str) -> bool:
    """One click: the subscription is deleted at once, the address kept only as a keyed hash
    so that it is never mailed again. True also when the link had been used before (the
    mail provider may post twice); False for an unknown link."""
    token = token[:64]
    with transaction.atomic(), scopes_disabled():  # every query names the municipality
        subscriber = NewsletterSubscriber.objects.filter(
            municipality=municipality, token=token
        ).first()
        if subscriber is None:
            return NewsletterOptOut.objects.filter(
                municipality=municipality, token_hash=NewsletterOptOut.hash_token(token)
            ).exists()
        _forget_address(municipality, subscriber.email, token)
    return True


def purge_newsletter_addresses(*, now: dt.datetime | None = None) -> int:
    """Daily: subscriptions never confirmed are deleted after a week (today they wait as a
    sign-up, which `signup.purge` deletes; these are rows from before that, or put in by
    hand). Across municipalities."""
    cutoff = (now or timezone.now()) - signup.CONFIRM_WITHIN
    with scopes_disabled():
        _deleted, rows = NewsletterSubscriber.objects.filter(
            confirmed_at__isnull=True, created_at__lt=cutoff
        ).delete()
    return rows.get(NewsletterSubscriber._meta.label, 0)


# --- AVG art. 15 and 17 for a newsletter address ----------------------------------------------

ERASE_REASONS = {"request", "objection", "other"}


def check_privacy_request(actor: User | None, municipality: Municipality) -> None:
    """The privacy officer answers requests; the coordinator, who runs the newsletter, may too."""
    from django.core.exceptions import PermissionDenied

    if actor is None or not (
        actor.has_samen_perm(municipality, "privacy.requests")
        or actor.has_samen_perm(municipality, "partners.manage")
    ):
        raise PermissionDenied


def erase_newsletter_address(
    *, municipality: Municipality, email: str, actor: User, reason: str
) -> int:
    """AVG art. 17: delete the subscription, sign-ups waiting for confirmation and copies of
    sent newsletters of `email`; its keyed hash stays so that it is never mailed again. The
    audit line names neither the address nor a free-text reason. The number of subscriptions
    and sign-ups deleted."""
    check_privacy_request(actor, municipality)
    with transaction.atomic():
        removed = _forget_address(municipality, email)
        audit.record(
            action="privacy.erase",
            actor=actor,
            municipality=municipality,
            kind="newsletter",
            removed=removed,
            reason=reason if reason in ERASE_REASONS else "other",
        )
    return removed


def export_newsletter_address(
    municipality: Municipality, email: str, *, actor: User
) -> dict[str, object]:
    """AVG art. 15: everything Samen holds about a newsletter address, under readable Dutch
    labels. Audited as privacy.export (that an export was made, not of what)."""
    check_privacy_request(actor, municipality)
    email = signup.normal_email(email)
    with scopes_disabled():  # every query names the municipality
        subscriber = NewsletterSubscriber.objects.filter(
            municipality=municipality, email__iexact=email
        ).first()
        signups = list(
            Signup.objects.filter(
                municipality=municipality, purpose=NEWSLETTER_SIGNUP, email=email
            ).order_by("created_at")
        )
        sends = list(
            EmailSend.objects.filter(subscriber=subscriber, subscriber__isnull=False).order_by(
                "created_at", "pk"
            )
        )
        since = (
            NewsletterOptOut.objects.filter(
                municipality=municipality,
                email_hash=NewsletterOptOut.hash_email(municipality, email),
            )
            .values_list("created_at", flat=True)
            .first()
        )
    export: dict[str, object] = {
        _("E-mailadres"): email,
        _("Abonnement"): None
        if subscriber is None
        else {
            _("Naam"): subscriber.name,
            _("Aangemeld op"): subscriber.created_at,
            _("Bevestigd op"): subscriber.confirmed_at,
        },
        _("Aanmeldingen"): [
            {
                _("Aangevraagd op"): s.created_at,
                _("Naam"): s.name,
                _("Bevestigd op"): s.confirmed_at,
            }
            for s in signups
        ],
        _("Ontvangen nieuwsbrieven"): [
            {_("Onderwerp"): send.subject, _("Verstuurd op"): send.sent_at} for send in sends
        ],
        _("Afgemeld"): _("nee")
        if since is None
        else _(
            "ja, op %(d)s. Bewaard is alleen een code die met een geheime sleutel uit het "
            "adres is berekend (een hash), zodat het geen nieuwsbrief meer krijgt."
        )
        % {"d": f"{timezone.localtime(since):%d-%m-%Y}"},
    }
    audit.record(action="privacy.export", actor=actor, municipality=municipality, kind="newsletter")
    return export


def upcoming_activities(municipality: Municipality) -> list[dict[str, Any]]:
    """Upcoming activities for the newsletter, each a dict with "title", "starts_at" and "url"."""
    from samen.activities.selectors import upcoming_for_newsletter

    return upcoming_for_newsletter(municipality)


def partner_highlights(*, since: dt.datetime) -> list[str]:
    """Recent good news: partners that started cooperating and new contributions."""
    lines = []
    moved = (
        StepChange.objects.filter(at__gte=since, to_step__in=[Step.RETAIN, Step.STRENGTHEN])
        .select_related("partner__organisation")
        .order_by("at")
    )
    seen = set()
    for change in moved:
        if change.partner_id in seen:
            continue
        seen.add(change.partner_id)
        lines.append(
            _("%(org)s doet mee: %(what)s")
            % {
                "org": change.partner.organisation.name,
                "what": change.partner.public_description
                or ", ".join(change.partner.get_roles_display()).lower()
                or _("welkom in de coalitie"),
            }
        )
    for contribution in (
        Contribution.objects.filter(created_at__gte=since)
        .exclude(partner_id__in=seen)
        .select_related("partner__organisation")
        .order_by("created_at")
    ):
        lines.append(
            f"{contribution.partner.organisation.name} ({contribution.get_m_display()}): "
            f"{contribution.description}"
        )
    return lines


def compose_newsletter(*, municipality: Municipality, days: int = 60) -> tuple[str, str]:
    """A draft from recent partner highlights and upcoming activities; the coordinator edits."""
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=days)
    highlights = partner_highlights(since=since)
    activities = upcoming_activities(municipality)
    parts = [
        _("Beste lezer,"),
        _("Dit is het nieuws van de coalitie tegen eenzaamheid in %(m)s.")
        % {"m": municipality.name},
    ]
    if highlights:
        parts.append(
            _("Nieuws van onze partners") + "\n" + "\n".join(f"- {line}" for line in highlights)
        )
    if activities:
        parts.append(
            _("Binnenkort")
            + "\n"
            + "\n".join(
                f"- {a['title']} ({a['starts_at']:%d-%m-%Y}) {a.get('url', '')}".rstrip()
                for a in activities
            )
        )
    if today.month in (8, 9):
        parts.append(
            _(
                "In de eerste week van oktober is de Week tegen Eenzaamheid. Doet uw bedrijf of "
                "organisatie mee? Meld u aan via %(url)s"
            )
            % {"url": settings.SITE_URL + reverse("partners:join", args=[municipality.slug])}
        )
    parts.append(
        _("Wilt u ook meedoen als ondernemer? Iedereen is welkom: %(url)s")
        % {"url": settings.SITE_URL + reverse("partners:join", args=[municipality.slug])}
    )
    subject = _("Nieuwsbrief coalitie tegen eenzaamheid %(m)s, %(d)s") % {
        "m": municipality.name,
        "d": f"{today:%d-%m-%Y}",
    }
    return subject, "\n\n".join(str(p) for p in parts)


def save_newsletter(
    *,
    municipality: Municipality,
    actor: User,
    subject: str,
    body: str,
    newsletter: Newsletter | None = None,
) -> Newsletter:
    _require(actor, municipality, "partners.manage")
    if newsletter is not None and newsletter.queued_at is not None:
        raise ValidationError(_("Deze nieuwsbrief is al verstuurd."))
    with transaction.atomic():
        newsletter = newsletter or Newsletter(municipality=municipality, created_by=actor)
        newsletter.subject, newsletter.body = subject, body
        newsletter.save()
        audit.record(action="partners.newsletter_save", actor=actor, obj=newsletter)
    return newsletter


def queue_newsletter(*, newsletter: Newsletter, actor: User) -> int:
    """Send to every confirmed subscriber whose address did not opt out, each with its own
    one-click unsubscribe link (and the List-Unsubscribe headers of RFC 8058)."""
    municipality = newsletter.municipality
    _require(actor, municipality, "partners.manage")
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if newsletter.queued_at is not None:
            raise ValidationError(_("Deze nieuwsbrief is al verstuurd."))
        subscribers = NewsletterSubscriber.objects.filter(confirmed_at__isnull=False).order_by("pk")
        never = _opt_out_hashes(municipality)
        now = timezone.now()
        sends = []
        for subscriber in subscribers.iterator(chunk_size=2000):
            if never and NewsletterOptOut.hash_email(municipality, subscriber.email) in never:
                continue  # put back on the list by someone else than the person
            url = settings.SITE_URL + reverse(
                "partners:newsletter-unsubscribe", args=[municipality.slug, subscriber.token]
            )
            sends.append(
                EmailSend(
                    municipality=municipality,
                    newsletter=newsletter,
                    subscriber=subscriber,
                    to_email=subscriber.email,
                    subject=newsletter.subject,
                    body=f"{newsletter.body.rstrip()}\n\n--\n"
                    + _("Afmelden voor deze nieuwsbrief: %(url)s") % {"url": url},
                    headers={
                        "List-Unsubscribe": f"<{url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                    created_at=now,
                )
            )
        EmailSend.objects.bulk_create(sends, batch_size=1000)
        newsletter.queued_at = now
        newsletter.save(update_fields=["queued_at"])
        audit.record(
            action="partners.newsletter_send", actor=actor, obj=newsletter, recipients=len(sends)
        )
        count = len(sends)
        transaction.on_commit(lambda: enqueue_delivery(newsletter_id=newsletter.pk, count=count))
    return count


# --- reminders (scheduled daily; each decides itself whether today is the day) ------------------


def _claim_reminder(municipality: Municipality, kind: str, key: str) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(municipality=municipality, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def stale_partners(*, weeks: int, now: dt.datetime | None = None) -> QuerySet[Partner]:
    """Partners in contact (past voorbereiden, or on the shortlist) nobody has spoken to in
    `weeks` weeks, in the current scope, longest silence first."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(weeks=weeks)
    return (
        Partner.objects.filter(Q(last_spoken_at__isnull=True) | Q(last_spoken_at__lt=cutoff))
        .filter(~Q(step=Step.PREPARE) | Q(shortlisted=True))
        .order_by(models_nulls_first("last_spoken_at"), "pk")
    )


def models_nulls_first(name: str):
    from django.db.models import F

    return F(name).asc(nulls_first=True)


def send_contact_reminders(
    *, today: dt.date | None = None, municipality: Municipality | None = None, force: bool = False
) -> int:
    """On Mondays (or now, with `force`), e-mail each account holder the partners nobody has
    spoken to in the municipality's N weeks and the contacts planned for this week."""
    today = today or timezone.localdate()
    if not force and today.weekday() != 0:
        return 0
    sent = 0
    municipalities = [municipality] if municipality else list(Municipality.objects.all())
    for place in municipalities:
        with scopes_disabled():
            if not force and not _claim_reminder(place, "contact_digest", today.isoformat()):
                continue
            weights = ScoringWeights.objects.filter(municipality=place).first()
            weeks = weights.stale_weeks if weights else 6
            stale = stale_partners(weeks=weeks).filter(
                municipality=place, account_holder__isnull=False
            )
            due = Partner.objects.filter(
                municipality=place,
                account_holder__isnull=False,
                next_contact_on__lte=today + dt.timedelta(days=6),
            )
            per_holder: dict[int, dict[str, list[Partner]]] = {}
            for partner in stale.select_related("organisation", "account_holder")[:2000]:
                per_holder.setdefault(
                    partner.account_holder_id,
                    {"stale": [], "due": [], "user": partner.account_holder},
                )["stale"].append(partner)
            for partner in due.select_related("organisation", "account_holder")[:2000]:
                per_holder.setdefault(
                    partner.account_holder_id,
                    {"stale": [], "due": [], "user": partner.account_holder},
                )["due"].append(partner)
            for entry in per_holder.values():
                user = entry["user"]
                if not user.email or not user.is_active:
                    continue
                base = settings.SITE_URL
                lines = [_("Goedemorgen %(n)s,") % {"n": user.first_name or user.username}, ""]
                if entry["due"]:
                    lines.append(_("Gepland contact deze week:"))
                    lines += [
                        f"- {p.organisation.name} ({p.next_contact_on:%d-%m-%Y}) "
                        f"{base}{reverse('partners:detail', args=[place.slug, p.organisation.slug])}"
                        for p in entry["due"]
                    ]
                    lines.append("")
                if entry["stale"]:
                    lines.append(
                        _("Met deze partners heeft niemand in %(w)d weken gesproken:")
                        % {"w": weeks}
                    )
                    lines += [
                        f"- {p.organisation.name} "
                        f"{base}{reverse('partners:detail', args=[place.slug, p.organisation.slug])}"
                        for p in entry["stale"]
                    ]
                    lines.append("")
                lines.append(_("Blijvend en oprecht aandacht: dat is vasthouden.\n\nSamen"))
                send_mail(
                    subject=_("Partners %(m)s: wie belt u deze week?") % {"m": place.name},
                    message="\n".join(str(line) for line in lines),
                    from_email=None,
                    recipient_list=[user.email],
                )
                sent += 1
    return sent


def week_against_loneliness_reminder(*, today: dt.date | None = None) -> int:
    """In September, once per municipality per year: remind the coordinators that the Week
    tegen Eenzaamheid (first week of October) is a good moment to recruit businesses. Safe to
    run every day: outside September or when already sent this year it does nothing."""
    today = today or timezone.localdate()
    if today.month != 9:
        return 0
    sent = 0
    with scopes_disabled():
        for place in Municipality.objects.all():
            coordinators = list(
                User.objects.filter(
                    memberships__municipality=place,
                    memberships__role=Role.COORDINATOR,
                    is_active=True,
                )
                .exclude(email="")
                .values_list("email", flat=True)
            )
            recipients = coordinators or ([place.contact_email] if place.contact_email else [])
            if not recipients:
                continue
            if not _claim_reminder(place, "week_tegen_eenzaamheid", str(today.year)):
                continue
            persuading = Partner.objects.filter(
                municipality=place, step__in=[Step.CONNECT, Step.PERSUADE]
            ).count()
            base = settings.SITE_URL
            send_mail(
                subject=_("Week tegen Eenzaamheid: begin oktober. Betrek uw ondernemers!"),
                message=_(
                    "Goedemorgen,\n\nElk jaar start in de eerste week van oktober de Week tegen "
                    "Eenzaamheid. Gebruik dit moment bij het werven en enthousiasmeren van "
                    "ondernemers.\n\n- %(n)d partners zijn in de stap verbinden of verleiden: nodig "
                    "ze uit voor een activiteit in die week.\n- Stuur de nieuwsbrief met de plannen "
                    "van uw partners: %(news)s\n- Nodig ondernemers uit voor een inspiratiesessie: "
                    "%(mail)s\n- Iedere ondernemer kan zich aanmelden: %(join)s\n\nSamen"
                )
                % {
                    "n": persuading,
                    "news": base + reverse("partners:newsletters", args=[place.slug]),
                    "mail": base + reverse("partners:templates", args=[place.slug]),
                    "join": base + reverse("partners:join", args=[place.slug]),
                },
                from_email=None,
                recipient_list=recipients,
            )
            sent += 1
    return sent


def account_holders(municipality: Municipality) -> QuerySet[User]:
    return User.objects.filter(
        memberships__municipality=municipality,
        memberships__role__in=[Role.COORDINATOR, Role.CASEWORKER, Role.PROGRAMME],
        is_active=True,
    ).order_by("first_name", "username")
