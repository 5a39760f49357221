"""An app whose registration names a task that does not exist (test_capabilities)."""

from django.apps import AppConfig


class BrokenConfig(AppConfig):
    name = "samen.core.tests.broken_capability"
    label = "broken_capability"

    def ready(self) -> None:
        from samen.core import capabilities

        capabilities.register(
            capabilities.Capability(
                label=self.label, daily_tasks=("samen.core.tasks.no_such_task",)
            )
        )
