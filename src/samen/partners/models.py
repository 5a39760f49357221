"""Partners: the municipality's five steps with businesses (VWS guide *Eén tegen eenzaamheid
met ondernemers*, chapter 3), their roles and contributions (the 5 M's). E-mail and the newsletter are in
`samen.outreach`. A partner is an `Organisation` of the coalition with the municipality's CRM
fields on top."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Organisation, TenantModel


class Step(models.TextChoices):
    """The five steps of chapter 3. They need not be taken in this order."""

    PREPARE = "prepare", _("Voorbereiden")
    CONNECT = "connect", _("Verbinden")
    PERSUADE = "persuade", _("Verleiden")
    RETAIN = "retain", _("Vasthouden")
    STRENGTHEN = "strengthen", _("Versterken")


STEP_ORDER = {value: index for index, value in enumerate(Step.values)}


class Sector(models.TextChoices):
    """Businesses with frequent, personal contact with residents (chapter 3, step 1)."""

    SUPERMARKET = "supermarket", _("Supermarkt of gemakswinkel")
    RETAIL = "retail", _("Detailhandel of kringloopwinkel")
    HOME_VISITS = "home_visits", _("Komt bij mensen thuis (installateur, nutsbedrijf, bezorger)")
    PERSONAL_CARE = "personal_care", _("Persoonlijke dienstverlening (kapper, pedicure)")
    PARAMEDICAL = "paramedical", _("Apotheek of (para)medische zorg (opticien, audicien)")
    HOSPITALITY = "hospitality", _("Horeca")
    SPORT = "sport", _("Sportschool of sportclub")
    PROFESSIONAL = "professional", _("Notaris, advocaat, dierenarts, rijschool")
    BUSINESS_NETWORK = "business_network", _("Ondernemersvereniging, MKB-afdeling of BIZ")
    OTHER = "other", _("Anders")


# Sectors that score on "Sector?" until the municipality chooses its own.
DEFAULT_PRIORITY_SECTORS = [
    Sector.SUPERMARKET,
    Sector.RETAIL,
    Sector.HOME_VISITS,
    Sector.PERSONAL_CARE,
    Sector.PARAMEDICAL,
    Sector.HOSPITALITY,
    Sector.SPORT,
]


class DailyRoute(models.TextChoices):
    """ "Denk aan de dagelijkse routes die bewoners lopen" (chapter 3, step 1)."""

    GROCERIES = "groceries", _("Boodschappen doen")
    HAIRDRESSER = "hairdresser", _("Naar de kapper")
    PHARMACY = "pharmacy", _("Recept ophalen bij de apotheek")
    SPORT = "sport", _("Sporten")
    HOSPITALITY = "hospitality", _("Koffie drinken of uit eten")
    AT_HOME = "at_home", _("Bij mensen thuis (bezorging, onderhoud)")
    MARKET = "market", _("Markt of winkelcentrum")


class PartnerRole(models.TextChoices):
    """What businesses can do (chapter 2, "Wat kunnen ondernemers doen?")."""

    SIGNAL = "signal", _("Signaleren, bespreekbaar maken en melden")
    INFORM = "inform", _("Informatie neerleggen en verspreiden")
    COMMUNITY = "community", _("Bijdragen aan een community in de buurt")
    ACTIVITIES = "activities", _("Aanvullende activiteiten organiseren")
    HOSPITABLE = "hospitable", _("Gastvrij en vriendelijk zijn")
    STAFF = "staff", _("Medewerkers beschikbaar stellen")
    MATERIAL = "material", _("Materiële ondersteuning (ruimte, materiaal, expertise)")


class FiveM(models.TextChoices):
    """The 5 M's: what a partner adds (appendix, "Oefening met ambtelijke collega's")."""

    PEOPLE = "people", _("Mensen")
    MEANS = "means", _("Middelen")
    MASS = "mass", _("Massa")
    MEDIA = "media", _("Media")
    MONEY = "money", _("Munten")


FIVE_M_HELP = {
    FiveM.PEOPLE: _("Ondernemers kennen veel mensen: hun werknemers, andere ondernemers."),
    FiveM.MEANS: _("Ondernemers beschikken over ruimten, spullen."),
    FiveM.MASS: _("Ondernemers maken onderdeel uit van netwerken, zij kunnen massa maken."),
    FiveM.MEDIA: _("Ondernemers hebben toegang tot media."),
    FiveM.MONEY: _("Ondernemers beschikken over geld."),
}


class Recipient(models.TextChoices):
    COALITION = "coalition", _("Inwoners en partners van de coalitie")
    INITIATIVE = "initiative", _("Bewonersinitiatief of lokaal initiatief")
    FOUNDATION = "foundation", _("Onafhankelijke stichting")
    MUNICIPALITY = "municipality", _("De gemeente (sociaal beleid)")


# Money may go to these recipients only; never to the municipality's social policy.
MONEY_RECIPIENTS = frozenset({Recipient.INITIATIVE, Recipient.FOUNDATION})


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Bezoek")
    CALL = "call", _("Telefoongesprek")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Afspraak of bijeenkomst")


