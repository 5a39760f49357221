"""Every change to a concern goes through one of these functions, each in a transaction, each
appending to the case history and the audit log. Views, API, commands and tasks call them."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samen.core import audit
from samen.core.db import insert
from samen.core.errors import Conflict
from samen.core.models import Municipality, Organisation, User
from samen.core.roles import Role
from samen.core.workdays import add_working_days

from .models import (
    BEFORE_CONTACT,
    TRANSITIONS,
    Case,
    CaseEvent,
    Outcome,
    ReferenceCounter,
    Referral,
    Report,
    Status,
    Urgency,
    hash_status_token,
)
from .privacy import find_personal_details, refusal, without_contact_details

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ANONYMISED = "[geanonimiseerd]"
BLANKED = "[contactgegevens gewist]"


@dataclass(frozen=True)
class SubmittedReport:
    report: Report
    status_token: str  # shown to the reporter once; only its hash is stored


def first_contact_deadline(municipality: Municipality, received: dt.datetime) -> dt.datetime:
    """End of the N-th working day after the report (Dutch public holidays do not count)."""
    local = received.astimezone(AMSTERDAM)
    day = add_working_days(local.date(), municipality.concern_deadline_working_days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=AMSTERDAM)


def _next_reference(municipality: Municipality, year: int) -> str:
    """SP-YYYY-NNNNN from the municipality's counter for the year, in one statement: the row
    lock of the UPDATE serialises concurrent reports until the transaction commits."""
    table = ReferenceCounter._meta.db_table
    last, year_ = (connection.ops.quote_name(name) for name in ("last", "year"))
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {table} SET {last} = {last} + 1"  # noqa: S608 - names are ours
                f" WHERE municipality_id = %s AND {year_} = %s RETURNING {last}",
                [municipality.pk, year],
            )
            row = cursor.fetchone()
            if row is not None:
                return f"SP-{year}-{row[0]:05d}"
            # First report of the year: make the counter (another report may do so too).
            cursor.execute(
                f"INSERT INTO {table} (municipality_id, {year_}, {last})"  # noqa: S608
                f" VALUES (%s, %s, 0) ON CONFLICT (municipality_id, {year_}) DO NOTHING",
                [municipality.pk, year],
            )
    raise RuntimeError("reference counter missing")  # pragma: no cover


def _urgency(case: Case) -> int:
    reporters = (
        case.reports.values_list("reporter_type", "reporter_organisation").distinct().count()
    )
    if reporters >= 3:
        return Urgency.URGENT
    if case.reports.count() >= 2:
        return Urgency.HIGH
    return Urgency.NORMAL


def _new_case(municipality: Municipality, data: dict[str, Any], now: dt.datetime) -> Case:
    postcode, number = data.get("postcode", ""), data.get("house_number", "")
    return Case(
        municipality=municipality,
        address_key=f"{postcode}-{number}" if postcode and number else "",
        postcode=postcode,
        house_number=number,
        street=data.get("street", ""),
        location_description=data.get("location_description", ""),
        person_name=data.get("person_name", ""),
        area=postcode[:4],
        deadline=first_contact_deadline(municipality, now),
        created_at=now,
        updated_at=now,
    )


def _save_or_join_open_case(case: Case) -> tuple[Case, bool]:
    """Store the new case, or return the open case for the same address (and False). One
    INSERT ... ON CONFLICT DO NOTHING against the partial unique index: concurrent reports
    about one address cannot split the person into two cases, and no savepoint is needed."""
    if not case.address_key:
        insert(case)
        return case, True
    # The index's own condition, as Django writes it (SQLite matches it literally).
    if insert(
        case,
        on_conflict="""ON CONFLICT (municipality_id, address_key)
        WHERE ("closed_at" IS NULL AND NOT ("address_key" = '')) DO NOTHING""",
    ):
        return case, True
    existing = Case.objects.select_for_update().get(
        municipality=case.municipality, address_key=case.address_key, closed_at__isnull=True
    )
    return existing, False


def submit_report(
    *,
    municipality: Municipality,
    data: dict[str, Any],
    source: str = "web",
    reporter_organisation: Organisation | None = None,
) -> SubmittedReport:
    """File a melding: link it to the open case for the same address or open a new case.
    Committed before this returns, so an acknowledged report is never lost."""
    now = timezone.now()
    token = Report.new_status_token()
    # Everything that needs no database is prepared first: the write transaction (on SQLite
    # the one writer's lock) holds only the four statements.
    new_case = _new_case(municipality, data, now)
    report = Report(
        municipality=municipality,
        status_token_hash=hash_status_token(token),
        signs=list(data.get("signs") or []),
        description=data.get("description", ""),
        relation=data.get("relation", ""),
        person_aware=data["person_aware"],
        reporter_type=data["reporter_type"],
        reporter_organisation=reporter_organisation,
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        reporter_email=data.get("reporter_email", ""),
        source=source,
        created_at=now,
    )
    year = now.astimezone(AMSTERDAM).year
    with transaction.atomic():
        case, created = _save_or_join_open_case(new_case)
        report.case = case
        report.reference = _next_reference(municipality, year)
        insert(report)
        insert(
            CaseEvent(
                municipality=municipality,
                case=case,
                kind=CaseEvent.Kind.CREATED if created else CaseEvent.Kind.LINKED,
                note=report.reference,
                at=now,
            )
        )
        if not created:
            Case.objects.filter(pk=case.pk).update(urgency=_urgency(case), updated_at=now)
    return SubmittedReport(report=report, status_token=token)


def _check_caseworker(case: Case, actor: User) -> None:
    if not actor.has_samen_perm(case.municipality, "concerns.handle"):
        raise PermissionDenied("Only caseworkers of this municipality handle concerns.")


def change_status(
    *,
    case: Case,
    actor: User,
    to_status: str,
    note: str = "",
    outcome: str = "",
    referral: str = "",
    activity: int | None = None,
    handover_text: str = "",
) -> Case:
    """Move a case along the allowed transitions; counts contact attempts, stamps the first
    contact, removes reporters' contact details on closing."""
    _check_caseworker(case, actor)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if to_status not in TRANSITIONS[case.status]:
            raise Conflict(
                {
                    "to_status": _("Van '%(from)s' kan een casus niet naar '%(to)s'.")
                    % {
                        "from": Status(case.status).label,
                        "to": Status(to_status).label if to_status in Status.values else to_status,
                    }
                }
            )
        if to_status == Status.CLOSED and outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Kies een uitkomst om de casus af te sluiten.")})
        if to_status == Status.HANDED_OVER and referral not in Referral.values:
            raise ValidationError({"referral": _("Kies waaraan de casus is overgedragen.")})
        handover_text = handover_text.strip()
        if found := find_personal_details(handover_text):
            raise ValidationError({"handover_text": refusal(found)})
        now = timezone.now()
        from_status = case.status
        case.status = to_status
        case.updated_at = now
        if to_status == Status.CONTACT_ATTEMPT:
            case.contact_attempts += 1
        if to_status in (Status.IN_CONTACT, Status.HANDED_OVER) and case.first_contact_at is None:
            case.first_contact_at = now
        need = None
        if to_status == Status.HANDED_OVER:
            case.referral = referral
            if activity:
                from samen.activities.selectors import activity_label

                label = activity_label(activity)
                if label is None:
                    raise ValidationError({"activity": _("Deze activiteit bestaat niet (meer).")})
                note = (_("Doorverwezen naar: %(activity)s") % {"activity": label}) + (
                    f"\n{note}" if note else ""
                )
            if referral == Referral.BUDDY:
                need = _buddy_need(case=case, actor=actor, description=handover_text)
                note = (_("Maatje gezocht: hulpvraag %(ref)s") % {"ref": need.reference}) + (
                    f"\n{note}" if note else ""
                )
        if to_status == Status.CLOSED:
            _close(case, outcome=outcome, now=now)
        case.save()
        CaseEvent.objects.create(
            municipality=case.municipality,
            case=case,
            kind=CaseEvent.Kind.STATUS,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
            handover_text=handover_text if to_status == Status.HANDED_OVER else "",
            need=need,
            at=now,
        )
        audit.record(
            action="concern.status",
            actor=actor,
            obj=case,
            from_status=from_status,
            to_status=to_status,
        )
    return case


