import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .roles import PERMISSIONS, ROLES_REQUIRING_2FA, Role

# Slugs that are top-level paths of the site itself, so no municipality may take them.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "admin",
        "static",
        "healthz",
        "inloggen",
        "uitloggen",
        "account",
        "i18n",
        "media",
        "uitnodiging",
    }
)


def validate_municipality_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("Deze naam is gereserveerd; kies een andere."))


class User(AbstractUser):
    """A person with an account. What they may do depends on their memberships."""

    # Set on the request's user by django-otp's OTPMiddleware: passed the second factor?
    is_verified: Callable[[], bool]

    # The `sub` claim of the municipality's identity provider, for users who log in with
    # single sign-on (core/oidc.py); None for password-only accounts.
    oidc_subject = models.CharField(max_length=255, null=True, blank=True, unique=True)

    def membership_in(self, municipality: "Municipality") -> "Membership | None":
        cache = self.__dict__.setdefault("_membership_cache", {})
        if municipality.pk not in cache:
            cache[municipality.pk] = (
                self.memberships.filter(municipality=municipality)
                .select_related("organisation")
                .first()
            )
        return cache[municipality.pk]

    def organisation_in(self, municipality: "Municipality") -> "Organisation | None":
        """The organisation this user acts for in this municipality, if any."""
        membership = self.membership_in(municipality)
        return membership.organisation if membership else None

    def role_in(self, municipality: "Municipality") -> Role | None:
        membership = self.membership_in(municipality)
        return Role(membership.role) if membership else None

    def has_samen_perm(self, municipality: "Municipality", perm: str) -> bool:
        """The one permission check of Samen, for views, API and commands alike."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        role = self.role_in(municipality)
        return role is not None and role in PERMISSIONS[perm]

    def needs_second_factor(self, municipality: "Municipality | None" = None) -> bool:
        """Superusers always (the demo too); caseworkers and coordinators when
        SAMEN_REQUIRE_2FA_CASEWORKERS."""
        if self.is_superuser:
            return True
        return bool(
            municipality is not None
            and settings.SAMEN_REQUIRE_2FA_CASEWORKERS
            and self.role_in(municipality) in ROLES_REQUIRING_2FA
        )

    def needs_second_factor_anywhere(self) -> bool:
        """For pages outside a municipality (the account's own API tokens): does any of the
        user's roles, or being a superuser, require two-factor login?"""
        if self.is_superuser:
            return True
        return bool(
            settings.SAMEN_REQUIRE_2FA_CASEWORKERS
            and self.memberships.filter(role__in=list(ROLES_REQUIRING_2FA)).exists()
        )

    def default_membership(self) -> "Membership | None":
        return self.memberships.select_related("municipality").order_by("pk").first()


class Municipality(models.Model):
    """A tenant: one municipality and its local coalition against loneliness."""

    name = models.CharField(_("naam"), max_length=100)
    slug = models.SlugField(_("korte naam"), unique=True, validators=[validate_municipality_slug])
    contact_email = models.EmailField(_("e-mailadres coalitie"), blank=True)
    concern_deadline_working_days = models.PositiveSmallIntegerField(
        _("eerste contact binnen (werkdagen)"), default=2
    )
    require_organisation_approval = models.BooleanField(
        _("nieuwe organisaties eerst goedkeuren"), default=True
    )
    settings = models.JSONField(_("overige instellingen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every tenant-owned row: it carries its municipality and its default manager
    refuses to query unless a municipality scope is active (django-scopes)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        abstract = True


class Organisation(TenantModel):
    """An organisation in the coalition: welfare, library, shop, company fund, ..."""

    class Kind(models.TextChoices):
        WELFARE = "welfare", _("Welzijnsorganisatie")
        CARE = "care", _("Zorgorganisatie")
        LIBRARY = "library", _("Bibliotheek")
        SPORT = "sport", _("Sportclub of sportschool")
        CULTURE = "culture", _("Cultuur")
        FAITH = "faith", _("Kerk of levensbeschouwing")
        ELDERLY = "elderly", _("Ouderenorganisatie")
        SHOP = "shop", _("Winkel of supermarkt")
        PHARMACY = "pharmacy", _("Apotheek")
        HOSPITALITY = "hospitality", _("Horeca")
        BUSINESS = "business", _("Bedrijf")
        FOUNDATION = "foundation", _("Fonds of stichting")
        RESIDENTS = "residents", _("Bewonersinitiatief")
        OTHER = "other", _("Anders")

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("korte naam"), max_length=100)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    is_ambassador = models.BooleanField(_("ambassadeur van de coalitie"), default=False)
    description = models.TextField(_("beschrijving"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="organisation_slug_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one municipality, optionally on behalf of one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    # Set from the identity provider's group claim at each single sign-on (core/oidc.py):
    # such a membership goes when the groups no longer give it.
    via_sso = models.BooleanField(_("via gemeente-account"), default=False)
    # Not a column: set by core.selectors for the accounts page.
    has_second_factor: bool = False

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_role_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.municipality}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did what to which object, when. Append-only: rows are never updated or deleted."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class AuditEventCase(models.Model):
    """One case an audit line listed (a queue listing's `cases=[...]`), so that "who saw case
    42?" is an indexed query on SQLite and PostgreSQL alike. Written by `audit.record`."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="listed_cases")
    case_id = models.PositiveBigIntegerField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditregel-casus")
        verbose_name_plural = _("auditregels-casussen")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.case_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_token_expiry():
    return timezone.now() + dt.timedelta(days=ApiToken.DEFAULT_DAYS)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once.
    It expires (90 days unless chosen otherwise) and notes when it was last used."""

    PREFIX = "samen_"
    DEFAULT_DAYS = 90
    MAX_DAYS = 366
    LAST_USED_EVERY = 60  # seconds: a busy client writes at most once a minute

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.pk}"

    @classmethod
    def issue(cls, user: User, name: str = "", days: int = DEFAULT_DAYS) -> tuple["ApiToken", str]:
        if not 1 <= days <= cls.MAX_DAYS:
            raise ValidationError(
                _("Een sleutel geldt 1 tot %(max)d dagen.") % {"max": cls.MAX_DAYS}
            )
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(raw),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        now = timezone.now()
        token = (
            cls.objects.select_related("user")
            .filter(
                key_hash=hash_token(raw),
                revoked_at__isnull=True,
                expires_at__gt=now,
                user__is_active=True,
            )
            .first()
        )
        if token is None:
            return None
        last = token.last_used_at
        if last is None or (now - last).total_seconds() >= cls.LAST_USED_EVERY:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    @classmethod
    def from_request(cls, request) -> User | None:
        """The user of the request's `Authorization: Bearer` token, looked up once per request
        (the API's hygiene check and its authentication both ask). None: no valid token."""
        if not hasattr(request, "_bearer_user"):
            scheme, _sep, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            valid = scheme.lower() == "bearer" and raw.strip()
            request._bearer_user = cls.authenticate(raw.strip()) if valid else None
        return request._bearer_user

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class EnrolmentCode(models.Model):
    """A one-time code that lets a user set up two-factor login, handed out by a coordinator
    (for users of their municipality) or an administrator. The password alone is not enough to
    add an authenticator. Only the code's SHA-256 is stored; it is shown once."""

    VALID_DAYS = 7
    ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed over

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inschakelcode tweestapsverificatie")
        verbose_name_plural = _("inschakelcodes tweestapsverificatie")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def normalise(raw: str) -> str:
        return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())

    @classmethod
    def hash(cls, raw: str) -> str:
        return hash_token("enrolment:" + cls.normalise(raw))

    @classmethod
    def new_code(cls) -> str:
        letters = "".join(secrets.choice(cls.ALPHABET) for _ in range(12))
        return "-".join(letters[i : i + 4] for i in range(0, 12, 4))

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Signup(TenantModel):
    """What an anonymous visitor entered on a sign-up form (joining the agenda, becoming a
    partner, the newsletter, volunteering), waiting until the e-mail address is confirmed.
    Nothing else exists before the link is clicked. A confirmed sign-up that resembles an
    existing organisation waits again, for the coordinator to merge or approve it."""

    purpose = models.CharField(max_length=20)
    email = models.EmailField()
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    match = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    # the organisation it became or was merged into (clicking the link again finds it)
    result = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=20, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"])]

    def __str__(self) -> str:
        return self.data.get("name") or self.email

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))