# Kinds of contact in which someone actually spoke with the partner.
SPOKEN = frozenset({ContactKind.VISIT, ContactKind.CALL, ContactKind.MEETING})


class StarterItem(models.TextChoices):
    """The gespreksstarter (appendix), as a checklist per conversation."""

    CONTACT = "contact", _("Maak contact")
    TARGET_GROUP = "target_group", _("Doelgroep")
    ROLE = "role", _("Rol")
    PROPOSITION = "proposition", _("Propositie")
    ACTION = "action", _("Concrete actie")


STARTER_HELP = {
    StarterItem.CONTACT: _(
        "Met de eigenaar of bedrijfsleider; is het een goed moment? Vertel over Eén tegen "
        "eenzaamheid in de gemeente."
    ),
    StarterItem.TARGET_GROUP: _(
        "Merkt deze ondernemer iets van eenzaamheid bij klanten? Welke doelgroep ziet hij of "
        "zij? Wat motiveert hem of haar?"
    ),
    StarterItem.ROLE: _(
        "Succesvolle voorbeelden van lokale bedrijven. Welke rol ziet de ondernemer voor zichzelf?"
    ),
    StarterItem.PROPOSITION: _(
        "Welke activiteit past bij de kernactiviteiten? Wat zijn kosten en baten voor de ondernemer?"
    ),
    StarterItem.ACTION: _(
        "Wat kan deze ondernemer extra betekenen voor klanten en medewerkers? Wat is nodig om "
        "tot actie over te gaan?"
    ),
}


class ScoringWeights(TenantModel):
    """Per municipality: the weight of each longlist criterion (the guide's crosses) and which
    sectors count for "Sector?". One row per municipality, created with the defaults."""

    weight_sector = models.PositiveSmallIntegerField(_("Sector?"), default=1)
    weight_image_ok = models.PositiveSmallIntegerField(_("Imago ok?"), default=1)
    weight_csr_known = models.PositiveSmallIntegerField(_("Mvo bekend?"), default=1)
    weight_fits_goals = models.PositiveSmallIntegerField(
        _("Past bij eenzaamheidsdoelen?"), default=1
    )
    weight_earlier_cooperation = models.PositiveSmallIntegerField(
        _("Eerdere samenwerking?"), default=1
    )
    weight_warm_contact = models.PositiveSmallIntegerField(_("Warm contact?"), default=1)
    weight_national_coalition = models.PositiveSmallIntegerField(
        _("Lid Nationale Coalitie tegen Eenzaamheid"), default=1
    )
    weight_daily_route = models.PositiveSmallIntegerField(
        _("Op een dagelijkse route van inwoners"), default=1
    )
    priority_sectors = models.JSONField(_("sectoren die meetellen"), default=list, blank=True)
    stale_weeks = models.PositiveSmallIntegerField(_("niet gesproken na (weken)"), default=6)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weging longlist")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="one_weighting_per_municipality")
        ]