def _close(case: Case, *, outcome: str, now: dt.datetime) -> None:
    case.outcome = outcome
    case.closed_at = now
    # Reporters' contact details are only needed while the case is open.
    case.reports.update(reporter_name="", reporter_phone="", reporter_email="")


def close_idle_cases(*, now: dt.datetime | None = None) -> int:
    """Daily: a case nobody has touched for SAMEN_CONCERN_IDLE_DAYS is closed as 'niet
    bereikbaar', so that retention applies to it too. Activity is the newest history line (a
    note, a status, a new melding linked). Runs across municipalities, without a user."""
    from django_scopes import scopes_disabled

    now = now or timezone.now()
    days = settings.SAMEN_CONCERN_IDLE_DAYS
    cutoff = now - dt.timedelta(days=days)
    note = _("Automatisch afgesloten: %(days)d dagen geen activiteit.") % {"days": days}
    closed = 0
    with scopes_disabled():
        idle = (
            Case.objects.exclude(status=Status.CLOSED)
            .filter(anonymised_at__isnull=True)
            .annotate(last_activity=Max("events__at"))
            .filter(
                Q(last_activity__lt=cutoff) | Q(last_activity__isnull=True, created_at__lt=cutoff)
            )
            .values_list("pk", flat=True)
        )
        for pk in list(idle):
            with transaction.atomic():
                case = Case.objects.select_for_update().get(pk=pk)
                if case.status == Status.CLOSED:
                    continue
                from_status = case.status
                case.status = Status.CLOSED
                case.updated_at = now
                _close(case, outcome=Outcome.UNREACHABLE, now=now)
                case.save()
                CaseEvent.objects.create(
                    municipality=case.municipality,
                    case=case,
                    kind=CaseEvent.Kind.STATUS,
                    from_status=from_status,
                    to_status=Status.CLOSED,
                    note=note,
                    at=now,
                )
                audit.record(
                    action="concern.status",
                    obj=case,
                    from_status=from_status,
                    to_status=Status.CLOSED,
                    automatic=True,
                )
            closed += 1
    return closed


