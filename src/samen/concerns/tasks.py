"""Scheduled work of the Signaalpunt, as Django tasks (run by `samen schedule`)."""

from django_tasks import task

from . import services


@task()
def anonymise_expired_cases() -> int:
    return services.anonymise_expired_cases()


@task()
def send_daily_reminders() -> int:
    return services.send_daily_reminders()


@task()
def close_idle_cases() -> int:
    return services.close_idle_cases()
