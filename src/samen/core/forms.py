from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.forms.widgets import Input
from django.utils.translation import gettext_lazy as _


class SingleLineInputs:
    """Form mixin: a line break in a one-line field (a name, a phone number) can only come from
    a crafted request. Refuse it with a Dutch error instead of storing it, so that it never
    reaches a mail header, a CSV row or an iCalendar line."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if not isinstance(widget, Input) or isinstance(widget, forms.FileInput):
                continue
            value = self.cleaned_data.get(name)  # type: ignore[attr-defined]
            if isinstance(value, str) and ("\r" in value or "\n" in value):
                self.add_error(name, _("Gebruik hier één regel, zonder regeleinde."))  # type: ignore[attr-defined]


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where it names them."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DutchForm(SingleLineInputs, forms.Form):
    """A form whose field errors are in plain Dutch (Django's own are formal or English)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = _("Dit veld is verplicht.")
            f.error_messages["invalid_choice"] = _("Kies een van de mogelijkheden.")
            f.error_messages["max_length"] = _("Dit is te lang: maximaal %(limit_value)d tekens.")
            f.error_messages.setdefault("invalid", _("Deze waarde klopt niet."))
            if isinstance(f, forms.EmailField):
                f.error_messages["invalid"] = _(
                    "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."
                )
            if isinstance(f, forms.DateField | forms.DateTimeField):
                f.error_messages["invalid"] = _("Vul een geldige datum in.")
            if isinstance(f, forms.IntegerField | forms.DecimalField):
                f.error_messages["invalid"] = _("Vul een getal in.")
                f.error_messages["min_value"] = _("Minimaal %(limit_value)s.")
                f.error_messages["max_value"] = _("Maximaal %(limit_value)s.")
                f.error_messages["max_digits"] = _("Dit getal is te groot.")
                f.error_messages["max_decimal_places"] = _("Hooguit twee cijfers achter de komma.")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Gebruikersnaam of wachtwoord klopt niet. Let op hoofdletters."),
        "inactive": _("Dit account is uitgeschakeld."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Gebruikersnaam")
        self.fields["password"].label = _("Wachtwoord")


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"min_length": _("De code heeft 6 cijfers.")},
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Inschakelcode"),
        max_length=40,
        help_text=_("De code die u van de regisseur van uw gemeente of de beheerder kreeg."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=100,
        help_text=_("Waarvoor gebruikt u deze sleutel? Bijvoorbeeld: koppeling met onze website."),
    )
    days = forms.IntegerField(label=_("Geldig (dagen)"), min_value=1, max_value=366, initial=90)


class PrivacySearchForm(SingleLineInputs, forms.Form):
    query = forms.CharField(
        label=_("Zoeken op"),
        max_length=200,
        help_text=_(
            "Wat de betrokkene of het verzoek noemt: een kenmerk, postcode met huisnummer, "
            "naam of e-mailadres. De zoekvraag zelf wordt niet bewaard."
        ),
        error_messages={"required": _("Vul in waarop u wilt zoeken.")},
        # The browser's form history would keep names and addresses searched for.
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PrivacyEraseForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Grond"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies de grond voor het wissen.")},
    )
    confirm = forms.BooleanField(
        label=_("Ik heb de identiteit van de betrokkene vastgesteld. Wissen kan niet ongedaan."),
        error_messages={"required": _("Vink aan dat u dit zeker weet.")},
    )

    def __init__(self, *args, **kwargs):
        from .privacy_requests import Ground

        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = Ground.choices


def _staff_role_choices():
    from .roles import Role

    return Role.choices


def _invite_role_choices():
    return [("", _("Kies een rol")), *_staff_role_choices()]


class InviteForm(DutchForm):
    email = forms.EmailField(label=_("E-mailadres"), max_length=254)
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=_invite_role_choices)
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=None,
        required=False,
        empty_label=_("Geen organisatie"),
        help_text=_("Alleen voor een partner, programmamanager of vrijwilliger."),
        error_messages={"invalid_choice": _("Kies een organisatie van uw gemeente.")},
    )

    def __init__(self, *args, **kwargs):
        from .models import Organisation

        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.order_by("name")  # the municipality's scope
        field.error_messages["invalid_choice"] = _("Kies een organisatie van uw gemeente.")


class RoleForm(DutchForm):
    role = forms.ChoiceField(label=_("Rol"), choices=_staff_role_choices)
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=None,
        required=False,
        empty_label=_("Geen organisatie"),
        help_text=_("Alleen voor een partner, programmamanager of vrijwilliger."),
    )

    def __init__(self, *args, **kwargs):
        from .models import Organisation

        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.order_by("name")
        field.error_messages["invalid_choice"] = _("Kies een organisatie van uw gemeente.")


class ForgotPasswordForm(PasswordResetForm):
    """Django's form; the e-mail goes through services.mail_password_reset (SITE_URL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Uw e-mailadres")
        self.fields["email"].error_messages["invalid"] = _(
            "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."
        )
        self.fields["email"].error_messages["required"] = _("Vul uw e-mailadres in.")

    def save(self, *args, send: bool = True, **kwargs) -> None:
        from . import account_services as services

        if not send:
            return
        for user in self.get_users(self.cleaned_data["email"]):
            services.mail_password_reset(user)


class DutchSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nieuw wachtwoord")
        self.fields["new_password2"].label = _("Nieuw wachtwoord (nog een keer)")
        for field in self.fields.values():
            field.error_messages["required"] = _("Dit veld is verplicht.")


class DutchPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Huidig wachtwoord")
        self.fields["new_password1"].label = _("Nieuw wachtwoord")
        self.fields["new_password2"].label = _("Nieuw wachtwoord (nog een keer)")
        for field in self.fields.values():
            field.error_messages["required"] = _("Dit veld is verplicht.")
