"""Forms of partners, with Dutch errors. The web and the API validate through the same rules
(the services raise the same ValidationErrors)."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.forms import DutchForm
from samen.core.places import PostcodeField

from .models import (
    ContactKind,
    DailyRoute,
    FiveM,
    PartnerRole,
    Recipient,
    Sector,
    StarterItem,
    Step,
)
from .scoring import CRITERIA

KVK_RE = re.compile(r"^[0-9]{8}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PartnerForm(DutchForm):
    name = forms.CharField(label=_("Naam van de organisatie"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, initial=Sector.OTHER)
    address = forms.CharField(label=_("Adres"), max_length=200, required=False)
    postcode = PostcodeField(label=_("Postcode"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    kvk_number = forms.CharField(
        label=_("KvK-nummer"), max_length=12, required=False, help_text=_("8 cijfers.")
    )
    contact_name = forms.CharField(label=_("Contactpersoon"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("E-mailadres contactpersoon"), required=False)
    contact_phone = forms.CharField(
        label=_("Telefoon contactpersoon"), max_length=30, required=False
    )
    daily_routes = forms.MultipleChoiceField(
        label=_("Waar komen inwoners deze organisatie tegen?"),
        help_text=_("De dagelijkse routes die bewoners lopen."),
        choices=DailyRoute.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    national_coalition = forms.BooleanField(
        label=_("Lid van de Nationale Coalitie tegen Eenzaamheid (hoofdkantoor of koepel)"),
        required=False,
    )
    image_ok = forms.BooleanField(label=_("Imago ok?"), required=False)
    csr_known = forms.BooleanField(label=_("Mvo-beleid bekend?"), required=False)
    fits_goals = forms.BooleanField(label=_("Past bij de eenzaamheidsdoelen?"), required=False)
    earlier_cooperation = forms.BooleanField(label=_("Eerdere samenwerking?"), required=False)
    warm_contact = forms.BooleanField(label=_("Warm contact?"), required=False)
    shortlisted = forms.BooleanField(label=_("Op de shortlist"), required=False)
    account_holder = forms.ModelChoiceField(
        label=_("Accounthouder"), queryset=None, required=False, empty_label=_("Nog niemand")
    )
    next_contact_on = forms.DateField(
        label=_("Volgend contact"), required=False, widget=DateInput()
    )
    salutation = forms.CharField(
        label=_("Aanhef in e-mails"),
        max_length=120,
        required=False,
        help_text=_("Bijvoorbeeld: Beste Johan. Leeg: 'Beste' en de contactpersoon."),
    )
    compliment = forms.CharField(
        label=_("Compliment"),
        max_length=300,
        required=False,
        help_text=_("Bijvoorbeeld: De Buurtmarkt is altijd actief in de wijk."),
    )
    concrete_request = forms.CharField(
        label=_("Concrete vraag"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notities (intern)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, account_holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_holder"].queryset = account_holders
        self.fields["account_holder"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )
        self.fields["website"].error_messages["invalid"] = _(
            "Vul een webadres in, zoals https://voorbeeld.nl."
        )

    def clean_kvk_number(self) -> str:
        value = re.sub(r"[\s.]", "", self.cleaned_data["kvk_number"])
        if value and not KVK_RE.match(value):
            raise forms.ValidationError(_("Een KvK-nummer heeft 8 cijfers."))
        return value


class ImportForm(DutchForm):
    file = forms.FileField(
        label=_("Bestand (CSV of Excel)"),
        help_text=_(
            "Eerste regel met kolomnamen, zoals: naam, sector, adres, postcode, contactpersoon, "
            "e-mail, telefoon, kvk, nationale coalitie, dagelijkse routes, imago ok, mvo bekend, "
            "past bij eenzaamheidsdoelen, eerdere samenwerking, warm contact."
        ),
        error_messages={"empty": _("Het bestand is leeg.")},
    )


class WeightsForm(DutchForm):
    priority_sectors = forms.MultipleChoiceField(
        label=_("Welke sectoren tellen mee bij 'Sector?'"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    stale_weeks = forms.IntegerField(
        label=_("Herinneren als niemand een partner sprak in (weken)"), min_value=1, max_value=52
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, _field in CRITERIA:
            self.fields[f"weight_{key}"] = forms.IntegerField(
                label=label, min_value=0, max_value=10, help_text=_("0 tot 10; 0 telt niet mee.")
            )
        # Dutch messages for the fields added above.
        for f in self.fields.values():
            f.error_messages["min_value"] = _("Minimaal %(limit_value)s.")
            f.error_messages["max_value"] = _("Maximaal %(limit_value)s.")
            f.error_messages["invalid"] = f.error_messages.get("invalid") or _("Vul een getal in.")
            f.error_messages["required"] = _("Dit veld is verplicht.")

    def weight_fields(self):
        return [self[f"weight_{key}"] for key, _label, _field in CRITERIA]


class StepForm(DutchForm):
    to_step = forms.ChoiceField(label=_("Naar stap"), choices=Step.choices)
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContactForm(DutchForm):
    kind = forms.ChoiceField(label=_("Soort contact"), choices=ContactKind.choices)
    at = forms.DateTimeField(
        label=_("Wanneer"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    starter = forms.MultipleChoiceField(
        label=_("Gespreksstarter: wat is besproken?"),
        choices=StarterItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary = forms.CharField(
        label=_("Verslag"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_contact_on = forms.DateField(
        label=_("Volgend contact"), required=False, widget=DateInput()
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)

    def clean_next_contact_on(self):
        value = self.cleaned_data["next_contact_on"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Het volgende contact ligt in de toekomst."))
        return value


class RolesForm(DutchForm):
    roles = forms.MultipleChoiceField(
        label=_("Wat doet de partner?"),
        choices=PartnerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    public_description = forms.CharField(
        label=_("Wat wij samen doen (openbaar in het register)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OwnProfileForm(RolesForm):
    contact_name = forms.CharField(label=_("Contactpersoon"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("E-mailadres contactpersoon"), required=False)
    contact_phone = forms.CharField(
        label=_("Telefoon contactpersoon"), max_length=30, required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class ContributionForm(DutchForm):
    m = forms.ChoiceField(label=_("Soort bijdrage (5 M's)"), choices=FiveM.choices)
    description = forms.CharField(label=_("Omschrijving"), max_length=300)
    recipient = forms.ChoiceField(
        label=_("Ten goede aan"),
        choices=Recipient.choices,
        initial=Recipient.COALITION,
        required=False,
    )
    recipient_name = forms.CharField(
        label=_("Naam van de stichting of het initiatief"),
        max_length=200,
        required=False,
        help_text=_("Verplicht bij munten (geld)."),
    )
    amount = forms.DecimalField(
        label=_("Bedrag in euro (bij munten)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
    )
    started_on = forms.DateField(label=_("Sinds"), required=False, widget=DateInput())
    ended_on = forms.DateField(label=_("Tot en met"), required=False, widget=DateInput())
    # Required by services.record_contribution, which says so when it is not ticked.
    voluntary = forms.BooleanField(
        label=_(
            "De partner weet dat samenwerking vrijwillig is, nooit exclusief en geen voordeel "
            "geeft bij inkoop of aanbesteding."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )


class JoinForm(DutchForm):
    name = forms.CharField(label=_("Naam van uw bedrijf of organisatie"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, initial=Sector.OTHER)
    kvk_number = forms.CharField(label=_("KvK-nummer"), max_length=12, required=False)
    address = forms.CharField(label=_("Adres"), max_length=200, required=False)
    postcode = PostcodeField(label=_("Postcode"), required=False)
    contact_name = forms.CharField(label=_("Uw naam"), max_length=120)
    contact_email = forms.EmailField(label=_("Uw e-mailadres"))
    contact_phone = forms.CharField(label=_("Uw telefoonnummer"), max_length=30, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Wat zou u willen doen?"),
        choices=PartnerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    message = forms.CharField(
        label=_("Vertel kort wat u al doet of wilt doen"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"))

    clean_kvk_number = PartnerForm.clean_kvk_number


class OfferPointForm(DutchForm):
    title = forms.CharField(label=_("Punt"), max_length=150)
    explanation = forms.CharField(
        label=_("Korte uitleg"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eén of twee zinnen: wat heeft de ondernemer eraan?"),
    )
    hidden = forms.BooleanField(label=_("Verbergen (niet tonen aan ondernemers)"), required=False)


class HoldForm(DutchForm):
    reason = forms.CharField(
        label=_("Waarom laat u deze partner rusten?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Bij twijfel: niet doen. De partner krijgt geen herinneringen meer en staat niet "
            "in de lijst 'niet gesproken' tot u de partner terugneemt."
        ),
    )


def contribution_data(form: ContributionForm) -> dict:
    data = dict(form.cleaned_data)
    data["recipient"] = data.get("recipient") or Recipient.COALITION
    return data


__all__ = [
    "ContactForm",
    "ContributionForm",
    "HoldForm",
    "ImportForm",
    "JoinForm",
    "OfferPointForm",
    "OwnProfileForm",
    "PartnerForm",
    "RolesForm",
    "StepForm",
    "WeightsForm",
]