def blank_contact_notes(*, case: Case, actor: User, event_ids: list[int]) -> int:
    """Blank the chosen history notes that look like contact details (a reporter's phone
    number or e-mail address typed into a note), in one step, with a history line saying how
    many. Only notes the check flags can be blanked: the history stays append-only otherwise."""
    from .selectors import contact_like_notes

    _check_caseworker(case, actor)
    with transaction.atomic():
        chosen = [e.pk for e in contact_like_notes(case) if e.pk in set(event_ids)]
        if not chosen:
            return 0
        # The one exception to append-only besides retention: contact details must go.
        CaseEvent.objects.filter(pk__in=chosen).update(note=BLANKED)
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(updated_at=now)
        CaseEvent.objects.create(
            municipality=case.municipality,
            case=case,
            kind=CaseEvent.Kind.NOTE,
            actor=actor,
            note=ngettext(
                "%(n)d notitie met contactgegevens gewist.",
                "%(n)d notities met contactgegevens gewist.",
                len(chosen),
            )
            % {"n": len(chosen)},
            at=now,
        )
        audit.record(action="concern.blank_notes", actor=actor, obj=case, events=chosen)
    return len(chosen)


def _buddy_need(*, case: Case, actor: User, description: str) -> Any:
    """A buddy need for the volunteering app: only the text written for the receiver (checked
    for names, addresses and contact details) and the postcode area, never the note."""
    from samen.volunteering.services import create_buddy_need_from_referral

    organisation = actor.organisation_in(case.municipality)
    if organisation is None:
        raise ValidationError(
            {"referral": _("Uw account hoort niet bij een organisatie die hulpvragen plaatst.")}
        )
    return create_buddy_need_from_referral(
        municipality=case.municipality,
        organisation=organisation,
        actor=actor,
        description=description or _("Iemand in de wijk zou graag een maatje hebben."),
        postcode=case.area,
    )


