from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "samen.volunteering"
    label = "volunteering"
    verbose_name = _("Vrijwilligerswerk")

    def ready(self) -> None:
        from samen.core import privacy_requests

        from . import privacy_requests as subjects

        privacy_requests.register(subjects.KIND)
