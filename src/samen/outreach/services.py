"""Every change to outreach goes through these functions: e-mail to partners (templates,
campaigns, the outbox), the newsletter and the reminders. Keyword-only, one transaction each,
audit-logged (under the `partners.*` actions they had before the move). Views, API, commands
and tasks call them; partner data is read through `partners.selectors` and written through
`partners.services`."""

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from samen.core import audit, signup
from samen.core.errors import Conflict
from samen.core.models import Municipality, Signup, User
from samen.partners import selectors as partners_selectors
from samen.partners import services as partners_services
from samen.partners.services import VOLUNTARY_NOTE

from .models import (
    EmailCampaign,
    EmailSend,
    EmailTemplate,
    Newsletter,
    NewsletterOptOut,
    NewsletterSubscriber,
)

NEWSLETTER_SIGNUP = "newsletter"  # the purpose of these sign-ups in samen.core.signup


def _require(actor: User | None, municipality: Municipality, perm: str) -> None:
    if actor is None or not actor.has_samen_perm(municipality, perm):
        raise PermissionDenied(f"{perm} required")


# --- e-mail --------------------------------------------------------------------------------

MERGE_FIELDS = {
    "aanhef": _("de aanhef, bijvoorbeeld 'Beste Johan'"),
    "organisatie": _("de naam van de organisatie"),
    "compliment": _("een relevant compliment aan de organisatie"),
    "verzoek": _("de concrete vraag of suggestie"),
    "afzender": _("uw naam, functie en contactgegevens"),
    "gemeente": _("de naam van de gemeente"),
    "aanbod": _("wat de gemeente ondernemers biedt, als lijst (het aanbod bij Partners)"),
}
MERGE_RE = re.compile(r"\{([a-z_]+)\}")


def unknown_merge_fields(text: str) -> list[str]:
    return sorted({name for name in MERGE_RE.findall(text) if name not in MERGE_FIELDS})


def check_subject(subject: str) -> None:
    """{aanbod} fills in several lines: never in a subject (one header line)."""
    if "{aanbod}" in subject:
        message = _("{aanbod} is een lijst van meer regels en past niet in het onderwerp.")
        raise ValidationError({"subject": message})


def render_merge(text: str, values: dict[str, str]) -> str:
    """Fill in {aanhef}, {organisatie}, ... Unknown names stay as they are."""
    return MERGE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def merge_values(
    row: dict[str, Any],
    *,
    municipality: Municipality,
    sender: str,
    default_request: str,
    **given: str,
) -> dict[str, str]:
    """Merge values for one partner; `row` has the fields of `RECIPIENT_FIELDS`; `given`
    values (`aanbod` for many rows, read once) are used as they are."""
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
        "aanbod": given["aanbod"]
        if "aanbod" in given
        else partners_selectors.offer_text(municipality),
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
    """Every message to a business repeats the principle (chapter 2, "basisprincipes")."""
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
    check_subject(data["subject"])
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
    partners: QuerySet,
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
    check_subject(subject)
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
        offer = partners_selectors.offer_text(municipality)
        for row in partners.order_by("pk").values(*RECIPIENT_FIELDS).iterator(chunk_size=2000):
            email = row["contact_email"] or row["organisation__email"]
            if not email:
                without.append(row["organisation__name"])
                continue
            if never and NewsletterOptOut.hash_email(municipality, email) in never:
                opted.append(row["organisation__name"])
                continue
            values = merge_values(
                row,
                municipality=municipality,
                sender=sender,
                default_request=default_request,
                aanbod=offer,
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
                if row.partner_id is not None and row.campaign is not None:
                    partners_services.log_email_sent(
                        municipality_id=row.municipality_id,
                        partner_id=row.partner_id,
                        at=now,
                        by_id=row.campaign.created_by_id,
                        summary=row.subject,
                        email_send_id=row.pk,
                    )
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
        confirm_view="outreach:newsletter-confirm",
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


def compose_newsletter(*, municipality: Municipality, days: int = 60) -> tuple[str, str]:
    """A draft from recent partner highlights and upcoming activities; the coordinator edits."""
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=days)
    highlights = partners_selectors.highlights(since=since)
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


