"""Volunteering's data subject for `core.privacy_requests`: a volunteer (some are children)."""

from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.core.models import Municipality, User
from samen.core.privacy_requests import Found, SubjectKind

from . import retention, selectors
from .models import Volunteer


def _volunteer(municipality: Municipality, ref: str) -> Volunteer | None:
    if not ref.isdigit():
        return None
    return Volunteer.objects.filter(municipality=municipality, pk=int(ref)).first()


def _title(volunteer: Volunteer) -> str:
    return _("Vrijwilliger %(number)d (%(kind)s), aangemeld op %(date)s") % {
        "number": volunteer.pk,
        "kind": volunteer.get_kind_display().lower(),
        "date": f"{timezone.localtime(volunteer.created_at):%d-%m-%Y}",
    }


def find(municipality: Municipality, query: str) -> list[Found]:
    """By e-mail address (the volunteer's or, for a child, the parent's) or by full name."""
    if "@" in query:
        found = selectors.volunteers_by_email(municipality, query)
        found += list(
            Volunteer.objects.filter(municipality=municipality, parent_email__iexact=query)
            .exclude(pk__in=[v.pk for v in found])
            .order_by("pk")
        )
    elif len(query) >= 3:
        found = list(
            Volunteer.objects.filter(municipality=municipality)
            .annotate(full_name=Concat("first_name", Value(" "), "last_name"))
            .filter(full_name__iexact=" ".join(query.split()))
            .order_by("pk")[:50]
        )
    else:
        found = []
    return [Found(ref=str(v.pk), title=_title(v)) for v in found]


def title(municipality: Municipality, ref: str) -> str | None:
    volunteer = _volunteer(municipality, ref)
    return _title(volunteer) if volunteer else None


def export(municipality: Municipality, ref: str, actor: User) -> dict:
    volunteer = _volunteer(municipality, ref)
    assert volunteer is not None  # the page found it first
    return retention.export_volunteer(volunteer, actor=actor)


def erase(municipality: Municipality, ref: str, actor: User, ground: str) -> bool:
    volunteer = _volunteer(municipality, ref)
    assert volunteer is not None
    retention.erase_volunteer(volunteer=volunteer, actor=actor, reason=ground)
    return True


KIND = SubjectKind(
    name="volunteer",
    label=gettext_lazy("Vrijwilliger"),
    hint=gettext_lazy("het e-mailadres (van de vrijwilliger of de ouder) of de volledige naam"),
    find=find,
    title=title,
    export=export,
    erase=erase,
    keeps=gettext_lazy(
        "Blijft: bevestigde koppelingen met hun uren, zonder de vrijwilliger, zodat de uren "
        "van een programma kloppen; en de regels in het auditlog. Een inlogaccount van de "
        "vrijwilliger verwijdert de regisseur apart."
    ),
    check=gettext_lazy(
        "De toelichting van een organisatie bij een koppeling kan over de geholpen persoon "
        "gaan: lees de tekst na voordat u hem verstuurt (AVG artikel 15 lid 4)."
    ),
)
