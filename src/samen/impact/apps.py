from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "samen.impact"
    label = "impact"
    verbose_name = _("Impact")

    def ready(self) -> None:
        from samen.core import capabilities

        from . import selectors

        capabilities.register(capabilities.Capability(label=self.label, card=selectors.staff_card))
