"""Scheduled work of the Signaalpunt, as Django tasks (run by `samen schedule`)."""

from django_tasks import task

from samen.core.tasks import retention_log

from . import services


@task()
def anonymise_expired_cases() -> int:
    count = services.anonymise_expired_cases()
    retention_log.info("anonymise_expired_cases: %d cases anonymised", count)
    return count


@task()
def send_daily_reminders() -> int:
    return services.send_daily_reminders()


@task()
def close_idle_cases() -> int:
    count = services.close_idle_cases()
    retention_log.info("close_idle_cases: %d idle cases closed", count)
    return count
