from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "samen.workshops"
    label = "workshops"
    verbose_name = _("Bijeenkomsten")

    def ready(self) -> None:
        from samen.core import capabilities, privacy_requests

        from . import demo, selectors
        from . import privacy_requests as subjects

        privacy_requests.register(subjects.KIND)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_card,
                demo=demo.load,
                daily_tasks=("samen.workshops.tasks.forget_invitees",),
            )
        )
