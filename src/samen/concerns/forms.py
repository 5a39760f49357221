"""The report form. The public page and the API validate through the same form, so both give
the same Dutch error for every invalid field."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.core.forms import SingleLineInputs
from samen.core.models import User
from samen.core.places import PostcodeField

from .models import Case, Outcome, PersonAware, Referral, Relation, ReporterType, Sign, Status

HOUSE_NUMBER_RE = re.compile(r"^[1-9][0-9]{0,4}\s?[A-Za-z0-9\-]{0,6}$")


class ReportForm(SingleLineInputs, forms.Form):
    immediate_danger = forms.BooleanField(
        label=_("Er is nu direct gevaar voor de persoon of voor anderen"),
        required=False,
    )
    # Honeypot: hidden from people, filled in by bots. A filled-in form is not stored.
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"))
    signs = forms.MultipleChoiceField(
        label=_("Wat is u opgevallen?"),
        help_text=_("Kies wat u herkent. Meer dan één mag."),
        choices=Sign.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(
        label=_("Vertel wat u ziet of hoort"),
        help_text=_("Bijvoorbeeld: sinds twee weken zie ik mevrouw niet meer boodschappen doen."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )
    postcode = PostcodeField(
        label=_("Postcode"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 8}),
    )
    house_number = forms.CharField(
        label=_("Huisnummer"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 6}),
    )
    street = forms.CharField(label=_("Straat"), max_length=120, required=False)
    location_description = forms.CharField(
        label=_("Of beschrijf waar de persoon woont"),
        help_text=_(
            "Als u het adres niet weet. Bijvoorbeeld: bovenwoning boven de bakker op het Marktplein."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )
    person_name = forms.CharField(
        label=_("Naam van de persoon (als u die weet)"), max_length=120, required=False
    )
    relation = forms.ChoiceField(
        label=_("Hoe kent u de persoon?"), choices=[("", "—"), *Relation.choices], required=False
    )
    person_aware = forms.ChoiceField(
        label=_("Weet de persoon dat u dit doorgeeft?"),
        choices=PersonAware.choices,
        initial=PersonAware.UNKNOWN,
        widget=forms.RadioSelect,
        required=False,
    )
    reporter_type = forms.ChoiceField(
        label=_("Waar werkt u?"),
        choices=ReporterType.choices,
        initial=ReporterType.OTHER,
        required=False,
    )
    reporter_name = forms.CharField(label=_("Uw naam"), max_length=120, required=False)
    reporter_phone = forms.CharField(
        label=_("Uw telefoonnummer"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    reporter_email = forms.EmailField(
        label=_("Uw e-mailadres"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_house_number(self) -> str:
        value = self.cleaned_data["house_number"].strip()
        if value and not HOUSE_NUMBER_RE.match(value):
            raise forms.ValidationError(_("Vul een huisnummer in, zoals 7 of 12A."))
        return value.upper().replace(" ", "")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("signs") and not data.get("description", "").strip():
            self.add_error(
                "description", _("Kies wat u is opgevallen of vertel het in uw eigen woorden.")
            )
        postcode, number = data.get("postcode"), data.get("house_number")
        if postcode and not number:
            self.add_error("house_number", _("Vul ook het huisnummer in."))
        elif number and not postcode:
            self.add_error("postcode", _("Vul ook de postcode in."))
        elif (
            not postcode
            and not data.get("location_description", "").strip()
            and not data.get("street")
        ):
            self.add_error(
                "postcode", _("Vul postcode en huisnummer in, of beschrijf waar de persoon woont.")
            )
        data["person_aware"] = data.get("person_aware") or PersonAware.UNKNOWN
        data["reporter_type"] = data.get("reporter_type") or ReporterType.OTHER
        return data


# The same Dutch messages on every field, set once rather than on each form instance.
for _field in ReportForm.base_fields.values():
    _field.error_messages["invalid_choice"] = _("Kies een van de mogelijkheden.")
    _field.error_messages["max_length"] = _(
        "Dit is te lang: maximaal %(limit_value)d tekens (nu %(show_value)d)."
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Behandelaar"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Niemand"),
    )

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = caseworkers


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Nieuwe status"),
        choices=Status.choices,
        error_messages={
            "invalid_choice": _("Deze stap kan nu niet. Kies een van de mogelijke stappen.")
        },
    )
    outcome = forms.ChoiceField(
        label=_("Uitkomst (bij afsluiten)"), choices=[("", "—"), *Outcome.choices], required=False
    )
    referral = forms.ChoiceField(
        label=_("Overgedragen aan (bij overdracht)"),
        choices=[("", "—"), *Referral.choices],
        required=False,
    )
    activity = forms.TypedChoiceField(
        label=_("Welke activiteit (bij overdracht naar een activiteit)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Activiteiten van de komende maand, dichtstbij eerst."),
    )
    note = forms.CharField(
        label=_("Notitie"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    handover_text = forms.CharField(
        label=_("Tekst voor de ontvangende organisatie (bij overdracht)"),
        help_text=_(
            "Alleen dit gaat naar de organisatie, met het postcodegebied; de notitie blijft "
            "bij het Signaalpunt. Schrijf geen naam, adres, telefoon of gezondheid."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in case.allowed_transitions()]
        if Status.HANDED_OVER in case.allowed_transitions():
            from samen.activities.selectors import suggest_for_referral

            self.fields["activity"].choices = [("", "—"), *suggest_for_referral(case.postcode)]
        else:
            del self.fields["activity"]

    def clean(self):
        data = super().clean()
        if data.get("activity") and data.get("referral") != Referral.ACTIVITY:
            self.add_error("activity", _("Kies 'Naar een activiteit' als u een activiteit kiest."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Notitie"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