def refer(*, case: Case, actor: User, referral: str, note: str = "") -> Case:
    """Hand the person over warmly: to welfare, an activity or a volunteer buddy."""
    return change_status(
        case=case, actor=actor, to_status=Status.HANDED_OVER, referral=referral, note=note
    )


def caseworkers_of(municipality: Municipality) -> QuerySet[User]:
    return User.objects.filter(
        memberships__municipality=municipality, memberships__role=Role.CASEWORKER, is_active=True
    ).order_by("first_name", "username")


def assign(*, case: Case, actor: User, assignee: User | None) -> Case:
    _check_caseworker(case, actor)
    if (
        assignee is not None
        and not caseworkers_of(case.municipality).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(
            {"assignee": _("Alleen een maatschappelijk werker van deze gemeente.")}
        )
    with transaction.atomic():
        case.assignee = assignee
        case.updated_at = timezone.now()
        case.save(update_fields=["assignee", "updated_at"])
        CaseEvent.objects.create(
            municipality=case.municipality,
            case=case,
            kind=CaseEvent.Kind.ASSIGNED,
            actor=actor,
            note=assignee.get_full_name() or assignee.username if assignee else "",
        )
        audit.record(
            action="concern.assign",
            actor=actor,
            obj=case,
            assignee=assignee.pk if assignee else None,
        )
    return case


def add_note(*, case: Case, actor: User, note: str) -> CaseEvent:
    _check_caseworker(case, actor)
    with transaction.atomic():
        event = CaseEvent.objects.create(
            municipality=case.municipality,
            case=case,
            kind=CaseEvent.Kind.NOTE,
            actor=actor,
            note=note,
        )
        audit.record(action="concern.note", actor=actor, obj=case)
    return event


def read_case(*, case: Case, actor: User) -> Case:
    """The only way to look at a case's personal details: checks the role and logs the read."""
    _check_caseworker(case, actor)
    # The reports shown are now seen: from here on their reporters follow the case's status.
    case.reports.filter(seen_at__isnull=True).update(seen_at=timezone.now())
    audit.record(action="concern.read", actor=actor, obj=case)
    return case


def list_queue(
    *, municipality: Municipality, actor: User, via: str, limit: int, **filters: Any
) -> list[Case]:
    """The caseworkers' queue, and an audit line naming every case it listed and how it was
    asked for (web, token or session), so a privacy officer can tell who saw which cases."""
    from .selectors import case_queue

    if not actor.has_samen_perm(municipality, "concerns.handle"):
        raise PermissionDenied
    cases = list(case_queue(**filters)[:limit])
    audit.record(
        action="concern.list",
        actor=actor,
        municipality=municipality,
        cases=[case.pk for case in cases],
        via=via,
    )
    return cases


def anonymise_case(case: Case, *, now: dt.datetime) -> None:
    """Remove the person's details from one case, its reports and its notes (retention, or an
    early erasure request). The caller decides who may; this only does it, atomically."""
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            address_key="",
            postcode="",
            house_number="",
            street="",
            person_name="",
            location_description="",
            anonymised_at=now,
        )
        case.reports.update(
            description=ANONYMISED, reporter_name="", reporter_phone="", reporter_email=""
        )
        # Retention outranks append-only: notes may name the person.
        case.events.exclude(note="").update(note=ANONYMISED)
        case.events.exclude(handover_text="").update(handover_text=ANONYMISED)
        _anonymise_needs(case)
        CaseEvent.objects.create(
            municipality=case.municipality,
            case=case,
            kind=CaseEvent.Kind.ANONYMISED,
            at=now,
        )
        audit.record(action="concern.anonymise", obj=case)


