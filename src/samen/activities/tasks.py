"""Background work of the activity hub, as Django tasks: the daily refresh (enqueued by
`samen schedule`) queues one `import_feed` per feed, so the workers import in parallel."""

import dataclasses

from django_tasks import task

from . import services


@task()
def refresh_all_feeds() -> int:
    return services.refresh_all_feeds()


@task()
def import_feed(feed_id: int) -> dict | None:
    result = services.import_feed_by_id(feed_id=feed_id)
    return dataclasses.asdict(result) if result is not None else None


@task()
def extend_horizon() -> int:
    return services.extend_horizon()
