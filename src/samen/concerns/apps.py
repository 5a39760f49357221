from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "samen.concerns"
    label = "concerns"
    verbose_name = _("Signaalpunt")

    def ready(self) -> None:
        from samen.core import privacy_requests
        from samen.volunteering.services import register_cases_of_needs

        from . import privacy_requests as subjects
        from .selectors import cases_of_needs

        register_cases_of_needs(cases_of_needs)
        privacy_requests.register(subjects.KIND)
