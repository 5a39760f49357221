from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "samen.activities"
    label = "activities"
    verbose_name = _("Activiteiten")

    def ready(self) -> None:
        from samen.core import signup

        from . import services

        signup.register(services.JOIN, services.SIGNUP_HANDLER)
