"""The audit helper every app calls: `record(...)` appends one row to the audit log."""

from typing import Any

from django.db import models

from .models import AuditEvent, Municipality


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
    return AuditEvent.objects.create(
        municipality=municipality,
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )
