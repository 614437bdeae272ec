"""The audit trail: every change, sign-in and export leaves an event. Events are never edited."""

from sqlmodel import Session

from app.models import AuditEvent
from app.services.permissions import Actor


def record(
    session: Session,
    *,
    by: Actor,
    verb: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
) -> AuditEvent:
    """Add an event to the caller's transaction (it is committed with the change it describes)."""
    event = AuditEvent(
        user_id=by.user_id,
        actor=by.label,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:4000],
    )
    session.add(event)
    return event


def describe_changes(changes: dict) -> str:
    """A short summary of changed fields for the audit trail."""
    parts = []
    for key, value in changes.items():
        text = repr(value)
        parts.append(f"{key}={text[:80] + '…' if len(text) > 80 else text}")
    return ", ".join(parts)
