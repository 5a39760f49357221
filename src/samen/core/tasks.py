"""Background work of the core, as Django tasks (run daily by `samen schedule`)."""

from django_tasks import task

from . import signup


@task()
def purge_signups() -> int:
    """Unconfirmed and finished sign-ups are deleted after a week."""
    return signup.purge()
