"""Activity and information hub: what every organisation publishes, in one place."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Municipality, Organisation, TenantModel


class Category(models.TextChoices):
    MEETING = "meeting", _("Ontmoeten")
    EATING = "eating", _("Samen eten")
    EXERCISE = "exercise", _("Bewegen en sport")
    WALKING = "walking", _("Wandelen")
    CULTURE = "culture", _("Cultuur")
    CREATIVE = "creative", _("Creatief")
    LEARNING = "learning", _("Leren en taal")
    GAMES = "games", _("Spelletjes")
    ADVICE = "advice", _("Advies en hulp")
    BUDDY = "buddy", _("Maatje")


# Occurrences store categories as a bitmask so one integer test filters them.
CATEGORY_BITS = {value: 1 << index for index, value in enumerate(Category.values)}


def category_mask(categories: list[str]) -> int:
    mask = 0
    for category in categories:
        mask |= CATEGORY_BITS.get(category, 0)
    return mask


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Iedereen")
    OLDER = "older", _("Ouderen")
    YOUNG = "young", _("Jongeren")
    CARERS = "carers", _("Mantelzorgers")
    NEWCOMERS = "newcomers", _("Nieuwkomers")


class Feed(TenantModel):
    """Something an organisation already publishes: iCalendar, RSS/Atom or a web page with
    schema.org Event JSON-LD. Samen imports it from then on."""

    class Kind(models.TextChoices):
        ICAL = "ical", _("iCalendar-agenda")
        RSS = "rss", _("RSS- of Atom-feed")
        JSONLD = "jsonld", _("Webpagina met evenementen (schema.org)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="feeds")
    url = models.CharField(_("adres"), max_length=500)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # sha256 of the body last imported: an unchanged body is not parsed again.
    content_hash = models.CharField(max_length=64, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    # Why the last download looked wrong (much smaller, another kind, cut off): the stored
    # activities were kept. Cleared by the next download that looks right.
    suspicious = models.TextField(_("verdacht"), blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "url"], name="one_feed_per_url_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.url


class Activity(TenantModel):
    """An activity (one-off or recurring) or a short information post. The schedule is kept as
    iCalendar (a VEVENT with RRULE/EXDATE, plus edited instances) and expanded with
    recurring-ical-events, so imported calendars keep their exact meaning."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activiteit")
        POST = "post", _("Informatie")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTIVITY)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beschrijving"), blank=True)
    categories = models.JSONField(_("categorieën"), default=list, blank=True)
    audience = models.JSONField(_("voor wie"), default=list, blank=True)
    venue = models.CharField(_("locatie"), max_length=200, blank=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    starts_at = models.DateTimeField(_("begint"), null=True, blank=True)
    ends_at = models.DateTimeField(_("eindigt"), null=True, blank=True)
    # A date, not a time: shown as "hele dag" (iCalendar VALUE=DATE, schema.org date only).
    all_day = models.BooleanField(_("hele dag"), default=False)
    rrule = models.CharField(_("herhaling (RRULE)"), max_length=300, blank=True)
    ical = models.TextField(
        blank=True, help_text="The VEVENT(s) of this activity, as imported or built."
    )
    is_free = models.BooleanField(_("gratis"), default=True)
    cost = models.DecimalField(
        _("kosten (euro)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    wheelchair = models.BooleanField(_("rolstoeltoegankelijk"), default=False)
    hearing_loop = models.BooleanField(_("ringleiding"), default=False)
    transport = models.BooleanField(_("vervoer mogelijk"), default=False)
    companion_welcome = models.BooleanField(_("begeleider welkom"), default=False)
    signup_required = models.BooleanField(_("aanmelden nodig"), default=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    # An image the source gave (JSON-LD image, RSS enclosure): linked, never fetched by us.
    image_url = models.URLField(_("afbeelding"), max_length=500, blank=True)
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    source_uid = models.CharField(max_length=300, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)
    dedup_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "source_uid"],
                condition=~models.Q(source_uid=""),
                name="activity_source_uid_per_feed",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_accessible(self) -> bool:
        return self.wheelchair

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    def get_category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels[c]) for c in self.categories if c in labels]


def make_dedup_key(title: str, starts_at, postcode: str) -> str:
    """The same activity listed by several organisations: same title, start and place."""
    normal = " ".join(title.lower().split())
    start = starts_at.isoformat() if starts_at else ""
    return hashlib.sha256(f"{normal}|{start}|{postcode[:4]}".encode()).hexdigest()[:32]


class Occurrence(TenantModel):
    """One date of an activity, materialised ahead (SAMEN_OCCURRENCE_HORIZON_DAYS) so a search
    is one indexed query. Filter fields are copied from the activity."""

    # No index of its own: (municipality, starts_at) below serves every municipality lookup.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    # Coarse grid cell (0.1 degree) for "near", plus the exact point for the distance.
    cell = models.IntegerField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    category_mask = models.IntegerField(default=0)
    is_free = models.BooleanField(default=True)
    is_accessible = models.BooleanField(default=False)
    signup_required = models.BooleanField(default=False)
    dedup_key = models.CharField(max_length=64, blank=True)
    # Still runs after the midnight that ends its first day (calendar.crosses_midnight): a
    # search finds it while it runs through the small partial index below, however long ago
    # it began (selectors.long_running_ids, docs/decisions.md).
    is_long = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # With ends_at: what began earlier today and still runs at the start of a
            # search ("today" starts now) is decided in the index (selectors._window).
            models.Index(
                fields=["municipality", "starts_at", "ends_at"], name="occurrence_municipality"
            ),
            # A search near a place reads only this index (step 1 of selectors.matches): the
            # columns it filters and returns are keys, so SQLite (no INCLUDE; the rowid is
            # the id) covers it too; PostgreSQL includes the id.
            models.Index(
                fields=[
                    "cell",
                    "starts_at",
                    "latitude",
                    "longitude",
                    "category_mask",
                    "dedup_key",
                    "ends_at",
                ],
                include=["id"],
                name="occurrence_near_covering",
            ),
            models.Index(fields=["starts_at"]),
            models.Index(
                fields=["ends_at"],
                condition=models.Q(is_long=True),
                name="occurrence_long",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Registration(TenantModel):
    """An organisation that joined through /<slug>/meedoen/: confirmed by e-mail, and
    approved by the coordinator when the municipality asks for that. Organisations without a
    registration (added by the coordinator) are active."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="registration"
    )
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_active(self) -> bool:
        needs_approval = self.municipality.require_organisation_approval
        return bool(self.email_confirmed_at and (self.approved_at or not needs_approval))


class UsageDay(TenantModel):
    """How often residents searched and subscribed, per municipality per day (no visitor data)."""

    day = models.DateField()
    searches = models.PositiveIntegerField(default=0)
    subscriptions = models.PositiveIntegerField(default=0)
    prints = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "day"], name="one_usage_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.day}"