def _anonymise_needs(case: Case) -> None:
    """The hulpvragen made from the case's hand-overs go with it (their text was written
    about this person)."""
    from samen.volunteering.services import anonymise_needs

    anonymise_needs(list(case.events.filter(need__isnull=False).values_list("need", flat=True)))


def anonymise_expired_cases(*, now: dt.datetime | None = None) -> int:
    """Remove the person's details from cases closed longer than the retention period ago.
    Runs across municipalities (a scheduled task), so it lifts the tenant scope itself."""
    from django_scopes import scopes_disabled

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SAMEN_CONCERN_RETENTION_DAYS)
    count = 0
    with scopes_disabled():
        expired = Case.objects.filter(closed_at__lt=cutoff, anonymised_at__isnull=True)
        for case in expired.iterator():
            anonymise_case(case, now=now)
            count += 1
    return count


def erase_case(*, case: Case, actor: User, reason: str) -> bool:
    """AVG art. 17: the privacy officer of the case's municipality anonymises it early, the
    same way retention does; an open case is closed. The audit line names the case and the
    ground's code, nothing of the person. False: it was anonymised already, nothing to do."""
    if not actor.has_samen_perm(case.municipality, "privacy.requests"):
        raise PermissionDenied
    if case.anonymised_at is not None:
        return False
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        from_status = case.status
        if from_status != Status.CLOSED:
            # Nobody works a case whose person asked to be forgotten: it closes as "wil geen
            # ondersteuning", so the figures still count it.
            case.status = Status.CLOSED
            case.updated_at = now
            _close(case, outcome=Outcome.DECLINED, now=now)
            case.save()
        anonymise_case(case, now=now)
        if from_status != Status.CLOSED:  # after anonymising, which blanks every note
            CaseEvent.objects.create(
                municipality=case.municipality,
                case=case,
                kind=CaseEvent.Kind.STATUS,
                from_status=from_status,
                to_status=Status.CLOSED,
                note=_("Afgesloten: de gegevens zijn op verzoek gewist."),
                at=now,
            )
        audit.record(
            action="privacy.erase",
            actor=actor,
            obj=case,
            reason=reason if reason in ERASE_REASONS else "other",
        )
    return True


ERASE_REASONS = {"request", "objection", "other"}


