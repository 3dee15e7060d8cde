"""Slack refusals only a person can fix, as the outbox records them and `/healthz` reads them.

The deliverer (``hiring_bot.slack.slack_problems``) writes such a refusal into the row's
``last_error`` as ``"slack: CODE (permanent): FIX"`` and parks the row; any process reads it back
from the database here, so the web process reports what the clock process met.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import OutboxMessage
from hiring_bot.outbox.kinds import OutboxStatus

PERMANENT_MARK = " (permanent): "


def permanent_error(code: str, fix: str) -> str:
    """The ``last_error`` of a row parked on a refusal only a person can fix."""
    return f"slack: {code}{PERMANENT_MARK}{fix}"


def current_slack_problem(session: Session | Connection) -> str | None:
    """What blocks delivery right now ("CODE: FIX"), from the newest parked row; None if nothing.

    A row stops counting once it is delivered (its ``last_error`` is cleared) or given up on.
    """
    last_error = session.scalar(
        select(OutboxMessage.last_error)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.last_error.like(f"slack: %{PERMANENT_MARK}%"),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if not last_error:
        return None
    code, _, fix = last_error.removeprefix("slack: ").partition(PERMANENT_MARK)
    return f"{code}: {fix}"


def already_parked(session: Session, *, last_error: str) -> bool:
    """Whether a pending row already waits on this same refusal (it was said when it began)."""
    found = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.last_error == last_error,
        )
        .limit(1)
    )
    return found is not None
