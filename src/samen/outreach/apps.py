from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "samen.outreach"
    label = "outreach"
    verbose_name = _("E-mail en nieuwsbrief")

    def ready(self) -> None:
        from samen.core import capabilities, privacy_requests

        from . import demo
        from . import privacy_requests as subjects

        privacy_requests.register(subjects.KIND)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                demo=demo.load,
                daily_tasks=(
                    # Each decides itself whether today is the day (Mondays; September).
                    "samen.outreach.tasks.send_contact_reminders",
                    "samen.outreach.tasks.week_against_loneliness_reminder",
                    "samen.outreach.tasks.resume_deliveries",
                    "samen.outreach.tasks.purge_newsletter_addresses",
                ),
            )
        )
