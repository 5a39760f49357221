"""Signaalpunt: concern reports (meldingen) about a person, grouped into cases per address."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Organisation, TenantModel


class Sign(models.TextChoices):
    """Recognisable signs, in the words of shop staff, deliverers and neighbours (B1)."""

    CURTAINS_CLOSED = "curtains_closed", _("De gordijnen zijn al dagen dicht")
    MAIL_PILING = "mail_piling", _("De post of kranten stapelen zich op")
    UNKEMPT = "unkempt", _("Ziet er onverzorgd uit")
    FREQUENT_VISITS = "frequent_visits", _("Komt meerdere keren per dag in de winkel")
    TALKS_ALONE = "talks_alone", _("Vertelt dat hij of zij alleen is of niemand heeft")
    PYJAMAS = "pyjamas", _("Doet 's middags in pyjama open")
    WITHDRAWN = "withdrawn", _("Komt bijna niet meer buiten")
    CONFUSED = "confused", _("Lijkt in de war of vergeetachtig")
    HOUSE_NEGLECTED = "house_neglected", _("Het huis of de tuin raakt verwaarloosd")
    NO_GROCERIES = "no_groceries", _("Koopt weinig of geen eten meer")
    RECENT_LOSS = "recent_loss", _("Heeft kort geleden iemand verloren")


class Relation(models.TextChoices):
    CUSTOMER = "customer", _("Klant van mij of mijn bedrijf")
    NEIGHBOUR = "neighbour", _("Buurman of buurvrouw")
    DELIVERY = "delivery", _("Ik bezorg bij deze persoon")
    CLIENT = "client", _("Cliënt of patiënt")
    FAMILY = "family", _("Familie")
    ACQUAINTANCE = "acquaintance", _("Kennis of vriend")
    OTHER = "other", _("Anders")


class PersonAware(models.TextChoices):
    YES = "yes", _("Ja, de persoon weet het")
    NO = "no", _("Nee")
    UNKNOWN = "unknown", _("Weet ik niet")


class ReporterType(models.TextChoices):
    SHOP = "shop", _("Winkel of supermarkt")
    DELIVERY = "delivery", _("Post- of pakketbezorging")
    PHARMACY = "pharmacy", _("Apotheek")
    HAIRDRESSER = "hairdresser", _("Kapper of schoonheidssalon")
    BANK = "bank", _("Bank")
    CARE = "care", _("Zorg of welzijn")
    NEIGHBOUR = "neighbour", _("Buurtbewoner")
    OTHER = "other", _("Anders")


class Status(models.TextChoices):
    NEW = "new", _("Nieuw")
    TRIAGED = "triaged", _("Beoordeeld")
    CONTACT_ATTEMPT = "contact_attempt", _("Contact geprobeerd")
    IN_CONTACT = "in_contact", _("In contact")
    HANDED_OVER = "handed_over", _("Overgedragen")
    CLOSED = "closed", _("Afgesloten")


# The one table of allowed transitions. Closing needs an outcome; handing over a referral.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.TRIAGED, Status.CONTACT_ATTEMPT, Status.IN_CONTACT, Status.CLOSED}
    ),
    Status.TRIAGED: frozenset({Status.CONTACT_ATTEMPT, Status.IN_CONTACT, Status.CLOSED}),
    Status.CONTACT_ATTEMPT: frozenset({Status.CONTACT_ATTEMPT, Status.IN_CONTACT, Status.CLOSED}),
    Status.IN_CONTACT: frozenset({Status.HANDED_OVER, Status.CLOSED}),
    Status.HANDED_OVER: frozenset({Status.IN_CONTACT, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# Statuses in which nobody has spoken with the person yet: the deadline applies.
BEFORE_CONTACT = frozenset({Status.NEW, Status.TRIAGED, Status.CONTACT_ATTEMPT})


class Outcome(models.TextChoices):
    CONNECTED = "connected", _("Verbonden met ondersteuning")
    DECLINED = "declined", _("Wil geen ondersteuning")
    NO_CONCERN = "no_concern", _("Geen zorgen na contact")
    UNREACHABLE = "unreachable", _("Niet bereikbaar")
    MOVED = "moved", _("Verhuisd")
    DECEASED = "deceased", _("Overleden")


class Referral(models.TextChoices):
    WELFARE = "welfare", _("Warme overdracht aan welzijn")
    ACTIVITY = "activity", _("Naar een activiteit")
    BUDDY = "buddy", _("Een vrijwillige maatje")


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("Normaal")
    HIGH = 2, _("Hoog")
    URGENT = 3, _("Zeer hoog")


class Case(TenantModel):
    """One person (address) the Signaalpunt follows up. Reports about the same address while
    the case is open are linked to it."""

    address_key = models.CharField(max_length=20, blank=True, db_index=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    house_number = models.CharField(_("huisnummer"), max_length=10, blank=True)
    street = models.CharField(_("straat"), max_length=120, blank=True)
    location_description = models.TextField(_("omschrijving van de plek"), blank=True)
    person_name = models.CharField(_("naam (als bekend)"), max_length=120, blank=True)
    # The postcode's four digits: kept after anonymisation, for figures per area.
    area = models.CharField(_("wijk (postcodegebied)"), max_length=4, blank=True, db_index=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgentie"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandelaar"),
    )
    contact_attempts = models.PositiveSmallIntegerField(_("contactpogingen"), default=0)
    deadline = models.DateTimeField(_("eerste contact uiterlijk"))
    first_contact_at = models.DateTimeField(null=True, blank=True)
    referral = models.CharField(
        _("doorverwijzing"), max_length=20, choices=Referral.choices, blank=True
    )
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["deadline"]
        constraints = [
            # At most one open case per address: concurrent reports cannot split a person.
            models.UniqueConstraint(
                fields=["municipality", "address_key"],
                condition=Q(closed_at__isnull=True) & ~Q(address_key=""),
                name="one_open_case_per_address",
            )
        ]
        indexes = [models.Index(fields=["municipality", "status", "deadline"])]

    def __str__(self) -> str:
        return f"Casus {self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status in BEFORE_CONTACT and self.deadline < timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    def allowed_transitions(self) -> list[Status]:
        return [Status(s) for s in Status.values if s in TRANSITIONS[self.status]]


def hash_status_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Report(TenantModel):
    """One melding: what someone observed. The reporter later sees only a coarse status."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reference = models.CharField(_("kenmerk"), max_length=20)
    status_token_hash = models.CharField(max_length=64, unique=True)
    signs = models.JSONField(_("wat is opgevallen"), default=list, blank=True)
    description = models.TextField(_("toelichting"), blank=True)
    relation = models.CharField(_("relatie"), max_length=20, choices=Relation.choices, blank=True)
    person_aware = models.CharField(
        _("weet de persoon ervan"),
        max_length=10,
        choices=PersonAware.choices,
        default=PersonAware.UNKNOWN,
    )
    reporter_type = models.CharField(
        _("soort melder"), max_length=20, choices=ReporterType.choices, default=ReporterType.OTHER
    )
    reporter_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reporter_name = models.CharField(_("naam melder"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("telefoon melder"), max_length=30, blank=True)
    reporter_email = models.EmailField(_("e-mail melder"), blank=True)
    source = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When a caseworker first opened the case with this report: until then the reporter sees
    # "ontvangen" with the report's own date, never the status of a case that was already open.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="report_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @staticmethod
    def new_status_token() -> str:
        return secrets.token_urlsafe(24)

    def get_signs_display(self) -> list[str]:
        labels = dict(Sign.choices)
        return [str(labels.get(code, code)) for code in self.signs]


class ReferenceCounter(TenantModel):
    """Per municipality and year, the last number handed out in SP-YYYY-NNNNN."""

    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="one_counter_per_year")
        ]


class CaseEvent(TenantModel):
    """The history of a case. Appended on every change, never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Melding ontvangen")
        LINKED = "linked", _("Nieuwe melding gekoppeld")
        STATUS = "status", _("Status gewijzigd")
        ASSIGNED = "assigned", _("Toegewezen")
        NOTE = "note", _("Notitie")
        REFERRAL = "referral", _("Doorverwezen")
        ANONYMISED = "anonymised", _("Geanonimiseerd")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    # With a hand-over: the text written for the receiving organisation (the note is not).
    handover_text = models.TextField(blank=True)
    # With a hand-over to a buddy: the hulpvraag it made, so that it is anonymised with the
    # case. Concerns holds the link; volunteering knows nothing of cases.
    need = models.ForeignKey(
        "volunteering.Need", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Case history is append-only.")
        super().save(*args, **kwargs)
