"""Background work of outreach, as Django tasks: e-mail delivery from the outbox and the
scheduled reminders (run daily by `samen schedule`; each decides itself whether today is
the day)."""

from django_tasks import task

from samen.core.tasks import retention_log

from . import services


@task()
def deliver_emails(campaign_id: int | None = None, newsletter_id: int | None = None) -> int:
    return services.deliver_emails(campaign_id=campaign_id, newsletter_id=newsletter_id)


@task()
def send_contact_reminders() -> int:
    """Mondays: each account holder gets the partners nobody spoke to in N weeks."""
    return services.send_contact_reminders()


@task()
def week_against_loneliness_reminder() -> int:
    """September, once a year: the Week tegen Eenzaamheid (first week of October) is coming."""
    return services.week_against_loneliness_reminder()


@task()
def resume_deliveries() -> int:
    """Re-enqueue outboxes whose worker was killed before it finished."""
    return services.resume_deliveries()


@task()
def purge_newsletter_addresses() -> int:
    """Subscriptions never confirmed are deleted after a week (issue #12)."""
    count = services.purge_newsletter_addresses()
    retention_log.info("purge_newsletter_addresses: %d unconfirmed subscriptions deleted", count)
    return count