def export_case(*, case: Case, actor: User) -> dict[str, object]:
    """AVG art. 15: everything Samen holds about the person a case is about, under readable
    Dutch labels: the case, its meldingen, the history with the caseworkers' notes, what was
    handed over and to whom. Nothing that gives the reporter away (art. 15(4)): no reporter's
    name, phone, e-mail or organisation, and phone numbers and e-mail addresses in the free
    texts are left out. Only the municipality's privacy officer; audited as privacy.export."""
    from samen.volunteering.selectors import handover_recipients

    if not actor.has_samen_perm(case.municipality, "privacy.requests"):
        raise PermissionDenied
    reports = case.reports.order_by("created_at", "pk")
    events = list(case.events.order_by("at", "pk"))
    recipients = handover_recipients([e.need_id for e in events if e.need_id is not None])
    text = without_contact_details
    export: dict[str, object] = {
        _("Casus"): {
            _("Nummer"): case.pk,
            _("Ontvangen op"): case.created_at,
            _("Naam"): case.person_name,
            _("Straat"): case.street,
            _("Huisnummer"): case.house_number,
            _("Postcode"): case.postcode,
            _("Wijk (postcodegebied)"): case.area,
            _("Omschrijving van de plek"): text(case.location_description),
            _("Status"): case.get_status_display(),
            _("Urgentie"): case.get_urgency_display(),
            _("Eerste contact uiterlijk"): case.deadline,
            _("Eerste contact"): case.first_contact_at,
            _("Contactpogingen"): case.contact_attempts,
            _("Doorverwijzing"): case.get_referral_display(),
            _("Uitkomst"): case.get_outcome_display(),
            _("Afgesloten op"): case.closed_at,
            _("Geanonimiseerd op"): case.anonymised_at,
        },
        _("Meldingen"): [
            {
                _("Kenmerk"): report.reference,
                _("Ontvangen op"): report.created_at,
                _("Via"): report.source,
                _("Soort melder"): report.get_reporter_type_display(),
                _("Wat is opgevallen"): report.get_signs_display(),
                _("Toelichting"): text(report.description),
                _("Relatie van de melder"): report.get_relation_display(),
                _("Weet de persoon van de melding"): report.get_person_aware_display(),
                _("Door het Signaalpunt gezien op"): report.seen_at,
            }
            for report in reports
        ],
        _("Geschiedenis"): [
            {
                _("Wanneer"): event.at,
                _("Wat"): event.get_kind_display(),
                _("Van status"): event.get_from_status_display(),
                _("Naar status"): event.get_to_status_display(),
                _("Notitie van de maatschappelijk werker"): text(event.note),
                _("Tekst voor de ontvangende organisatie"): text(event.handover_text),
            }
            for event in events
        ],
        _("Overgedragen aan"): [
            {
                _("Organisatie"): recipient.organisation,
                _("Hulpvraag"): recipient.title,
                _("Omschrijving"): text(recipient.description),
                _("Postcodegebied"): recipient.postcode,
                _("Status"): recipient.status,
                _("Vrijwilliger gekoppeld"): recipient.matched,
            }
            for recipient in recipients
        ],
    }
    audit.record(action="privacy.export", actor=actor, obj=case)
    return export


def send_daily_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail each assignee the references of their cases that are overdue or due today.
    No personal details in the e-mail: only references and a link."""
    from django_scopes import scopes_disabled

    now = now or timezone.now()
    end_of_today = dt.datetime.combine(
        now.astimezone(AMSTERDAM).date(), dt.time(23, 59, 59), tzinfo=AMSTERDAM
    )
    sent = 0
    with scopes_disabled():
        due = (
            Case.objects.filter(
                status__in=BEFORE_CONTACT, deadline__lte=end_of_today, assignee__isnull=False
            )
            .select_related("assignee", "municipality")
            .order_by("assignee_id", "deadline")
        )
        by_assignee: dict[User, list[Case]] = {}
        for case in due:
            if case.assignee is not None:  # the query asks for them
                by_assignee.setdefault(case.assignee, []).append(case)
        for assignee, cases in by_assignee.items():
            if not assignee.email:
                continue
            lines = [
                f"- casus {c.pk} ({c.municipality.name}): "
                + (_("te laat") if c.deadline < now else _("vandaag uiterlijk"))
                + f", {settings.SITE_URL}/{c.municipality.slug}/beheer/signalen/{c.pk}/"
                for c in cases
            ]
            send_mail(
                subject=_("Signaalpunt: %(n)d casus(sen) vragen vandaag aandacht")
                % {"n": len(cases)},
                message=_("Goedemorgen,\n\nDeze casussen wachten op eerste contact:\n\n")
                + "\n".join(lines)
                + "\n\nSamen",
                from_email=None,
                recipient_list=[assignee.email],
            )
            sent += 1
    return sent


def reporting_organisation(user: User | None, municipality: Municipality) -> Organisation | None:
    """The organisation a report is made for: that of a member who may report concerns (a
    partner's token or login), else None."""
    if user is None or not user.is_authenticated:
        return None
    if not user.has_samen_perm(municipality, "concerns.report"):
        return None
    return user.organisation_in(municipality)


def skips_intake_limit(*, user: User | None, municipality: Municipality) -> bool:
    """Only an organisation that may report concerns in this municipality reports without the
    per-client limit; any other user is counted like a visitor."""
    return reporting_organisation(user, municipality) is not None
