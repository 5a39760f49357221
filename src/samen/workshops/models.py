"""Workshops: the guide's three meeting formats as meetings, with their invitations.

An invitation's token exists only in the mail it went out in: the row keeps its SHA-256
(`token_hash`), set by the worker when it sends the mail."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import TenantModel

from .formats import FORMATS, Format, FormatInfo, InviteeKind


class Meeting(TenantModel):
    format = models.CharField(_("soort bijeenkomst"), max_length=20, choices=Format.choices)
    title = models.CharField(_("titel"), max_length=200)
    starts_at = models.DateTimeField(_("begint"))
    duration_minutes = models.PositiveSmallIntegerField(_("duur (minuten)"))
    place = models.CharField(_("plaats"), max_length=200)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    goal = models.TextField(_("doel"))
    notes = models.TextField(_("notities"), blank=True)
    outcome = models.TextField(_("opbrengst"), blank=True)
    # The Activity in the agenda (activities app), when published.
    activity_id = models.PositiveIntegerField(null=True, blank=True)
    # The colleagues' exercise: its longlist, imported into the partners' longlist.
    longlist_imported_at = models.DateTimeField(null=True, blank=True)
    longlist_created = models.PositiveIntegerField(default=0)
    longlist_updated = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def info(self) -> FormatInfo:
        return FORMATS[self.format]

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def published(self) -> bool:
        return self.activity_id is not None

    @property
    def may_be_published(self) -> bool:
        """The colleagues' exercise is internal: it has no place in the residents' agenda."""
        return self.format != Format.COLLEAGUES


class Invitation(TenantModel):
    class Status(models.TextChoices):
        INVITED = "invited", _("Uitgenodigd")
        ACCEPTED = "accepted", _("Komt")
        DECLINED = "declined", _("Komt niet")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    # Emptied with the name when the retention period ends (docs/privacy.md).
    email = models.EmailField(_("e-mailadres"), blank=True)
    name = models.CharField(_("naam"), max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=InviteeKind.choices)
    # The partner (partners app) invited, if any.
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    message = models.TextField()
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"], condition=~Q(email=""), name="one_invitation_per_email"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or str(_("(gewist)"))

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
