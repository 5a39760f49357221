from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "samen.concerns"
    label = "concerns"
    verbose_name = _("Signaalpunt")

    def ready(self) -> None:
        from samen.core import capabilities, privacy_requests
        from samen.volunteering.services import register_cases_of_needs

        from . import demo, selectors
        from . import privacy_requests as subjects

        register_cases_of_needs(selectors.cases_of_needs)
        privacy_requests.register(subjects.KIND)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_summary,
                card_template="concerns/staff_card.html",
                kpis=selectors.kpis,
                demo=demo.load,
                daily_tasks=(
                    "samen.concerns.tasks.send_daily_reminders",
                    "samen.concerns.tasks.close_idle_cases",
                    "samen.concerns.tasks.anonymise_expired_cases",
                ),
                navigation=(
                    capabilities.NavEntry(_("Zorgen over iemand?"), "concerns:report", order=30),
                ),
                home_cards=("concerns/home_card.html",),
                overview_link=capabilities.NavEntry(
                    _("Zorgen over iemand? Geef een signaal door"), "concerns:report"
                ),
            )
        )
