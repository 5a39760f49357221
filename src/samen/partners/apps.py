from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "samen.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from samen.core import privacy_requests, signup

        from . import privacy_requests as subjects
        from . import services

        signup.register(services.PARTNER_SIGNUP, services.SIGNUP_HANDLER)
        privacy_requests.register(subjects.KIND)
