from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "samen.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from samen.core import capabilities, privacy_requests, signup

        from . import demo, selectors, services
        from . import privacy_requests as subjects

        signup.register(services.PARTNER_SIGNUP, services.SIGNUP_HANDLER)
        privacy_requests.register(subjects.KIND)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_card,
                kpis=selectors.kpis,
                demo=demo.load,
                daily_tasks=(
                    # Each decides itself whether today is the day (Mondays; September).
                    "samen.partners.tasks.send_contact_reminders",
                    "samen.partners.tasks.week_against_loneliness_reminder",
                    "samen.partners.tasks.resume_deliveries",
                    "samen.partners.tasks.purge_newsletter_addresses",
                ),
                navigation=(
                    capabilities.NavEntry(_("Samenwerkingen"), "partners:register", order=20),
                ),
            )
        )
