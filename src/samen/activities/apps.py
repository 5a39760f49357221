from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "samen.activities"
    label = "activities"
    verbose_name = _("Activiteiten")

    def ready(self) -> None:
        from samen.core import capabilities, signup

        from . import demo, selectors, services

        signup.register(services.JOIN, services.SIGNUP_HANDLER)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_card,
                kpis=selectors.kpis,
                demo=demo.load,
                daily_tasks=(
                    "samen.activities.tasks.refresh_all_feeds",
                    "samen.activities.tasks.extend_horizon",
                ),
                navigation=(capabilities.NavEntry(_("Agenda"), "activities:agenda", order=10),),
                home_cards=("activities/home_card.html", "activities/home_join_card.html"),
                milestones=selectors.milestones,
            )
        )
