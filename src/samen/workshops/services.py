"""Every change to workshops goes through these functions: plan and edit a meeting, invite
colleagues or partners (the mails go out through a task), the invitee's answer, the outcome
(for the colleagues' exercise: its longlist, imported straight into the partners' longlist)
and the meeting in the agenda. Keyword-only, one transaction each, audit-logged; the
coordinator's permission is `workshops.manage`.

Partners are read through `partners.selectors` and the longlist written through
`partners.services`; the agenda's activity is written through `activities.services`."""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from samen.activities import services as activities_services
from samen.core import audit, signup
from samen.core.models import Municipality, Organisation, User
from samen.partners import selectors as partners_selectors
from samen.partners import services as partners_services

from .formats import FORMATS, Format, InviteeKind
from .models import Invitation, Meeting

PERMISSION = "workshops.manage"
MAX_INVITATIONS = 200  # per batch
# Invitees' addresses and names are emptied this long after the meeting (docs/privacy.md).
RETENTION = dt.timedelta(days=183)

MEETING_FIELDS = (
    "title",
    "starts_at",
    "duration_minutes",
    "place",
    "address",
    "postcode",
    "goal",
    "notes",
)


def _require(actor: User | None, municipality: Municipality) -> None:
    if actor is None or not actor.has_samen_perm(municipality, PERMISSION):
        raise PermissionDenied(f"{PERMISSION} required")


# --- meetings ----------------------------------------------------------------------------------


def create_meeting(
    *, municipality: Municipality, actor: User | None, format: str, data: dict[str, Any]
) -> Meeting:
    """Plan a meeting of one of the three formats. `actor` None: the demo."""
    if actor is not None:
        _require(actor, municipality)
    if format not in FORMATS:
        raise ValidationError({"format": _("Kies een van de drie soorten bijeenkomsten.")})
    now = timezone.now()
    meeting = Meeting(
        municipality=municipality,
        format=format,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **{k: data[k] for k in MEETING_FIELDS if k in data},
    )
    with transaction.atomic():
        meeting.save()
        audit.record(action="workshops.create", actor=actor, obj=meeting, format=format)
    return meeting


def update_meeting(*, meeting: Meeting, actor: User, data: dict[str, Any]) -> Meeting:
    """Edit a meeting; a meeting in the agenda is updated there too."""
    _require(actor, meeting.municipality)
    for key in MEETING_FIELDS:
        if key in data:
            setattr(meeting, key, data[key])
    meeting.updated_at = timezone.now()
    with transaction.atomic():
        meeting.save()
        if meeting.activity_id is not None:
            _save_activity(meeting, actor)
        audit.record(action="workshops.update", actor=actor, obj=meeting)
    return meeting


def save_outcome(*, meeting: Meeting, actor: User, outcome: str) -> Meeting:
    _require(actor, meeting.municipality)
    meeting.outcome = outcome
    meeting.updated_at = timezone.now()
    with transaction.atomic():
        meeting.save(update_fields=["outcome", "updated_at"])
        audit.record(action="workshops.outcome", actor=actor, obj=meeting)
    return meeting


@dataclass
class LonglistResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_longlist(
    *, meeting: Meeting, actor: User, filename: str, content: bytes
) -> LonglistResult:
    """The colleagues' exercise's outcome: the longlist they made (CSV or XLSX), imported
    straight into the partners' longlist by `partners.services.import_longlist` (which checks
    the file and the coordinator's permission for the longlist)."""
    _require(actor, meeting.municipality)
    if meeting.format != Format.COLLEAGUES:
        raise ValidationError(
            {"file": _("Alleen de oefening met ambtelijke collega's levert een longlist op.")}
        )
    with transaction.atomic():
        result = partners_services.import_longlist(
            municipality=meeting.municipality, actor=actor, filename=filename, content=content
        )
        meeting.longlist_imported_at = timezone.now()
        meeting.longlist_created += result.created
        meeting.longlist_updated += result.updated
        meeting.save(update_fields=["longlist_imported_at", "longlist_created", "longlist_updated"])
        audit.record(
            action="workshops.longlist",
            actor=actor,
            obj=meeting,
            created=result.created,
            updated=result.updated,
            errors=len(result.errors),
        )
    return LonglistResult(result.created, result.updated, result.errors, result.warnings)


# --- the agenda --------------------------------------------------------------------------------


