"""Outreach: e-mail to partners (templates, campaigns and the outbox the worker sends), the
coalition's newsletter (double opt-in, one-click unsubscribe, opt-outs kept as a keyed hash)
and the reminders. The tables kept their names from when this was part of `partners`
(`db_table`), so moving the code moved no data."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from samen.core.models import Municipality, TenantModel


class EmailTemplate(TenantModel):
    class Purpose(models.TextChoices):
        BUSINESS = "business", _("Lokale ondernemer betrekken")
        INSPIRATION = "inspiration", _("Uitnodiging inspiratiesessie")
        WORKING_SESSION = "working_session", _("Uitnodiging werksessie")
        COLLEAGUES = "colleagues", _("Collega's betrekken")
        OTHER = "other", _("Anders")

    name = models.CharField(_("naam"), max_length=120)
    slug = models.SlugField(max_length=130)
    purpose = models.CharField(
        _("doel"), max_length=20, choices=Purpose.choices, default=Purpose.BUSINESS
    )
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("tekst"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "partners_emailtemplate"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="template_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:120] or "sjabloon"
            taken = set(
                EmailTemplate.objects.filter(
                    municipality_id=self.municipality_id, slug__startswith=base
                ).values_list("slug", flat=True)
            )
            self.slug, n = base, 2
            while self.slug in taken:
                self.slug, n = f"{base}-{n}", n + 1
        super().save(*args, **kwargs)


class EmailCampaign(TenantModel):
    """One templated e-mail sent to one or more partners."""

    template = models.ForeignKey(
        EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sender = models.TextField(blank=True)
    default_request = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "partners_emailcampaign"
        ordering = ["-created_at", "-pk"]


class NewsletterSubscriber(TenantModel):
    email = models.EmailField(_("e-mailadres"))
    name = models.CharField(_("naam"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "partners_newslettersubscriber"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "email"], name="one_subscription_per_address"
            )
        ]

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None


# The old app's name stays in the salt: another salt would forget every opt-out kept.
OPT_OUT_KEY_SALT = "samen.partners.newsletter-opt-out"


class NewsletterOptOut(TenantModel):
    """An address that unsubscribed, kept only as a keyed hash (HMAC with the secret key,
    per municipality) so that it is never mailed again; the subscription itself is deleted.
    `token_hash` is the SHA-256 of the old unsubscribe link's token, so that clicking that
    link again still says "afgemeld". The person's own confirmed sign-up removes the row."""

    email_hash = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "partners_newsletteroptout"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "email_hash"], name="one_opt_out_per_address"
            )
        ]

    @staticmethod
    def hash_email(municipality: Municipality, email: str) -> str:
        value = f"{municipality.pk}:{email.strip().lower()}"
        return salted_hmac(OPT_OUT_KEY_SALT, value, algorithm="sha256").hexdigest()

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Newsletter(TenantModel):
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("tekst"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "partners_newsletter"
        ordering = ["-created_at", "-pk"]


class EmailSend(TenantModel):
    """One e-mail to one recipient, rendered when queued. The worker sends rows whose
    `sent_at` is empty and stamps them in the same transaction: a restarted worker never
    sends a stamped row again. One row per (campaign, partner) and (newsletter, subscriber)."""

    campaign = models.ForeignKey(
        EmailCampaign, on_delete=models.CASCADE, null=True, blank=True, related_name="sends"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, null=True, blank=True, related_name="sends"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_sends",
    )
    subscriber = models.ForeignKey(
        NewsletterSubscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "partners_emailsend"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "partner"],
                condition=Q(campaign__isnull=False),
                name="one_send_per_campaign_partner",
            ),
            models.UniqueConstraint(
                fields=["newsletter", "subscriber"],
                condition=Q(newsletter__isnull=False),
                name="one_send_per_newsletter_subscriber",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "sent_at"]),
            models.Index(fields=["newsletter", "sent_at"]),
        ]


class ReminderLog(TenantModel):
    """Which scheduled reminder went out for which period, so a daily run sends it once."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "partners_reminderlog"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "key"], name="one_reminder_per_period"
            )
        ]
