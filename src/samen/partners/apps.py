from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "samen.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from samen.core import capabilities, signup

        from . import demo, selectors, signups

        signup.register(signups.PARTNER_SIGNUP, signups.HANDLER)
        capabilities.register(
            capabilities.Capability(
                label=self.label,
                card=selectors.staff_card,
                kpis=selectors.kpis,
                card_template="partners/staff_card.html",
                demo=demo.load,
                milestones=selectors.milestones,
                navigation=(
                    capabilities.NavEntry(_("Samenwerkingen"), "partners:register", order=20),
                ),
            )
        )