def newsletter_digest(newsletter: Newsletter) -> str:
    """A fingerprint of what a newsletter says (subject and text): the confirmation page
    carries it, and the send refuses when the newsletter changed since that page."""
    text = f"{newsletter.subject}\0{newsletter.body}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def newsletter_body(newsletter: Newsletter, unsubscribe_url: str) -> str:
    """The text that goes out: the newsletter and the subscriber's own unsubscribe link."""
    return f"{newsletter.body.rstrip()}\n\n--\n" + _("Afmelden voor deze nieuwsbrief: %(url)s") % {
        "url": unsubscribe_url
    }


def newsletter_changed_error() -> Conflict:
    return Conflict(
        _(
            "De nieuwsbrief is veranderd sinds u het voorbeeld zag. Er is niets verstuurd. "
            "Bekijk hieronder wat er nu in staat en bevestig opnieuw."
        )
    )


def queue_newsletter(*, newsletter: Newsletter, actor: User, previewed: str | None = None) -> int:
    """Send to every confirmed subscriber whose address did not opt out, each with its own
    one-click unsubscribe link (and the List-Unsubscribe headers of RFC 8058). `previewed`,
    the digest the confirmation page showed: when the newsletter changed since, nothing is
    sent (Conflict)."""
    municipality = newsletter.municipality
    _require(actor, municipality, "partners.manage")
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if newsletter.queued_at is not None:
            raise ValidationError(_("Deze nieuwsbrief is al verstuurd."))
        if previewed is not None and previewed != newsletter_digest(newsletter):
            raise newsletter_changed_error()
        subscribers = NewsletterSubscriber.objects.filter(confirmed_at__isnull=False).order_by("pk")
        never = _opt_out_hashes(municipality)
        now = timezone.now()
        sends = []
        for subscriber in subscribers.iterator(chunk_size=2000):
            if never and NewsletterOptOut.hash_email(municipality, subscriber.email) in never:
                continue  # put back on the list by someone else than the person
            url = settings.SITE_URL + reverse(
                "outreach:newsletter-unsubscribe", args=[municipality.slug, subscriber.token]
            )
            sends.append(
                EmailSend(
                    municipality=municipality,
                    newsletter=newsletter,
                    subscriber=subscriber,
                    to_email=subscriber.email,
                    subject=newsletter.subject,
                    body=newsletter_body(newsletter, url),
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


NEWSLETTER_TESTS_PER_HOUR = 5


def send_newsletter_test(*, newsletter: Newsletter, actor: User) -> str:
    """One copy of the newsletter as it will go out, to the coordinator's own address only
    (never an address typed in a form), at most NEWSLETTER_TESTS_PER_HOUR an hour per
    address. The address it went to."""
    municipality = newsletter.municipality
    _require(actor, municipality, "partners.manage")
    if newsletter.queued_at is not None:
        raise ValidationError(_("Deze nieuwsbrief is al verstuurd."))
    if not actor.email:
        raise ValidationError(
            _("Uw account heeft geen e-mailadres. Vraag de beheerder om het in te vullen.")
        )
    key = "newsletter-test:" + hashlib.sha256(actor.email.lower().encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    if cache.get(key, 0) >= NEWSLETTER_TESTS_PER_HOUR:
        raise ValidationError(
            _("U hebt dit uur al %(n)d testmails gekregen. Probeer het later opnieuw.")
            % {"n": NEWSLETTER_TESTS_PER_HOUR}
        )
    try:
        cache.incr(key)
    except ValueError:  # the counter expired just now
        cache.add(key, 1, timeout=3600)
    send_mail(
        subject=_("[Test] %(s)s") % {"s": newsletter.subject},
        message=newsletter_body(
            newsletter, _("[hier staat voor elke abonnee een eigen afmeldlink]")
        ),
        from_email=None,
        recipient_list=[actor.email],
    )
    audit.record(action="partners.newsletter_test", actor=actor, obj=newsletter)
    return actor.email


# The reminders live in their own module (this one would pass 800 lines).
from .reminders import send_contact_reminders, week_against_loneliness_reminder  # noqa: E402, F401