class Partner(TenantModel):
    """A business (or other organisation) the municipality engages: longlist entry, CRM
    record and, once it contributes, a cooperation in the public register."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partner",
        verbose_name=_("organisatie"),
    )
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER
    )
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    contact_name = models.CharField(_("contactpersoon"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mailadres contactpersoon"), blank=True)
    contact_phone = models.CharField(_("telefoon contactpersoon"), max_length=30, blank=True)
    daily_routes = models.JSONField(_("dagelijkse routes"), default=list, blank=True)
    on_daily_route = models.BooleanField(default=False, editable=False)

    # The longlist criteria (the guide's table), each a cross.
    national_coalition = models.BooleanField(
        _("lid van de Nationale Coalitie tegen Eenzaamheid"), default=False
    )
    image_ok = models.BooleanField(_("imago ok"), default=False)
    csr_known = models.BooleanField(_("mvo-beleid bekend"), default=False)
    fits_goals = models.BooleanField(_("past bij eenzaamheidsdoelen"), default=False)
    earlier_cooperation = models.BooleanField(_("eerdere samenwerking"), default=False)
    warm_contact = models.BooleanField(_("warm contact"), default=False)
    shortlisted = models.BooleanField(_("op de shortlist"), default=False)
    # The weighted score, kept up to date on save and when the weights change (one UPDATE),
    # so the ranked longlist reads the top of an index instead of sorting every partner.
    score = models.PositiveSmallIntegerField(_("score"), default=0, editable=False)

    step = models.CharField(_("stap"), max_length=20, choices=Step.choices, default=Step.PREPARE)
    step_changed_at = models.DateTimeField(default=timezone.now)
    account_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accounthouder"),
    )
    last_contact_at = models.DateTimeField(_("laatste contact"), null=True, blank=True)
    last_spoken_at = models.DateTimeField(_("laatst gesproken"), null=True, blank=True)
    next_contact_on = models.DateField(_("volgend contact"), null=True, blank=True)

    roles = models.JSONField(_("wat de partner doet"), default=list, blank=True)
    public_description = models.TextField(_("wat wij samen doen (openbaar)"), blank=True)

    # Merge fields of the e-mails.
    salutation = models.CharField(_("aanhef"), max_length=120, blank=True)
    compliment = models.CharField(_("compliment"), max_length=300, blank=True)
    concrete_request = models.TextField(_("concrete vraag"), blank=True)

    # "Bij twijfel: niet doen" (chapter 2): on hold, the partner leaves the contact reminders
    # and the "not spoken to" list until the coordinator takes it back (`services.hold`).
    on_hold_since = models.DateTimeField(_("in de wacht sinds"), null=True, blank=True)
    on_hold_reason = models.TextField(_("reden om te wachten"), blank=True)

    source = models.CharField(max_length=20, default="hand")
    notes = models.TextField(_("notities"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kvk_number"],
                condition=~Q(kvk_number=""),
                name="partner_kvk_per_municipality",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "last_spoken_at"]),
            models.Index(fields=["municipality", "step"]),
            models.Index(fields=["municipality", "-score", "id"], name="partner_ranking"),
            models.Index(
                fields=["municipality", "-score", "id"],
                condition=Q(shortlisted=True),
                name="partner_shortlist_ranking",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    def save(self, *args, **kwargs):
        from . import scoring

        self.on_daily_route = bool(self.daily_routes)
        weights = getattr(self, "_weights", None)
        if weights is None:
            row = ScoringWeights.objects.filter(municipality_id=self.municipality_id).first()
            weights = scoring.Weights.of(row) if row else scoring.Weights.default()
        self.score = scoring.score(scoring.instance_row(self), weights)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "score", "on_daily_route"}
        super().save(*args, **kwargs)

    @property
    def email(self) -> str:
        return self.contact_email or self.organisation.email

    def get_roles_display(self) -> list[str]:
        labels = dict(PartnerRole.choices)
        return [str(labels[r]) for r in self.roles if r in labels]

    def get_daily_routes_display(self) -> list[str]:
        labels = dict(DailyRoute.choices)
        return [str(labels[r]) for r in self.daily_routes if r in labels]


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("This history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This history is append-only.")


class StepChange(AppendOnly, TenantModel):
    """One move of a partner to a step: when and who. Appended, never edited."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="step_changes")
    from_step = models.CharField(max_length=20, choices=Step.choices, blank=True)
    to_step = models.CharField(max_length=20, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_step or '-'} -> {self.to_step}"


class HoldChange(AppendOnly, TenantModel):
    """A partner put on hold (with the reason) or taken back: when and who. Appended."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="hold_changes")
    on_hold = models.BooleanField()
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return "on hold" if self.on_hold else "taken back"


class OfferPoint(TenantModel):
    """One point of what the municipality offers businesses (the guide's
    "voorbeeldpropositie"), with a short explanation. Per municipality, in `position` order;
    hidden points are kept but not shown. `key` marks the points prefilled from the guide."""

    key = models.CharField(max_length=30, blank=True)
    title = models.CharField(_("punt"), max_length=150)
    explanation = models.TextField(_("korte uitleg"), max_length=600, blank=True)
    position = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(_("verborgen"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("punt van het aanbod")
        verbose_name_plural = _("aanbod aan ondernemers")
        ordering = ["position", "pk"]
        constraints = [
            # Prefilling twice at once (two first visits) fails on this instead of doubling.
            models.UniqueConstraint(
                fields=["municipality", "key"], condition=~Q(key=""), name="offer_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ContactLog(TenantModel):
    """A contact with a partner: visit, call, e-mail or meeting, with the conversation
    starter's checklist."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("soort contact"), max_length=10, choices=ContactKind.choices)
    at = models.DateTimeField(_("wanneer"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    summary = models.TextField(_("verslag"), blank=True)
    starter = models.JSONField(_("gespreksstarter"), default=list, blank=True)
    email_send = models.ForeignKey(
        "outreach.EmailSend", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["partner", "at"])]

    def starter_checklist(self) -> list[tuple[str, bool]]:
        return [(str(label), value in self.starter) for value, label in StarterItem.choices]


class Contribution(TenantModel):
    """What a partner contributes, in one of the 5 M's. Money (munten) never goes to the
    municipality's social policy; only to an independent foundation or initiative."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contributions")
    m = models.CharField(_("soort bijdrage (5 M's)"), max_length=10, choices=FiveM.choices)
    description = models.CharField(_("omschrijving"), max_length=300)
    recipient = models.CharField(
        _("ten goede aan"), max_length=20, choices=Recipient.choices, default=Recipient.COALITION
    )
    recipient_name = models.CharField(_("naam stichting of initiatief"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("bedrag (euro)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    started_on = models.DateField(_("sinds"), default=timezone.localdate)
    ended_on = models.DateField(_("tot en met"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["m", "started_on", "pk"]
        constraints = [
            # The database refuses money to the municipality too, whatever code writes it.
            models.CheckConstraint(
                condition=~(Q(m="money") & Q(recipient="municipality")),
                name="no_money_to_municipality",
            )
        ]
