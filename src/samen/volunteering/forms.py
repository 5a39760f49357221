"""Forms of volunteering. The web pages and the API validate through the same forms, so both
give the same Dutch error for every invalid field."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samen.core.forms import SingleLineInputs
from samen.core.places import PostcodeField

from .models import (
    HalfDay,
    Interest,
    Language,
    Match,
    Need,
    Skill,
    SoftSkill,
    Volunteer,
)


def _checkboxes(label, choices, help_text="", required=False):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        help_text=help_text,
        error_messages={"invalid_choice": _("Kies een van de mogelijkheden.")},
    )


class ProfileForm(SingleLineInputs, forms.Form):
    """The volunteer's profile: what they like to do and when (seed 000: "medewerkers geven
    zelf aan wat ze graag willen doen")."""

    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=100)
    email = forms.EmailField(
        label=_("E-mailadres"),
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
    )
    phone = forms.CharField(label=_("Telefoon"), max_length=30, required=False)
    postcode = PostcodeField(label=_("Postcode"))
    max_distance_km = forms.IntegerField(
        label=_("Hoe ver wil je reizen? (km)"), min_value=1, max_value=50, initial=5
    )
    availability = _checkboxes(
        _("Wanneer kun je?"), HalfDay.choices, _("Kies de dagdelen waarop je meestal kunt."), True
    )
    soft_skills = _checkboxes(
        _("Waar ben je goed in met mensen?"),
        SoftSkill.choices,
        _("Soft skills wegen het zwaarst bij het koppelen."),
    )
    interests = _checkboxes(_("Wat vind je leuk?"), Interest.choices)
    skills = _checkboxes(_("Wat kun je?"), Skill.choices)
    languages = _checkboxes(_("Welke talen spreek je?"), Language.choices)
    vog = forms.ChoiceField(
        label=_("Verklaring omtrent het gedrag (VOG)"),
        choices=Volunteer.Vog.choices,
        initial=Volunteer.Vog.NONE,
    )


class MdtForm(ProfileForm):
    """A young person in maatschappelijke diensttijd (12-30 jaar)."""

    date_of_birth = forms.DateField(
        label=_("Geboortedatum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in, zoals 2008-05-17.")},
    )
    parent_name = forms.CharField(
        label=_("Naam ouder of verzorger"),
        max_length=120,
        required=False,
        help_text=_(
            "Verplicht onder de 16: je ouder of verzorger krijgt een mail en bevestigt je "
            "aanmelding. Daarna doe je mee."
        ),
    )
    parent_email = forms.EmailField(
        label=_("E-mailadres ouder of verzorger"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
    )

    def clean(self):
        """The age and consent rule is the service's (services.check_age); the form shows
        its errors beside the fields."""
        from .services import check_age

        data = super().clean()
        if data.get("date_of_birth") is not None:
            try:
                check_age(data, Volunteer.Kind.MDT)
            except ValidationError as error:
                self.add_error(None, error)
        return data


class NeedForm(forms.Form):
    """A hulpvraag. Start from what the organisation needs; it is the expert (seed 003)."""

    kind = forms.ChoiceField(label=_("Soort hulpvraag"), choices=Need.Kind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Wat is er nodig?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Beschrijf de vraag, niet de persoon: geen namen of adressen."),
    )
    soft_skills = _checkboxes(
        _("Welke soft skills zijn belangrijk?"),
        SoftSkill.choices,
        _("Kies wat echt telt, zoals empathisch vermogen of geduld."),
    )
    interests = _checkboxes(_("Thema's"), Interest.choices)
    skills = _checkboxes(_("Vaardigheden"), Skill.choices)
    languages = _checkboxes(
        _("Talen"), Language.choices, _("Leeg laten als de taal niet uitmaakt.")
    )
    volunteers_needed = forms.IntegerField(
        label=_("Aantal vrijwilligers"), min_value=1, max_value=50, initial=1
    )
    half_days = _checkboxes(
        _("Op welke dagdelen?"), HalfDay.choices, _("Leeg laten als het altijd kan.")
    )
    recurring = forms.BooleanField(
        label=_("Het is terugkerend (bijvoorbeeld wekelijks)"), required=False
    )
    schedule = forms.CharField(
        label=_("Wanneer precies"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: elke dinsdagmiddag van 14 tot 16 uur."),
    )
    start_date = forms.DateField(
        label=_("Vanaf"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in, zoals 2026-05-17.")},
    )
    end_date = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in, zoals 2026-05-17.")},
    )
    place = forms.CharField(label=_("Plek"), max_length=200, required=False)
    postcode = PostcodeField(label=_("Postcode van de plek"))
    min_age = forms.IntegerField(label=_("Minimumleeftijd"), min_value=12, max_value=99, initial=16)
    vog_required = forms.BooleanField(label=_("Een VOG is verplicht"), required=False)
    half_days_per_match = forms.DecimalField(
        label=_("Dagdelen per inzet"),
        min_value=Decimal("0.5"),
        max_value=Decimal("10"),
        decimal_places=1,
        initial=1,
        help_text=_("Wat een medewerker van zijn budget gebruikt (meestal één dagdeel)."),
    )
    hours_per_match = forms.DecimalField(
        label=_("Uren per inzet"),
        min_value=Decimal("0.5"),
        max_value=Decimal("40"),
        decimal_places=1,
        initial=3,
    )
    contact_name = forms.CharField(label=_("Contactpersoon"), max_length=120)
    contact_email = forms.EmailField(
        label=_("E-mail contactpersoon"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
    )
    contact_phone = forms.CharField(
        label=_("Telefoon contactpersoon"), max_length=30, required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("De einddatum ligt voor de begindatum."))
        return data


class HoursForm(forms.Form):
    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in, zoals 2026-05-17.")},
    )
    hours = forms.DecimalField(
        label=_("Uren"), min_value=Decimal("0.5"), max_value=Decimal("24"), decimal_places=1
    )


class OutcomeForm(forms.Form):
    helped = forms.ChoiceField(
        label=_("Heeft het geholpen?"), choices=Match.Helped.choices, widget=forms.RadioSelect
    )
    people_reached = forms.IntegerField(
        label=_("Hoeveel mensen zijn bereikt?"), min_value=0, max_value=100000
    )
    outcome_note = forms.CharField(
        label=_("Toelichting"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
