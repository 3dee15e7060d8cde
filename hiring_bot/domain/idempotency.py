"""One effect per Slack delivery: retries and double submissions are recognised by a key.

The key is written in the same transaction as the effect it guards, so a delivery whose work
failed (rolled back) can be retried, and one that succeeded is never acted on again. The unique
constraint on `processed_events.key` is the guard, which also holds across processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hiring_bot.db.models import ProcessedEvent

MAX_KEY = 300


def event_key(event_id: str) -> str:
    """Events API: Slack resends the same event_id with X-Slack-Retry-Num."""
    return _cap(f"event:{event_id}")


def command_key(trigger_id: str) -> str:
    """A slash command: Slack resends the same form (same trigger_id) with X-Slack-Retry-Num
    when our ack was late; each invocation gets a new trigger_id."""
    return _cap(f"command:{trigger_id}")


def action_key(*, action_ts: str, user_id: str, action_id: str) -> str:
    """A block action: the same click re-delivered carries the same action_ts."""
    return _cap(f"action:{action_id}:{user_id}:{action_ts}")


def view_key(view_id: str, view_hash: str | None = None) -> str:
    """A modal submission.

    A modal closes once a submission succeeds, so its view id alone identifies one effective
    submission; the hash is added only when given, for views the app updates in place.
    """
    suffix = f":{view_hash}" if view_hash else ""
    return _cap(f"view:{view_id}{suffix}")


def first_time(session: Session, *, key: str, now: datetime) -> bool:
    """Record `key`; False when it was recorded before (this delivery is a repeat).

    Runs in a savepoint so a duplicate leaves the caller's transaction usable.
    """
    if session.query(ProcessedEvent.id).filter_by(key=key).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(key=key, created_at=now))
    except IntegrityError:
        # Another worker recorded it between our look and our insert.
        return False
    return True


def prune(session: Session, *, before: datetime) -> int:
    """Forget keys older than `before` (Slack stops retrying after minutes); returns the count."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _cap(key: str) -> str:
    return key[:MAX_KEY]
