"""Workshops' data subject for `core.privacy_requests`: an invitee (a colleague or a partner's
contact person), found by e-mail address. The reference is `i` and the id of their first
invitation in the municipality (never the address: it goes into a URL)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from samen.core import signup
from samen.core.models import Municipality, User
from samen.core.privacy_requests import Found, SubjectKind

from . import services
from .models import Invitation


def _first(municipality: Municipality, **match) -> Invitation | None:
    with scopes_disabled():  # every query names the municipality
        return (
            Invitation.objects.filter(municipality=municipality, erased_at=None, **match)
            .exclude(email="")
            .order_by("pk")
            .first()
        )


def _title(municipality: Municipality, invitation: Invitation) -> str:
    with scopes_disabled():
        n = Invitation.objects.filter(
            municipality=municipality, email=invitation.email, erased_at=None
        ).count()
    return _("Uitgenodigd voor %(n)d bijeenkomst(en), eerst op %(d)s") % {
        "n": n,
        "d": f"{timezone.localtime(invitation.created_at):%d-%m-%Y}",
    }


def find(municipality: Municipality, query: str) -> list[Found]:
    if "@" not in query:
        return []
    invitation = _first(municipality, email=signup.normal_email(query))
    if invitation is None:
        return []
    return [Found(ref=f"i{invitation.pk}", title=_title(municipality, invitation))]


def _row(municipality: Municipality, ref: str) -> Invitation | None:
    if not (ref.startswith("i") and ref[1:].isdigit()):
        return None
    return _first(municipality, pk=int(ref[1:]))


def title(municipality: Municipality, ref: str) -> str | None:
    row = _row(municipality, ref)
    return None if row is None else _title(municipality, row)


def export(municipality: Municipality, ref: str, actor: User) -> dict:
    row = _row(municipality, ref)
    assert row is not None  # the page found it first
    return services.export_invitee(municipality=municipality, email=row.email, actor=actor)


def erase(municipality: Municipality, ref: str, actor: User, ground: str) -> bool:
    row = _row(municipality, ref)
    if row is None:
        return False
    services.erase_invitee(municipality=municipality, email=row.email, actor=actor, reason=ground)
    return True


KIND = SubjectKind(
    name="invitee",
    label=gettext_lazy("Genodigde voor een bijeenkomst"),
    hint=gettext_lazy("het e-mailadres"),
    find=find,
    title=title,
    export=export,
    erase=erase,
    keeps=gettext_lazy(
        "Blijft: per bijeenkomst het antwoord (komt, komt niet) zonder naam of adres, als "
        "aantal; en de regels in het auditlog, zonder het adres."
    ),
)
