"""The Signaalpunt's data subject for `core.privacy_requests`: the person a case is about."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.core.models import Municipality, User
from samen.core.privacy_requests import Found, SubjectKind

from . import selectors, services
from .models import Case


def _case(municipality: Municipality, ref: str) -> Case | None:
    if not ref.isdigit():
        return None
    return Case.objects.filter(municipality=municipality, pk=int(ref)).first()


def _title(case: Case) -> str:
    title = _("Casus %(number)d, ontvangen op %(date)s, %(status)s") % {
        "number": case.pk,
        "date": f"{timezone.localtime(case.created_at):%d-%m-%Y}",
        "status": case.get_status_display().lower(),
    }
    if case.anonymised_at:
        title += " " + _("(geanonimiseerd)")
    elif case.area:
        title += ", " + _("wijk %(area)s") % {"area": case.area}
    return title


def find(municipality: Municipality, query: str) -> list[Found]:
    return [
        Found(ref=str(case.pk), title=_title(case), cases=(case.pk,))
        for case in selectors.cases_for_request(municipality, query)
    ]


def title(municipality: Municipality, ref: str) -> str | None:
    case = _case(municipality, ref)
    return _title(case) if case else None


def export(municipality: Municipality, ref: str, actor: User) -> dict:
    case = _case(municipality, ref)
    assert case is not None  # the page found it first
    return services.export_case(case=case, actor=actor)


def erase(municipality: Municipality, ref: str, actor: User, ground: str) -> bool:
    case = _case(municipality, ref)
    assert case is not None
    return services.erase_case(case=case, actor=actor, reason=ground)


KIND = SubjectKind(
    name="case",
    label=gettext_lazy("Casus van het Signaalpunt"),
    hint=gettext_lazy(
        "een kenmerk van een melding (SP-2026-00012), een casusnummer, een postcode met "
        "huisnummer of (een deel van) de naam zoals in de casus"
    ),
    find=find,
    title=title,
    export=export,
    erase=erase,
    keeps=gettext_lazy(
        "Blijft: de casus zonder naam, adres en tekst (status, uitkomst, wijk en data, voor de "
        "cijfers) en de regels in het auditlog. Een open casus wordt afgesloten. Hulpvragen "
        "die uit de casus kwamen, worden ook geanonimiseerd."
    ),
    check=gettext_lazy(
        "Samen laat de naam, het telefoonnummer, het e-mailadres en de organisatie van de "
        "melder weg, en telefoonnummers en e-mailadressen in de teksten. Namen van melders of "
        "anderen in een toelichting of notitie herkent Samen niet: lees de tekst na voordat u "
        "hem verstuurt (AVG artikel 15 lid 4)."
    ),
)
