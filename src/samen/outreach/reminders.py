"""The reminders of outreach, scheduled daily; each decides itself whether today is the
day. Re-exported by `services` (tasks and partners call them there)."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from samen.core.models import Municipality
from samen.partners import selectors as partners_selectors

from .models import ReminderLog


def _claim_reminder(municipality: Municipality, kind: str, key: str) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(municipality=municipality, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


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
            weeks, per_holder = partners_selectors.reminder_digest(place, today=today)
            for entry in per_holder:
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
            coordinators = partners_selectors.coordinator_addresses(place)
            recipients = coordinators or ([place.contact_email] if place.contact_email else [])
            if not recipients:
                continue
            if not _claim_reminder(place, "week_tegen_eenzaamheid", str(today.year)):
                continue
            persuading = partners_selectors.persuading_count(place)
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
                    "news": base + reverse("outreach:newsletters", args=[place.slug]),
                    "mail": base + reverse("outreach:templates", args=[place.slug]),
                    "join": base + reverse("partners:join", args=[place.slug]),
                },
                from_email=None,
                recipient_list=recipients,
            )
            sent += 1
    return sent
