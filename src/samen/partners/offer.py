"""What the municipality offers businesses: the guide's "voorbeeldpropositie" (chapter 3,
"Propositie kennen"), editable per municipality by the coordinator. Prefilled from the
guide the first time it is read; shown on the sign-up page, on a partner's own page and in
the e-mails (`{aanbod}`). The workflows here follow the rules of `services.py`: keyword-only,
their own permission check, one transaction, an audit line. Other apps read the offer through
`selectors.offer_points` and `selectors.offer_text`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Municipality, User

from .models import OfferPoint

# The guide's example offer, with a short explanation each in plain Dutch (B1). Data, not
# interface text: it is stored in the municipality's own words the first time, then edited.
GUIDE_OFFER: list[tuple[str, str, str]] = [
    (
        "mvo",
        "Kansen voor maatschappelijk verantwoord ondernemen",
        "U geeft uw mvo-beleid handen en voeten, dicht bij huis en zichtbaar voor uw klanten.",
    ),
    (
        "ondernemers",
        "Verbinding met andere ondernemers",
        "U leert ondernemers uit de buurt kennen die zich ook inzetten tegen eenzaamheid.",
    ),
    (
        "netwerken",
        "Toegang tot nieuwe netwerken",
        "Via de coalitie komt u in contact met welzijn, zorg, verenigingen en de gemeente.",
    ),
    (
        "vermelding",
        "Vermelding op website, nieuwsbrief en relevante gemeentelijke uitingen",
        "Wij laten zien wat u doet: op de website, in de nieuwsbrief en in berichten van de "
        "gemeente.",
    ),
    (
        "bijeenkomsten",
        "Organisatie van bijeenkomsten en netwerken",
        "Wij organiseren inspiratiesessies en bijeenkomsten. U bent welkom en kunt laten zien "
        "wat u al doet.",
    ),
    (
        "training",
        "Training van medewerkers",
        "Uw medewerkers leren eenzaamheid herkennen en weten wat ze dan kunnen doen.",
    ),
    (
        "personeel",
        "Bewustwording en bespreekbaar maken eenzaamheid onder eigen personeel",
        "Ook collega's kunnen eenzaam zijn. Wij helpen u om daar in uw bedrijf aandacht voor "
        "te hebben.",
    ),
    (
        "signaalpunt",
        "Toegang tot Signaalpunt",
        "Maakt u zich zorgen om een klant? Meld het in twee minuten bij het Signaalpunt. Een "
        "maatschappelijk werker pakt het op.",
    ),
]


def _require(actor: User | None, municipality: Municipality) -> None:
    if actor is None or not actor.has_samen_perm(municipality, "partners.manage"):
        raise PermissionDenied("partners.manage required")


def points(municipality: Municipality) -> list[OfferPoint]:
    """Every point of the municipality's offer, hidden ones too, in order; prefilled from the
    guide the first time."""
    rows = list(OfferPoint.objects.filter(municipality=municipality))
    if rows:
        return rows
    now = timezone.now()
    try:
        with transaction.atomic():
            OfferPoint.objects.bulk_create(
                OfferPoint(
                    municipality=municipality,
                    key=key,
                    title=title,
                    explanation=explanation,
                    position=n,
                    updated_at=now,
                )
                for n, (key, title, explanation) in enumerate(GUIDE_OFFER, start=1)
            )
    except IntegrityError:
        pass  # another request prefilled it at the same moment
    return list(OfferPoint.objects.filter(municipality=municipality))


def visible_points(municipality: Municipality) -> list[OfferPoint]:
    return [p for p in points(municipality) if not p.hidden]


def as_text(municipality: Municipality) -> str:
    """The offer as plain text for an e-mail (`{aanbod}`): one line per visible point."""
    return "\n".join(
        f"- {p.title}: {p.explanation}" if p.explanation else f"- {p.title}"
        for p in visible_points(municipality)
    )


def _clean(title: str, explanation: str) -> tuple[str, str]:
    title, explanation = title.strip(), explanation.strip()
    if not title:
        raise ValidationError({"title": _("Vul het punt in.")})
    if "\n" in title or "\r" in title:
        raise ValidationError({"title": _("Gebruik hier één regel, zonder regeleinde.")})
    if len(title) > 150:
        raise ValidationError({"title": _("Dit is te lang: maximaal 150 tekens.")})
    if len(explanation) > 600:
        raise ValidationError({"explanation": _("Dit is te lang: maximaal 600 tekens.")})
    return title, explanation


def add_point(
    *, municipality: Municipality, actor: User, title: str, explanation: str = ""
) -> OfferPoint:
    """Add a point at the end of the offer."""
    _require(actor, municipality)
    title, explanation = _clean(title, explanation)
    with transaction.atomic():
        points(municipality)  # prefill first, so that the guide's points come before this one
        last = OfferPoint.objects.filter(municipality=municipality).aggregate(n=Max("position"))
        point = OfferPoint.objects.create(
            municipality=municipality,
            title=title,
            explanation=explanation,
            position=(last["n"] or 0) + 1,
        )
        audit.record(action="partners.offer_add", actor=actor, obj=point)
    return point


def update_point(
    *, point: OfferPoint, actor: User, title: str, explanation: str, hidden: bool
) -> OfferPoint:
    _require(actor, point.municipality)
    title, explanation = _clean(title, explanation)
    with transaction.atomic():
        point.title, point.explanation, point.hidden = title, explanation, hidden
        point.updated_at = timezone.now()
        point.save()
        audit.record(action="partners.offer_update", actor=actor, obj=point, hidden=hidden)
    return point


def set_hidden(*, point: OfferPoint, actor: User, hidden: bool) -> OfferPoint:
    _require(actor, point.municipality)
    with transaction.atomic():
        point.hidden = hidden
        point.updated_at = timezone.now()
        point.save(update_fields=["hidden", "updated_at"])
        audit.record(action="partners.offer_update", actor=actor, obj=point, hidden=hidden)
    return point


def move_point(*, point: OfferPoint, actor: User, up: bool) -> OfferPoint:
    """Swap the point with the one above (or below) it; the order is renumbered 1..n."""
    municipality = point.municipality
    _require(actor, municipality)
    with transaction.atomic():
        ordered = list(
            OfferPoint.objects.select_for_update()
            .filter(municipality=municipality)
            .order_by("position", "pk")
        )
        index = next(i for i, p in enumerate(ordered) if p.pk == point.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for n, row in enumerate(ordered, start=1):
            if row.position != n:
                row.position = n
                row.save(update_fields=["position"])
        audit.record(action="partners.offer_move", actor=actor, obj=point, up=up)
    return next(p for p in ordered if p.pk == point.pk)