def municipality_organisation(municipality: Municipality) -> Organisation:
    """The municipality's own organisation, under whose name its meetings are in the agenda
    (made the first time one is published)."""
    organisation, _created = Organisation.objects.get_or_create(
        municipality=municipality,
        slug=f"gemeente-{municipality.slug}"[:100],
        defaults={
            "name": _("Gemeente %(name)s") % {"name": municipality.name},
            "kind": Organisation.Kind.OTHER,
            "email": municipality.contact_email,
        },
    )
    return organisation


def _activity_data(meeting: Meeting) -> dict[str, Any]:
    info = meeting.info
    description = "\n\n".join(
        filter(
            None,
            [
                meeting.goal,
                _("Voor wie: %(a)s") % {"a": info.audience},
                _("Aanmelden bij de gemeente: %(e)s") % {"e": meeting.municipality.contact_email}
                if meeting.municipality.contact_email
                else "",
            ],
        )
    )
    return {
        "title": meeting.title,
        "description": description,
        "venue": meeting.place,
        "address": meeting.address,
        "postcode": meeting.postcode,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "categories": ["meeting"],
        "signup_required": True,
        "contact": meeting.municipality.contact_email,
    }


def _save_activity(meeting: Meeting, actor: User | None) -> None:
    meeting.activity_id = activities_services.save_hand_entered(
        organisation=municipality_organisation(meeting.municipality),
        actor=actor,
        activity_id=meeting.activity_id,
        data=_activity_data(meeting),
    )
    meeting.save(update_fields=["activity_id"])


def publish(*, meeting: Meeting, actor: User | None) -> Meeting:
    """Put the meeting in the municipality's agenda (`/<gemeente>/agenda/`) as an activity of
    the municipality's own organisation; again: update it there. `actor` None: the demo."""
    if actor is not None:
        _require(actor, meeting.municipality)
    if not meeting.may_be_published:
        raise ValidationError(
            _("De oefening met ambtelijke collega's is intern en komt niet in de agenda.")
        )
    with transaction.atomic():
        _save_activity(meeting, actor)
        audit.record(action="workshops.publish", actor=actor, obj=meeting)
    return meeting


def unpublish(*, meeting: Meeting, actor: User) -> Meeting:
    _require(actor, meeting.municipality)
    if meeting.activity_id is None:
        return meeting
    with transaction.atomic():
        activities_services.delete_hand_entered(activity_id=meeting.activity_id, actor=actor)
        meeting.activity_id = None
        meeting.save(update_fields=["activity_id"])
        audit.record(action="workshops.unpublish", actor=actor, obj=meeting)
    return meeting


# --- invitations -------------------------------------------------------------------------------


@dataclass
class Invited:
    created: int = 0
    already: list[str] = field(default_factory=list)  # invited before
    without_email: list[str] = field(default_factory=list)  # partners without an address


def _check_kind(meeting: Meeting, kind: str) -> None:
    wanted = meeting.info.invitee
    if kind != wanted:
        raise ValidationError(
            _("Voor de oefening met ambtelijke collega's nodigt u collega's uit.")
            if wanted == InviteeKind.COLLEAGUE
            else _("Voor deze bijeenkomst nodigt u partners uit, niet collega's.")
        )


def _invite(
    meeting: Meeting,
    actor: User,
    kind: str,
    people: list[tuple[str, str, int | None]],
    subject: str,
    message: str,
    result: Invited,
) -> Invited:
    if meeting.is_past:
        raise ValidationError(_("Deze bijeenkomst is al geweest."))
    if len(people) > MAX_INVITATIONS:
        raise ValidationError(
            _("Nodig maximaal %(n)d mensen tegelijk uit.") % {"n": MAX_INVITATIONS}
        )
    if "\r" in subject or "\n" in subject:
        raise ValidationError({"subject": _("Gebruik hier één regel, zonder regeleinde.")})
    taken = set(
        Invitation.objects.filter(meeting=meeting).exclude(email="").values_list("email", flat=True)
    )
    now = timezone.now()
    rows = []
    for email, name, partner_id in people:
        email = signup.normal_email(email)
        if email in taken:
            result.already.append(name or email)
            continue
        taken.add(email)
        rows.append(
            Invitation(
                municipality=meeting.municipality,
                meeting=meeting,
                email=email,
                name=name[:200],
                kind=kind,
                partner_id=partner_id,
                subject=subject[:200],
                message=message,
                created_at=now,
            )
        )
    with transaction.atomic():
        try:
            Invitation.objects.bulk_create(rows)
        except IntegrityError:  # invited at the same moment in another request
            raise ValidationError(
                _("Iemand anders nodigde net uit. Probeer het opnieuw.")
            ) from None
        audit.record(
            action="workshops.invite", actor=actor, obj=meeting, kind=kind, invited=len(rows)
        )
        if rows:
            transaction.on_commit(lambda: _enqueue(meeting.pk))
    result.created = len(rows)
    return result


