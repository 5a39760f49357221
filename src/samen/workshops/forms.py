import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.forms import DutchForm
from samen.core.places import PostcodeField

MAX_UPLOAD_BYTES = 5 * 1024 * 1024 + 1  # the longlist import refuses more than 5 MB itself


class MeetingForm(DutchForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Begintijd"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Duur (minuten)"), min_value=15, max_value=600)
    place = forms.CharField(
        label=_("Plaats"),
        max_length=200,
        help_text=_("Bijvoorbeeld: Raadzaal van het gemeentehuis."),
    )
    address = forms.CharField(label=_("Adres"), max_length=200, required=False)
    postcode = PostcodeField(label=_("Postcode"), required=False)
    goal = forms.CharField(
        label=_("Doel"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notities"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Alleen voor uzelf: programma, wie wat doet, wat er mee moet."),
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            starts = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
            if starts.year < 2000 or starts.year > 2100:
                self.add_error("date", _("Vul een geldige datum in."))
            data["starts_at"] = starts
        return data

    def meeting_data(self) -> dict:
        data = self.cleaned_data
        keys = ("title", "starts_at", "duration_minutes", "place", "address", "postcode", "goal")
        return {**{k: data[k] for k in keys}, "notes": data.get("notes", "")}


class _InviteForm(DutchForm):
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    message = forms.CharField(
        label=_("Tekst van de uitnodiging"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Onder de tekst zetten we de datum, tijd en plaats, en de link waarmee de genodigde "
            "ja of nee antwoordt."
        ),
    )


ADDRESS_SPLIT = re.compile(r"[\s,;]+")


class ColleaguesForm(_InviteForm):
    emails = forms.CharField(
        label=_("E-mailadressen van collega's"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Eén of meer adressen, gescheiden door een komma of een nieuwe regel."),
    )
    field_order = ["emails", "subject", "message"]

    def clean_emails(self) -> list[str]:
        found = [e for e in ADDRESS_SPLIT.split(self.cleaned_data["emails"]) if e]
        if not found:
            raise forms.ValidationError(_("Vul een of meer e-mailadressen in."))
        return list(dict.fromkeys(e.lower() for e in found))


class PartnersForm(_InviteForm):
    partners = forms.TypedMultipleChoiceField(
        label=_("Partners"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies een of meer partners.")},
    )
    field_order = ["partners", "subject", "message"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = choices
        self.fields["partners"].error_messages["required"] = _("Kies een of meer partners.")


class OutcomeForm(DutchForm):
    outcome = forms.CharField(
        label=_("Opbrengst"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class LonglistForm(DutchForm):
    file = forms.FileField(
        label=_("Longlist (CSV of Excel)"),
        help_text=_(
            "Eerste regel met kolomnamen, in elk geval 'naam'; verder bijvoorbeeld sector, "
            "adres, postcode, contactpersoon, e-mail, imago ok, mvo bekend, past bij "
            "eenzaamheidsdoelen, eerdere samenwerking, warm contact."
        ),
        error_messages={"empty": _("Het bestand is leeg.")},
    )
