"""Forms of outreach, with Dutch errors (the same base as the partners' forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.core.forms import DutchForm
from samen.partners.selectors import Step

from .models import EmailTemplate


class TemplateForm(DutchForm):
    name = forms.CharField(label=_("Naam"), max_length=120)
    purpose = forms.ChoiceField(label=_("Doel"), choices=EmailTemplate.Purpose.choices)
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    body = forms.CharField(
        label=_("Tekst"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Velden: {aanhef}, {organisatie}, {compliment}, {verzoek}, {afzender}, {gemeente}."
        ),
    )


class CampaignForm(DutchForm):
    SELECTIONS = [
        ("one", _("Alleen deze partner")),
        ("shortlist", _("Alle partners op de shortlist")),
        ("step", _("Alle partners in een stap")),
        ("all", _("De hele longlist")),
    ]
    template = forms.ModelChoiceField(label=_("Sjabloon"), queryset=None, empty_label=None)
    selection = forms.ChoiceField(label=_("Aan wie"), choices=SELECTIONS, widget=forms.RadioSelect)
    step = forms.ChoiceField(
        label=_("Stap (bij 'in een stap')"), choices=Step.choices, required=False
    )
    sender = forms.CharField(
        label=_("Afzender (naam, functie, contactgegevens)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    default_request = forms.CharField(
        label=_("Concrete vraag (als de partner geen eigen vraag heeft)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, templates, chosen: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["template"].error_messages["invalid_choice"] = _("Kies een sjabloon.")
        if not chosen:
            self.fields["selection"].choices = self.SELECTIONS[1:]
        elif chosen > 1:
            one = ("one", _("De %(n)d gekozen partners") % {"n": chosen})
            self.fields["selection"].choices = [one, *self.SELECTIONS[1:]]


class NewsletterForm(DutchForm):
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    body = forms.CharField(
        label=_("Tekst"), max_length=50000, widget=forms.Textarea(attrs={"rows": 18})
    )


class SubscribeForm(DutchForm):
    email = forms.EmailField(label=_("Uw e-mailadres"))
    name = forms.CharField(label=_("Uw naam"), max_length=120, required=False)
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"))
