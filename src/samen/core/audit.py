"""The audit helper every app calls: `record(...)` appends one row to the audit log."""

from contextvars import ContextVar
from typing import Any

from django.db import models

from .models import AuditEvent, AuditEventCase, Municipality

# How the current request came in: {"via": "web"|"api", "auth": "session"|"token"}; set by
# core.middleware.AuditChannelMiddleware, empty outside a request (commands, tasks).
CHANNEL: ContextVar[dict | None] = ContextVar("samen_audit_channel", default=None)


def record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    municipality: Municipality | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append who did `action` to `obj`. Anonymous actors (the public, the API without a
    user) are stored as None. Reads of sensitive records are recorded with action "*.read"."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if municipality is None and obj is not None:
        municipality = getattr(obj, "municipality", None)
    channel = CHANNEL.get()
    if channel:
        # A caller's own `via` (the queue's older parameter) is kept as `queue_via`.
        if "via" in detail:
            detail["queue_via"] = detail.pop("via")
        detail.update(channel)
    event = AuditEvent.objects.create(
        municipality=municipality,
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )
    cases = detail.get("cases") or []
    if cases:
        AuditEventCase.objects.bulk_create(
            [AuditEventCase(event=event, case_id=int(pk)) for pk in cases]
        )
    return event
