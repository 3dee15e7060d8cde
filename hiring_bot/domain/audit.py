"""Every change to an application is written here: who, what, when, before -> after."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hiring_bot.db.models import AuditEntry, utcnow

SYSTEM = "system"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    application_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add an audit entry to the session; it commits (or rolls back) with the change itself."""
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        action=action,
        application_id=application_id,
        before=before,
        after=after,
        detail=detail[:2000],
    )
    session.add(entry)
    return entry
