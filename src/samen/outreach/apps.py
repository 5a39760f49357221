from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "samen.outreach"
    label = "outreach"
    verbose_name = _("E-mail en nieuwsbrief")

    def ready(self) -> None:
        from samen.core import privacy_requests

        from . import privacy_requests as subjects

        privacy_requests.register(subjects.KIND)
