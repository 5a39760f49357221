"""Background work of workshops, as Django tasks: sending invitations, and the daily
retention of invitees' addresses (run by `samen schedule`)."""

from django_tasks import task

from samen.core.tasks import retention_log

from . import services


@task()
def send_invitations(meeting_id: int) -> int:
    return services.send_invitations(meeting_id=meeting_id)


@task()
def forget_invitees() -> int:
    """Invitees' addresses and names go six months after the meeting (docs/privacy.md)."""
    count = services.forget_invitees()
    retention_log.info("forget_invitees: %d invitations emptied", count)
    return count
