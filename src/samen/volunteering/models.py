"""Volunteering: needs of social organisations, volunteers (employees in a company programme
and MDT youth), proposals from the matching, hours and outcomes."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Organisation, TenantModel


class SoftSkill(models.TextChoices):
    EMPATHY = "empathy", _("Empathisch vermogen")
    PATIENCE = "patience", _("Geduld")
    LISTENING = "listening", _("Goed luisteren")
    HUMOUR = "humour", _("Humor")
    RELIABILITY = "reliability", _("Betrouwbaar")
    CALM = "calm", _("Rustig")
    ENTHUSIASM = "enthusiasm", _("Enthousiast")
    SOCIAL = "social", _("Makkelijk in contact")
    FLEXIBILITY = "flexibility", _("Flexibel")
    ENCOURAGING = "encouraging", _("Kan mensen aanmoedigen")


class Skill(models.TextChoices):
    COOKING = "cooking", _("Koken")
    DRIVING = "driving", _("Autorijden")
    DIGITAL = "digital", _("Digitale vaardigheden")
    SPORT = "sport", _("Sport en bewegen")
    LANGUAGE_TEACHING = "language_teaching", _("Taal uitleggen")
    GUIDING = "guiding", _("Rondleiden")
    ART = "art", _("Kunst en cultuur")
    FIRST_AID = "first_aid", _("EHBO")
    ORGANISING = "organising", _("Organiseren")
    MUSIC = "music", _("Muziek")


class Interest(models.TextChoices):
    ELDERLY = "elderly", _("Ouderen")
    YOUTH = "youth", _("Jongeren")
    NEWCOMERS = "newcomers", _("Nieuwkomers")
    CULTURE = "culture", _("Cultuur en musea")
    SPORT = "sport", _("Sport")
    FOOD = "food", _("Samen eten")
    NATURE = "nature", _("Natuur en wandelen")
    READING = "reading", _("Lezen en taal")
    GAMES = "games", _("Spelletjes")
    TECHNOLOGY = "technology", _("Technologie")


class Language(models.TextChoices):
    DUTCH = "nl", _("Nederlands")
    ENGLISH = "en", _("Engels")
    ARABIC = "ar", _("Arabisch")
    TURKISH = "tr", _("Turks")
    POLISH = "pl", _("Pools")
    TIGRINYA = "ti", _("Tigrinya")
    UKRAINIAN = "uk", _("Oekraïens")
    FRISIAN = "fy", _("Fries")


DAYS = [
    ("mon", _("maandag")),
    ("tue", _("dinsdag")),
    ("wed", _("woensdag")),
    ("thu", _("donderdag")),
    ("fri", _("vrijdag")),
    ("sat", _("zaterdag")),
    ("sun", _("zondag")),
]


class HalfDay(models.TextChoices):
    """The 14 dagdelen of the week (ochtend, middag)."""

    MON_AM = "mon_am", _("maandagochtend")
    MON_PM = "mon_pm", _("maandagmiddag")
    TUE_AM = "tue_am", _("dinsdagochtend")
    TUE_PM = "tue_pm", _("dinsdagmiddag")
    WED_AM = "wed_am", _("woensdagochtend")
    WED_PM = "wed_pm", _("woensdagmiddag")
    THU_AM = "thu_am", _("donderdagochtend")
    THU_PM = "thu_pm", _("donderdagmiddag")
    FRI_AM = "fri_am", _("vrijdagochtend")
    FRI_PM = "fri_pm", _("vrijdagmiddag")
    SAT_AM = "sat_am", _("zaterdagochtend")
    SAT_PM = "sat_pm", _("zaterdagmiddag")
    SUN_AM = "sun_am", _("zondagochtend")
    SUN_PM = "sun_pm", _("zondagmiddag")


def labels(choices, codes) -> list[str]:
    names = dict(choices.choices)
    return [str(names[c]) for c in codes or () if c in names]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_reference() -> str:
    """Opaque id of a need in its URLs: not a sequence number that tells how many there are."""
    return "hv-" + secrets.token_hex(5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Programme(TenantModel):
    """A company volunteering programme (werknemersvrijwilligerswerk): employees of the
    organisation join by invitation link or e-mail domain and get a budget of half-days."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=200)
    half_days_per_employee = models.DecimalField(
        _("dagdelen per medewerker per periode"), max_digits=4, decimal_places=1, default=2
    )
    period_start = models.DateField(_("periode van"))
    period_end = models.DateField(_("periode tot en met"))
    email_domain = models.CharField(
        _("e-maildomein van medewerkers"),
        max_length=100,
        blank=True,
        help_text=_("Bijvoorbeeld telecom.example: wie zich met zo'n adres aanmeldt, doet mee."),
    )
    invite_token = models.CharField(max_length=64, unique=True, default=new_token)
    employees = models.PositiveIntegerField(
        _("aantal medewerkers"),
        default=0,
        help_text=_("Voor het deelnamepercentage; 0 = aantal aangemelde medewerkers."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("programma")
        verbose_name_plural = _("programma's")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def in_period(self, day: dt.date) -> bool:
        return self.period_start <= day <= self.period_end


class Volunteer(TenantModel):
    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Medewerker van een bedrijf")
        MDT = "mdt", _("Jongere in maatschappelijke diensttijd (MDT)")
        RESIDENT = "resident", _("Inwoner")

    class Vog(models.TextChoices):
        NONE = "none", _("Geen VOG")
        REQUESTED = "requested", _("VOG aangevraagd")
        VALID = "valid", _("Geldige VOG")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("programma"),
    )
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=100)
    email = models.EmailField(_("e-mailadres"))
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True)
    parent_name = models.CharField(_("naam ouder of verzorger"), max_length=120, blank=True)
    parent_email = models.EmailField(_("e-mailadres ouder of verzorger"), blank=True)
    # Under 16: the parent confirmed by the link mailed to parent_email (AVG art. 8, UAVG
    # art. 5); until then the volunteer is inactive and never matched.
    parent_confirmed_at = models.DateTimeField(
        _("bevestigd door ouder of verzorger op"), null=True, blank=True
    )
    skills = models.JSONField(_("vaardigheden"), default=list, blank=True)
    soft_skills = models.JSONField(_("soft skills"), default=list, blank=True)
    interests = models.JSONField(_("interesses"), default=list, blank=True)
    availability = models.JSONField(_("beschikbare dagdelen"), default=list, blank=True)
    languages = models.JSONField(_("talen"), default=list, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7)
    max_distance_km = models.PositiveSmallIntegerField(_("maximale reisafstand (km)"), default=5)
    vog = models.CharField(_("VOG"), max_length=10, choices=Vog.choices, default=Vog.NONE)
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("vrijwilliger")
        verbose_name_plural = _("vrijwilligers")
        ordering = ["first_name", "last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "user"],
                condition=models.Q(user__isnull=False),
                name="one_volunteer_profile_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Need(TenantModel):
    """A hulpvraag: what a social organisation needs. The organisation is the expert: it
    approves every match."""

    class Kind(models.TextChoices):
        BUDDY = "buddy", _("Maatje voor een oudere")
        MUSEUM = "museum", _("Begeleiding museumbezoek")
        MEAL = "meal", _("Hulp bij een buurtmaaltijd")
        WALKING_FOOTBALL = "walking_football", _("Begeleider walking voetbal")
        LANGUAGE = "language", _("Taalmaatje")
        OTHER = "other", _("Anders")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Gesloten")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("API")
        SIGNAALPUNT = "signaalpunt", _("Signaalpunt")
        DEMO = "demo", _("Demo")

    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisatie")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beschrijving"))
    skills = models.JSONField(_("vaardigheden"), default=list, blank=True)
    soft_skills = models.JSONField(_("soft skills"), default=list, blank=True)
    interests = models.JSONField(_("thema's"), default=list, blank=True)
    languages = models.JSONField(_("talen"), default=list, blank=True)
    volunteers_needed = models.PositiveSmallIntegerField(_("aantal vrijwilligers"), default=1)
    half_days = models.JSONField(_("dagdelen"), default=list, blank=True)
    recurring = models.BooleanField(_("terugkerend"), default=False)
    schedule = models.CharField(_("wanneer"), max_length=200, blank=True)
    start_date = models.DateField(_("vanaf"), null=True, blank=True)
    end_date = models.DateField(_("tot en met"), null=True, blank=True)
    place = models.CharField(_("plek"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7)
    min_age = models.PositiveSmallIntegerField(_("minimumleeftijd"), default=16)
    vog_required = models.BooleanField(_("VOG verplicht"), default=False)
    half_days_per_match = models.DecimalField(
        _("dagdelen per inzet"), max_digits=3, decimal_places=1, default=1
    )
    hours_per_match = models.DecimalField(
        _("uren per inzet"), max_digits=4, decimal_places=1, default=3
    )
    contact_name = models.CharField(_("contactpersoon"), max_length=120)
    contact_email = models.EmailField(_("e-mail contactpersoon"), blank=True)
    contact_phone = models.CharField(_("telefoon contactpersoon"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.WEB)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("hulpvraag")
        verbose_name_plural = _("hulpvragen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Match(TenantModel):
    """A proposal from the matching: both the organisation and the volunteer must accept.
    A declined match stays, so the pair is never proposed again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Voorstel")
        CONFIRMED = "confirmed", _("Bevestigd")
        DECLINED = "declined", _("Afgewezen")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Nog niet gekozen")
        ACCEPTED = "accepted", _("Akkoord")
        DECLINED = "declined", _("Afgewezen")

    class Helped(models.TextChoices):
        YES = "yes", _("Ja")
        PARTLY = "partly", _("Een beetje")
        NO = "no", _("Nee")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    # Empty once the volunteer was erased: a confirmed match keeps its hours and outcome for
    # the programme's figures, without the person (retention.erase_volunteer detaches it
    # first; deleting a volunteer otherwise deletes their matches).
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, null=True, blank=True, related_name="matches"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    organisation_decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    volunteer_decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    score = models.PositiveSmallIntegerField(_("passend"), default=0)
    breakdown = models.JSONField(default=dict)
    distance_km = models.FloatField(null=True, blank=True)
    half_days = models.DecimalField(max_digits=3, decimal_places=1, default=1)
    proposed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    helped = models.CharField(
        _("heeft het geholpen?"), max_length=10, choices=Helped.choices, blank=True
    )
    people_reached = models.PositiveIntegerField(_("aantal mensen bereikt"), null=True, blank=True)
    outcome_note = models.TextField(_("toelichting"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("koppeling")
        verbose_name_plural = _("koppelingen")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "volunteer"], name="one_match_per_need_and_volunteer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer or _('(verwijderd)')} · {self.need}"


class TimeEntry(TenantModel):
    """Hours of a confirmed match: proposed automatically, confirmed by the organisation,
    correctable by the volunteer (a correction needs confirming again)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Voorgesteld")
        CONFIRMED = "confirmed", _("Bevestigd")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="time_entries")
    date = models.DateField(_("datum"))
    hours = models.DecimalField(_("uren"), max_digits=4, decimal_places=1)
    half_days = models.DecimalField(_("dagdelen"), max_digits=3, decimal_places=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    corrected_by_volunteer = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uren")
        verbose_name_plural = _("uren")
        ordering = ["-date", "-pk"]
