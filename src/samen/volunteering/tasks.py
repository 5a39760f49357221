"""Scheduled work of volunteering, as Django tasks (run daily by `samen schedule`)."""

from django_tasks import task

from samen.core.tasks import retention_log

from . import retention


@task()
def delete_idle_volunteers() -> int:
    """Retention: idle volunteers, MDT records at 31 or when MDT ended, and under-16s whose
    parent did not confirm (retention.delete_idle_volunteers)."""
    count = retention.delete_idle_volunteers()
    retention_log.info("delete_idle_volunteers: %d volunteers deleted", count)
    return count
