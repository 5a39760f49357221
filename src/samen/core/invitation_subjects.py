"""The core's data subject for `core.privacy_requests`: a person invited to an account who
has not accepted yet (their e-mail address and name on the invitation). A reference names the
row (`i12`), never the address."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import account_services as services
from .models import Invitation, Municipality, User
from .privacy_requests import Found, SubjectKind


def _title(invitation: Invitation) -> str:
    return _("Uitnodiging voor een account van %(date)s") % {
        "date": f"{timezone.localtime(invitation.sent_at):%d-%m-%Y}"
    }


def _row(municipality: Municipality, ref: str) -> Invitation | None:
    if not ref.startswith("i") or not ref[1:].isdigit():
        return None
    return Invitation.objects.filter(municipality=municipality, pk=int(ref[1:])).first()


def find(municipality: Municipality, query: str) -> list[Found]:
    query = query.strip()
    if "@" in query:
        rows = Invitation.objects.filter(municipality=municipality, email__iexact=query)
    else:
        parts = query.split()
        if len(parts) < 2:
            return []
        rows = Invitation.objects.filter(
            municipality=municipality,
            first_name__iexact=parts[0],
            last_name__iexact=" ".join(parts[1:]),
        )
    return [Found(ref=f"i{row.pk}", title=_title(row)) for row in rows[:20]]


def title(municipality: Municipality, ref: str) -> str | None:
    row = _row(municipality, ref)
    return _title(row) if row is not None else None


def export(municipality: Municipality, ref: str, actor: User) -> dict:
    row = _row(municipality, ref)
    if row is None:
        return {}
    return services.export_invitation(actor=actor, municipality=municipality, invitation_id=row.pk)


def erase(municipality: Municipality, ref: str, actor: User, ground: str) -> bool:
    row = _row(municipality, ref)
    if row is None:
        return False
    return services.erase_invitation(
        actor=actor, municipality=municipality, invitation_id=row.pk, ground=ground
    )


KIND = SubjectKind(
    name="invitation",
    label=gettext_lazy("Uitnodiging voor een account"),
    hint=gettext_lazy("het e-mailadres of de volledige naam"),
    find=find,
    title=title,
    export=export,
    erase=erase,
    keeps=gettext_lazy("Blijft: de regels in het auditlog, zonder het adres of de naam."),
)
