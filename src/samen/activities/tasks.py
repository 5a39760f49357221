"""Scheduled work of the activity hub, as Django tasks (enqueued daily by `samen schedule`)."""

from django_tasks import task

from . import services


@task()
def refresh_all_feeds() -> dict:
    return services.refresh_all_feeds()


@task()
def extend_horizon() -> int:
    return services.extend_horizon()