def invite_colleagues(
    *, meeting: Meeting, actor: User, emails: list[str], subject: str, message: str
) -> Invited:
    """Invite colleagues by their e-mail address (the guide's 'betrekken collega's' mail)."""
    _require(actor, meeting.municipality)
    _check_kind(meeting, InviteeKind.COLLEAGUE)
    wrong = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            wrong.append(email[:80])
    if wrong:
        raise ValidationError(
            {"emails": _("Deze adressen kloppen niet: %(a)s.") % {"a": ", ".join(wrong[:10])}}
        )
    if not emails:
        raise ValidationError({"emails": _("Vul een of meer e-mailadressen in.")})
    people: list[tuple[str, str, int | None]] = [(email, "", None) for email in emails]
    return _invite(meeting, actor, InviteeKind.COLLEAGUE, people, subject, message, Invited())


def invite_partners(
    *, meeting: Meeting, actor: User, partner_ids: list[int], subject: str, message: str
) -> Invited:
    """Invite partners from the longlist, at their contact's address (else the
    organisation's); partners without an address are reported, not invited."""
    _require(actor, meeting.municipality)
    _check_kind(meeting, InviteeKind.PARTNER)
    result = Invited()
    people = []
    for row in partner_rows(ids=partner_ids):
        if row["email"]:
            people.append((row["email"], row["name"], row["pk"]))
        else:
            result.without_email.append(row["name"])
    if not people and not result.without_email:
        raise ValidationError({"partners": _("Kies een of meer partners.")})
    return _invite(meeting, actor, InviteeKind.PARTNER, people, subject, message, result)


def partner_rows(*, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Partners of the longlist as {"pk", "name", "email", "step"}, by name (all, or `ids`)."""
    partners = partners_selectors.campaign_recipients(
        "one" if ids is not None else "all", partner_ids=ids
    )
    return [
        {
            "pk": row["pk"],
            "name": row["organisation__name"],
            "email": row["contact_email"] or row["organisation__email"],
            "step": row["step"],
        }
        for row in partners.order_by("organisation__name", "pk").values(
            "pk", "organisation__name", "contact_email", "organisation__email", "step"
        )
    ]


def _enqueue(meeting_id: int) -> None:
    from .tasks import send_invitations

    send_invitations.enqueue(meeting_id=meeting_id)


def rsvp_url(municipality: Municipality, token: str) -> str:
    return settings.SITE_URL + reverse("workshops:rsvp", args=[municipality.slug, token])


def invitation_text(invitation: Invitation, link: str) -> str:
    meeting = invitation.meeting
    starts = timezone.localtime(meeting.starts_at)
    details = [
        _("Wat: %(t)s") % {"t": meeting.title},
        _("Wanneer: %(d)s, %(b)s tot %(e)s uur")
        % {
            "d": date_format(starts, "l j F Y"),
            "b": date_format(starts, "H:i"),
            "e": date_format(timezone.localtime(meeting.ends_at), "H:i"),
        },
        _("Waar: %(p)s") % {"p": ", ".join(filter(None, [meeting.place, meeting.address]))},
    ]
    return "\n".join(
        [
            invitation.message.strip(),
            "",
            *details,
            "",
            _(
                "Komt u? Laat het ons weten met deze link (ja of nee, u kunt het later nog wijzigen):"
            ),
            link,
        ]
    )


def send_invitations(*, meeting_id: int) -> int:
    """The worker: send each unsent invitation of the meeting. Each row is claimed, given its
    token (only its hash is kept) and stamped in one transaction with the send, so a row is
    never sent twice; a refused send is kept with its error."""
    sent = 0
    with scopes_disabled():
        pending = Invitation.objects.filter(
            meeting_id=meeting_id, sent_at__isnull=True, error=""
        ).exclude(email="")
        while True:
            failure = None
            with transaction.atomic():
                row = (
                    pending.select_for_update(skip_locked=True, of=("self",))
                    .select_related("meeting", "municipality")
                    .order_by("pk")
                    .first()
                )
                if row is None:
                    break
                token = secrets.token_urlsafe(32)
                row.token_hash = Invitation.hash_token(token)
                row.sent_at = timezone.now()
                row.save(update_fields=["token_hash", "sent_at"])
                try:
                    EmailMessage(
                        subject=row.subject,
                        body=invitation_text(row, rsvp_url(row.municipality, token)),
                        to=[row.email],
                        reply_to=[row.municipality.contact_email]
                        if row.municipality.contact_email
                        else None,
                    ).send(fail_silently=False)
                except Exception as exc:  # SMTP refused etc.: keep the row, mark the error
                    failure = f"{type(exc).__name__}: {exc}"[:300]
                    transaction.set_rollback(True)
                else:
                    sent += 1
            if failure:
                Invitation.objects.filter(pk=row.pk).update(error=failure)
    return sent


def invitation_for_token(*, municipality: Municipality, token: str) -> Invitation | None:
    """The invitation of this token in this municipality (None: unknown, or erased)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.filter(
            municipality=municipality, token_hash=Invitation.hash_token(token), erased_at=None
        )
        .select_related("meeting")
        .first()
    )


