"""Scheduled work of volunteering, as Django tasks (run daily by `samen schedule`)."""

from django_tasks import task

from . import services


@task()
def delete_idle_volunteers() -> int:
    """Retention: idle volunteers, MDT records at 31 or when MDT ended, and under-16s whose
    parent did not confirm (services.delete_idle_volunteers)."""
    return services.delete_idle_volunteers()
