"""Outreach's data subject for `core.privacy_requests`: a newsletter address.

A reference names a row, never the address (it goes into a URL): `s12` a subscription, `u7`
a sign-up waiting for confirmation, `o3` an address that unsubscribed, of which only a keyed
hash is left (so its address cannot be shown, and nothing else is held)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from samen.core.models import Municipality, Signup, User
from samen.core.privacy_requests import Found, SubjectKind

from . import services
from .models import NewsletterOptOut, NewsletterSubscriber


def _date(value) -> str:
    return f"{timezone.localtime(value):%d-%m-%Y}"


def _subscriber_title(subscriber: NewsletterSubscriber) -> str:
    state = _("bevestigd") if subscriber.confirmed_at else _("niet bevestigd")
    return _("Abonnee op de nieuwsbrief sinds %(date)s (%(state)s)") % {
        "date": _date(subscriber.created_at),
        "state": state,
    }


def _signup_title(waiting: Signup) -> str:
    return _("Aanmelding voor de nieuwsbrief van %(date)s, wacht op bevestiging") % {
        "date": _date(waiting.created_at)
    }


def find(municipality: Municipality, query: str) -> list[Found]:
    if "@" not in query:
        return []
    email = query.strip().lower()
    with scopes_disabled():  # every query names the municipality
        subscriber = NewsletterSubscriber.objects.filter(
            municipality=municipality, email__iexact=email
        ).first()
        if subscriber is not None:
            return [Found(ref=f"s{subscriber.pk}", title=_subscriber_title(subscriber))]
        waiting = (
            Signup.objects.filter(
                municipality=municipality, purpose=services.NEWSLETTER_SIGNUP, email=email
            )
            .order_by("created_at")
            .first()
        )
        if waiting is not None:
            return [Found(ref=f"u{waiting.pk}", title=_signup_title(waiting))]
        opt_out = NewsletterOptOut.objects.filter(
            municipality=municipality,
            email_hash=NewsletterOptOut.hash_email(municipality, email),
        ).first()
        if opt_out is not None:
            return [Found(ref=f"o{opt_out.pk}", title=_opt_out_title(opt_out))]
    return []


def _opt_out_title(opt_out: NewsletterOptOut) -> str:
    return _("Afgemeld voor de nieuwsbrief op %(date)s (alleen een hash bewaard)") % {
        "date": _date(opt_out.created_at)
    }


def _row(municipality: Municipality, ref: str):
    kind, number = ref[:1], ref[1:]
    if not number.isdigit():
        return None
    model = {"s": NewsletterSubscriber, "u": Signup, "o": NewsletterOptOut}.get(kind)
    if model is None:
        return None
    rows = model.objects.filter(municipality=municipality, pk=int(number))
    if model is Signup:
        rows = rows.filter(purpose=services.NEWSLETTER_SIGNUP)
    with scopes_disabled():
        return rows.first()


def title(municipality: Municipality, ref: str) -> str | None:
    """The same words as in the results; the address is in the export, not in the title (a
    browser keeps titles in its history)."""
    row = _row(municipality, ref)
    if isinstance(row, NewsletterSubscriber):
        return _subscriber_title(row)
    if isinstance(row, Signup):
        return _signup_title(row)
    if isinstance(row, NewsletterOptOut):
        return _opt_out_title(row)
    return None


def export(municipality: Municipality, ref: str, actor: User) -> dict:
    row = _row(municipality, ref)
    assert row is not None  # the page found it first
    if isinstance(row, NewsletterOptOut):
        services.check_privacy_request(actor, municipality)
        from samen.core import audit

        audit.record(
            action="privacy.export", actor=actor, municipality=municipality, kind="newsletter"
        )
        return {
            _("E-mailadres"): _("niet bewaard"),
            _("Afgemeld"): _(
                "ja, op %(d)s. Bewaard is alleen een code die met een geheime sleutel uit het "
                "adres is berekend (een hash), zodat het geen nieuwsbrief meer krijgt."
            )
            % {"d": _date(row.created_at)},
        }
    return services.export_newsletter_address(municipality, row.email, actor=actor)


def erase(municipality: Municipality, ref: str, actor: User, ground: str) -> bool:
    row = _row(municipality, ref)
    assert row is not None
    if isinstance(row, NewsletterOptOut):
        services.check_privacy_request(actor, municipality)
        return False  # only the hash is held, and it is what honours "never again"
    services.erase_newsletter_address(
        municipality=municipality, email=row.email, actor=actor, reason=ground
    )
    return True


KIND = SubjectKind(
    name="newsletter",
    label=gettext_lazy("Adres voor de nieuwsbrief"),
    hint=gettext_lazy("het e-mailadres"),
    find=find,
    title=title,
    export=export,
    erase=erase,
    keeps=gettext_lazy(
        "Blijft: een code die met een geheime sleutel uit het adres is berekend (een hash), "
        "zodat het adres nooit meer een nieuwsbrief of campagne krijgt; en de regels in het "
        "auditlog, zonder het adres."
    ),
)
