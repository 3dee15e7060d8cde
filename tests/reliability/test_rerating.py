"""Re-rating after seeing the average (issue 10, point 5): allowed, since a reviewer may correct a
slip, but marked in the audit entry and shown in the application's history as such."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import AuditEntry
from hiring_bot.domain import reviews
from hiring_bot.domain.reviews import SAW_AVERAGE, RatingInput
from hiring_bot.slack.cards import audit_line
from tests.slack.review_factories import add_application

NOW = datetime(2018, 1, 15, 17, 0, tzinfo=UTC)
ALICE, BOB = "U0ALICE", "U0BOB"
MARKED = "changed their rating after seeing the average"


def _rate(session: Session, ref: int, actor: str, score: int) -> reviews.Outcome:
    return reviews.rate(session, ref=ref, actor=actor, values=RatingInput(score), now=NOW, quorum=2)


def _updates(session: Session) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rate_update").order_by(AuditEntry.id)
        )
    )


def test_rerating_after_the_average_showed_is_marked_in_audit_and_history(
    session: Session,
) -> None:
    ref = add_application(session)
    _rate(session, ref, BOB, 4)
    shown = _rate(session, ref, ALICE, 1)  # quorum met: Alice's answer shows the average
    assert "average 2.5" in shown.message
    again = _rate(session, ref, ALICE, 4)
    assert "after seeing the average" in again.message
    [entry] = _updates(session)
    assert entry.after is not None
    assert entry.after[SAW_AVERAGE] is True
    assert audit_line(entry, settings=Settings()).verb == MARKED


def test_rerating_before_quorum_is_an_ordinary_update(session: Session) -> None:
    ref = add_application(session)
    _rate(session, ref, ALICE, 1)  # alone: no average shown to anyone
    again = _rate(session, ref, ALICE, 4)
    assert "after seeing the average" not in again.message
    [entry] = _updates(session)
    assert entry.after is not None
    assert SAW_AVERAGE not in entry.after
    assert audit_line(entry, settings=Settings()).verb == "updated their rating"
