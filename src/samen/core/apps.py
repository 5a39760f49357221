from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samen.core"
    label = "core"
    verbose_name = _("Basis")

    def ready(self) -> None:
        from . import capabilities, invitation_subjects, privacy_requests

        capabilities.register(
            capabilities.Capability(
                label=self.label,
                daily_tasks=(
                    "samen.core.tasks.purge_signups",
                    "samen.core.tasks.purge_invitations",
                ),
            )
        )
        privacy_requests.register(invitation_subjects.KIND)
