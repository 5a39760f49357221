import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.core.forms import SingleLineInputs
from samen.core.places import PostcodeField

from .calendar import AMSTERDAM
from .models import Activity, Audience, Category

REPEAT_CHOICES = [
    ("", _("Eenmalig")),
    ("FREQ=WEEKLY", _("Elke week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Om de week")),
    ("MONTHLY_NTH", _("Elke maand op dezelfde weekdag (bijv. 2e dinsdag)")),
    ("FREQ=MONTHLY", _("Elke maand op dezelfde datum")),
]
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class ActivityForm(forms.ModelForm):
    date = forms.DateField(
        label=_("Datum (eerste keer)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in.")},
    )
    start_time = forms.TimeField(
        label=_("Begintijd"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Vul een tijd in, zoals 10:00.")},
    )
    end_time = forms.TimeField(
        label=_("Eindtijd"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Vul een tijd in, zoals 12:00.")},
    )
    repeat = forms.ChoiceField(label=_("Herhalen"), choices=REPEAT_CHOICES, required=False)
    postcode = PostcodeField(label=_("Postcode"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Soort activiteit"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    audience = forms.MultipleChoiceField(
        label=_("Voor wie"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    url = forms.URLField(
        label=_("Website"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Vul een geldig webadres in, zoals https://www.voorbeeld.nl.")
        },
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "categories",
            "audience",
            "venue",
            "address",
            "postcode",
            "is_free",
            "cost",
            "wheelchair",
            "hearing_loop",
            "transport",
            "companion_welcome",
            "signup_required",
            "contact",
            "url",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.starts_at:
            local = instance.starts_at.astimezone(AMSTERDAM)
            self.initial.setdefault("date", local.date())
            self.initial.setdefault("start_time", local.time().replace(second=0))
            if instance.ends_at:
                self.initial.setdefault("end_time", instance.ends_at.astimezone(AMSTERDAM).time())
            rrule = instance.rrule
            self.initial.setdefault(
                "repeat", "MONTHLY_NTH" if "BYDAY=" in rrule and "MONTHLY" in rrule else rrule
            )
        self.fields["title"].error_messages["required"] = _("Geef de activiteit een titel.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        starts = dt.datetime.combine(data["date"], data["start_time"], tzinfo=AMSTERDAM)
        ends = (
            dt.datetime.combine(data["date"], data["end_time"], tzinfo=AMSTERDAM)
            if data.get("end_time")
            else None
        )
        if ends and ends <= starts:
            self.add_error("end_time", _("De eindtijd ligt voor de begintijd."))
        if not data.get("is_free") and data.get("cost") is None:
            self.add_error("cost", _("Vul de kosten in, of vink 'gratis' aan."))
        repeat = data.get("repeat", "")
        if repeat == "MONTHLY_NTH":
            nth = (data["date"].day - 1) // 7 + 1
            repeat = f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAY_CODES[data['date'].weekday()]}"
        elif repeat.startswith("FREQ=WEEKLY"):
            repeat += f";BYDAY={WEEKDAY_CODES[data['date'].weekday()]}"
        data["starts_at"], data["ends_at"], data["rrule"] = starts, ends, repeat
        return data

    def activity_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data.update(
            starts_at=self.cleaned_data["starts_at"],
            ends_at=self.cleaned_data["ends_at"],
            rrule=self.cleaned_data["rrule"],
        )
        return data


class JoinForm(SingleLineInputs, forms.Form):
    name = forms.CharField(
        label=_("Naam van uw organisatie"),
        max_length=200,
        error_messages={"required": _("Vul de naam van uw organisatie in.")},
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        help_text=_("Hier sturen we een link om uw aanmelding te bevestigen."),
        error_messages={
            "required": _("Vul een e-mailadres in."),
            "invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
        },
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Vul een geldig webadres in, zoals https://www.voorbeeld.nl.")
        },
    )
    feed_url = forms.CharField(
        label=_("Adres van uw agenda of nieuws (als u dat heeft)"),
        required=False,
        max_length=500,
        help_text=_(
            "Een iCalendar- of webcal-link, een RSS-feed of de pagina met uw activiteiten."
        ),
    )
    website_check = forms.CharField(required=False)  # honeypot

    def clean_feed_url(self) -> str:
        value = self.cleaned_data["feed_url"].strip()
        if value and not value.startswith(("http://", "https://", "webcal://")):
            raise forms.ValidationError(
                _("Vul een webadres in dat begint met https://, http:// of webcal://.")
            )
        return value


class FeedForm(forms.Form):
    url = forms.CharField(label=_("Adres van de agenda of feed"), max_length=500)

    def clean_url(self) -> str:
        value = self.cleaned_data["url"].strip()
        if not value.startswith(("http://", "https://", "webcal://")):
            raise forms.ValidationError(
                _("Vul een webadres in dat begint met https://, http:// of webcal://.")
            )
        return value
