"""Writers of append-only audit events (one per state transition or write)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    payload: dict[str, Any] | None = None,
    scope: str = "",
) -> AuditEvent:
    """Append one audit event for `obj`. `actor=None` means the system acted."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_repr=(actor_obj.get_username() if actor_obj else "system"),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        payload=payload or {},
        scope=scope or getattr(obj, "audit_scope", ""),
    )


def audit_events_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The timeline of one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor", "content_type")


# Labels of audit actions ("<app>.<action>" → label), registered by each app in its
# AppConfig.ready() so that timelines name what happened in the reader's language.
ACTION_LABELS: dict[str, Any] = {}


def register_action_labels(prefix: str, labels: dict[str, Any]) -> None:
    """Name the audit actions `<prefix>.<key>` for timelines."""
    for key, label in labels.items():
        ACTION_LABELS[f"{prefix}.{key}"] = label


def action_label(action: str) -> Any:
    """The registered label of an audit action, or the action code itself."""
    return ACTION_LABELS.get(action, action)
