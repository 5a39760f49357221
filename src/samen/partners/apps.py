from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "samen.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from samen.core import signup

        from . import services, signups

        signup.register(services.PARTNER_SIGNUP, signups.HANDLER)
