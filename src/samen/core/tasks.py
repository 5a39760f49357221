"""Background work of the core, as Django tasks (run daily by `samen schedule`)."""

import logging

from django_tasks import task

from . import account_services, signup

# Every retention rule logs how many rows it removed here (at INFO, whatever LOG_LEVEL says).
retention_log = logging.getLogger("samen.retention")


@task()
def purge_signups() -> int:
    """Unconfirmed and finished sign-ups are deleted after a week, held ones after 30 days."""
    count = signup.purge()
    retention_log.info("purge_signups: %d sign-ups deleted", count)
    return count


@task()
def purge_invitations() -> int:
    """Invitations 30 days after they lapsed; deactivated memberships after a year."""
    count = account_services.purge_invitations()
    retention_log.info("purge_invitations: %d invitations and deactivations deleted", count)
    return count