class Invitation(models.Model):
    """A coordinator's invitation to a person to join the municipality with a role. The e-mail
    holds a one-time link; only its SHA-256 is stored. Accepting it creates the membership
    (and, for a new person, the account) and deletes the invitation; an invitation not
    accepted within VALID_DAYS lapses and is deleted RETAIN_DAYS later (docs/privacy.md)."""

    VALID_DAYS = 7
    RETAIN_DAYS = 30

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mailadres"))
    first_name = models.CharField(_("voornaam"), max_length=150)
    last_name = models.CharField(_("achternaam"), max_length=150, blank=True)
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Log in with the municipality's identity provider instead of setting a password.
    sso = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    times_sent = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.municipality}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def usable(self) -> bool:
        return self.expires_at > timezone.now()


class DeactivatedMembership(models.Model):
    """A membership the coordinator ended, kept so that it can be given back (reactivated)
    with the same role and organisation. Deleted on reactivation, or RETAIN_DAYS after."""

    RETAIN_DAYS = 365

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deactivated_memberships"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The account itself was switched off (it had no other membership).
    deactivated_user = models.BooleanField(default=False)
    deactivated_at = models.DateTimeField(default=timezone.now)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("gedeactiveerd lidmaatschap")
        verbose_name_plural = _("gedeactiveerde lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_deactivation_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.municipality}"
