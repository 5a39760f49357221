"""Reads of outreach, in the current tenant scope."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from samen.core.models import Signup

from .models import EmailCampaign, EmailSend, EmailTemplate, Newsletter, NewsletterSubscriber
from .services import NEWSLETTER_SIGNUP


def templates() -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.all()


def campaigns_with_counts(limit: int = 20) -> QuerySet[EmailCampaign]:
    """The latest campaigns, each with `total` and `sent` e-mails."""
    return EmailCampaign.objects.annotate(
        total=Count("sends"), sent=Count("sends", filter=Q(sends__sent_at__isnull=False))
    )[:limit]


def campaign_counts(campaign: EmailCampaign) -> dict[str, int]:
    return EmailSend.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=~Q(error="")),
    )


def campaign_sends(campaign: EmailCampaign, limit: int = 100) -> QuerySet[EmailSend]:
    return (
        EmailSend.objects.filter(campaign=campaign)
        .select_related("partner__organisation")
        .order_by("pk")[:limit]
    )


def sends_for_partner(partner: Any, limit: int = 20) -> QuerySet[EmailSend]:
    """The e-mails to one partner, latest first (for its page in partners)."""
    return (
        EmailSend.objects.filter(partner=partner)
        .select_related("campaign")
        .order_by("-created_at")[:limit]
    )


def newsletters_with_counts(limit: int = 30) -> QuerySet[Newsletter]:
    return Newsletter.objects.annotate(
        total=Count("sends"), sent=Count("sends", filter=Q(sends__sent_at__isnull=False))
    )[:limit]


def newsletter_counts(newsletter: Newsletter) -> dict[str, int]:
    return EmailSend.objects.filter(newsletter=newsletter).aggregate(
        total=Count("pk"), sent=Count("pk", filter=Q(sent_at__isnull=False))
    )


def subscriber_counts() -> dict[str, int]:
    """Confirmed subscribers ("active") and addresses that asked and did not click the link
    yet ("pending"; this week's sign-ups, nothing else is stored)."""
    counts = NewsletterSubscriber.objects.aggregate(
        active=Count("pk", filter=Q(confirmed_at__isnull=False)),
        pending=Count("pk", filter=Q(confirmed_at__isnull=True)),
    )
    counts["pending"] += Signup.objects.filter(
        purpose=NEWSLETTER_SIGNUP, confirmed_at__isnull=True
    ).count()
    return counts


def active_subscriber_count() -> int:
    return NewsletterSubscriber.objects.filter(confirmed_at__isnull=False).count()


def subscriber_by_token(token: str) -> NewsletterSubscriber | None:
    return NewsletterSubscriber.objects.filter(token=token[:64]).first()
