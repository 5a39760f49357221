"""`samen schedule` says per task what it did, and every retention rule logs its count."""

import datetime as dt
import io
import logging

from django.core.management import call_command
from django.utils import timezone

from samen.core.models import Signup


def test_schedule_prints_how_many_rows_each_task_handled(samenstad, unscoped, caplog):
    old = timezone.now() - dt.timedelta(days=8)
    for n in range(2):
        Signup.objects.create(
            municipality=samenstad,
            purpose="agenda",
            email=f"x{n}@example.org",
            token_hash=f"{n:064d}",
            created_at=old,
        )
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="samen.retention"):
        call_command("schedule", stdout=out)
    lines = out.getvalue().splitlines()
    assert "samen.core.tasks.purge_signups: SUCCESSFUL, 2" in lines
    assert "samen.concerns.tasks.anonymise_expired_cases: SUCCESSFUL, 0" in lines
    assert "samen.outreach.tasks.purge_newsletter_addresses: SUCCESSFUL, 0" in lines
    logged = [r.getMessage() for r in caplog.records if r.name == "samen.retention"]
    assert "purge_signups: 2 sign-ups deleted" in logged
    assert "anonymise_expired_cases: 0 cases anonymised" in logged
    assert "close_idle_cases: 0 idle cases closed" in logged
    assert "purge_newsletter_addresses: 0 unconfirmed subscriptions deleted" in logged