def municipality_of_token(token: str) -> str | None:
    """The slug of the municipality of this token's invitation, across municipalities."""
    if not token or len(token) > 100:
        return None
    with scopes_disabled():
        return (
            Invitation.objects.filter(token_hash=Invitation.hash_token(token), erased_at=None)
            .values_list("municipality__slug", flat=True)
            .first()
        )


def answer(*, municipality: Municipality, token: str, coming: bool) -> Invitation | None:
    """The invitee's answer by the link in their mail (no account): yes or no, to be changed
    until the meeting starts. None for an unknown token; ValidationError once it started."""
    invitation = invitation_for_token(municipality=municipality, token=token)
    if invitation is None:
        return None
    if invitation.meeting.is_past:
        raise ValidationError(_("Deze bijeenkomst is al geweest. Uw antwoord is niet gewijzigd."))
    status = Invitation.Status.ACCEPTED if coming else Invitation.Status.DECLINED
    if invitation.status == status:
        return invitation
    invitation.status = status
    invitation.answered_at = timezone.now()
    with transaction.atomic():
        invitation.save(update_fields=["status", "answered_at"])
        audit.record(action="workshops.rsvp", obj=invitation, status=status)
    return invitation


# --- retention and privacy ---------------------------------------------------------------------


def _erase(invitations: QuerySet[Invitation]) -> int:
    return invitations.update(
        email="", name="", token_hash="", message="", erased_at=timezone.now()
    )


def forget_invitees(*, now: dt.datetime | None = None) -> int:
    """Daily: the addresses and names of invitees of meetings that took place more than six
    months ago are emptied (their answers stay, as counts). Across municipalities."""
    cutoff = (now or timezone.now()) - RETENTION
    with scopes_disabled():
        return _erase(Invitation.objects.filter(meeting__starts_at__lt=cutoff, erased_at=None))


def check_privacy_request(actor: User | None, municipality: Municipality) -> None:
    if actor is None or not (
        actor.has_samen_perm(municipality, "privacy.requests")
        or actor.has_samen_perm(municipality, PERMISSION)
    ):
        raise PermissionDenied


def erase_invitee(*, municipality: Municipality, email: str, actor: User, reason: str) -> int:
    """AVG art. 17: empty every invitation of this address in the municipality. The audit
    line names neither the address nor a free-text reason."""
    check_privacy_request(actor, municipality)
    with transaction.atomic(), scopes_disabled():
        count = _erase(
            Invitation.objects.filter(
                municipality=municipality, email__iexact=signup.normal_email(email)
            )
        )
        audit.record(
            action="privacy.erase",
            actor=actor,
            municipality=municipality,
            kind="invitee",
            removed=count,
            reason=reason if reason in {"request", "objection", "other"} else "other",
        )
    return count


def export_invitee(*, municipality: Municipality, email: str, actor: User) -> dict[str, object]:
    """AVG art. 15: every invitation of this address, under readable Dutch labels."""
    check_privacy_request(actor, municipality)
    with scopes_disabled():
        rows = list(
            Invitation.objects.filter(
                municipality=municipality, email__iexact=signup.normal_email(email)
            )
            .select_related("meeting")
            .order_by("created_at", "pk")
        )
    audit.record(action="privacy.export", actor=actor, municipality=municipality, kind="invitee")
    return {
        _("E-mailadres"): signup.normal_email(email),
        _("Uitnodigingen"): [
            {
                _("Bijeenkomst"): row.meeting.title,
                _("Datum"): row.meeting.starts_at,
                _("Naam"): row.name,
                _("Uitgenodigd op"): row.created_at,
                _("Verstuurd op"): row.sent_at,
                _("Antwoord"): row.get_status_display(),
                _("Geantwoord op"): row.answered_at,
            }
            for row in rows
        ],
        _("Bewaartermijn"): _(
            "Adres en naam worden zes maanden na de bijeenkomst gewist; het antwoord blijft "
            "bewaard als aantal."
        ),
    }
