"""Reads of workshops, each with a fixed number of queries whatever the number of rows."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Municipality, User

from .models import Invitation, Meeting

Status = Invitation.Status


def meetings() -> QuerySet[Meeting]:
    """Every meeting of the municipality (in its scope) with its invitation counts: upcoming
    first, soonest first, then the past ones, latest first (one query)."""
    return Meeting.objects.annotate(
        invited=Count("invitations"),
        accepted=Count("invitations", filter=Q(invitations__status=Status.ACCEPTED)),
        declined=Count("invitations", filter=Q(invitations__status=Status.DECLINED)),
    ).order_by("starts_at", "pk")


def split(rows: list[Meeting]) -> tuple[list[Meeting], list[Meeting]]:
    now = timezone.now()
    upcoming = [m for m in rows if m.starts_at >= now]
    past = sorted((m for m in rows if m.starts_at < now), key=lambda m: m.starts_at, reverse=True)
    return upcoming, past


def invitations(meeting: Meeting) -> list[Invitation]:
    return list(meeting.invitations.order_by("status", "name", "email", "pk"))


def counts(rows: list[Invitation]) -> dict[str, int]:
    found = {value: 0 for value in Status.values}
    for row in rows:
        found[row.status] += 1
    return {"total": len(rows), **found}


def staff_card(municipality: Municipality, user: User) -> dict[str, Any] | None:
    if not user.has_samen_perm(municipality, "workshops.manage"):
        return None
    upcoming = Meeting.objects.filter(starts_at__gte=timezone.now()).count()
    return {
        "title": _("Bijeenkomsten"),
        "figure": upcoming,
        "label": _("bijeenkomsten gepland"),
        "links": [
            {
                "text": _("Bijeenkomsten en uitnodigingen"),
                "url": reverse("workshops:list", args=[municipality.slug]),
            },
            {
                "text": _("Nieuwe bijeenkomst plannen"),
                "url": reverse("workshops:new", args=[municipality.slug]),
            },
        ],
    }
