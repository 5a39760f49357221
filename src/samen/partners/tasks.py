"""Tasks queued before issue #13 name `samen.partners.tasks.*`; the worker imports them by that
path. They are outreach's now: these names keep such queued tasks running. Remove once no
task with these paths is left in the queue."""

from samen.outreach.tasks import (  # noqa: F401
    deliver_emails,
    purge_newsletter_addresses,
    resume_deliveries,
    send_contact_reminders,
    week_against_loneliness_reminder,
)
