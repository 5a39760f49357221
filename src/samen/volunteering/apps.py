from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "samen.volunteering"
    label = "volunteering"
    verbose_name = _("Vrijwilligerswerk")

    def ready(self) -> None:
        from samen.core import capabilities, privacy_requests

        from . import demo, selectors
        from . import privacy_requests as subjects

        privacy_requests.register(subjects.KIND)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_card,
                kpis=selectors.kpis,
                demo=demo.load,
                daily_tasks=("samen.volunteering.tasks.delete_idle_volunteers",),
                milestones=selectors.milestones,
            )
        )
