"""Exactly once: a reminder's key goes into `reminder_ledger` in the transaction that enqueues it.

Each reminder is its own short transaction whose first statement is the ledger INSERT. The unique
key is the guard: a second scheduler (another thread, another process, a retry after a restart)
that planned the same reminder gets an IntegrityError there — Postgres makes it wait for the
first transaction and then refuses, SQLite serialises the writers — and skips it. Because the
outbox row is written in that same transaction, a reminder is recorded if and only if its message
is queued; delivery then goes through the outbox (which retries on its own).

Reminders past their grace are recorded with status "dropped" and logged once, by key only (keys
hold kinds, window ids, dates and Slack user ids — never candidate data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, BotState, ReminderLedger
from hiring_bot.domain import audit
from hiring_bot.domain.claims import free_claim
from hiring_bot.domain.reminder_messages import ClaimRelease, Reminder
from hiring_bot.domain.reminder_schedule import Kind, Slot
from hiring_bot.domain.reminder_state import LAST_DIGEST_KEY, REVIEW_STAGES
from hiring_bot.domain.reminder_views import RenderReminder
from hiring_bot.domain.reminders import Plan
from hiring_bot.outbox import enqueue_card_update, enqueue_message

log = logging.getLogger(__name__)

QUEUED = "queued"
DROPPED = "dropped"
DONE = "done"
SYSTEM = audit.SYSTEM


@dataclass
class DispatchReport:
    sent: list[Reminder] = field(default_factory=list)
    released: list[ClaimRelease] = field(default_factory=list)
    dropped: list[Slot] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # keys someone else recorded first
    outbox_ids: list[int] = field(default_factory=list)

    def merge(self, other: DispatchReport) -> None:
        self.sent += other.sent
        self.released += other.released
        self.dropped += other.dropped
        self.skipped += other.skipped
        self.outbox_ids += other.outbox_ids


def _ledger_row(slot: Slot, *, status: str, at: datetime) -> ReminderLedger:
    return ReminderLedger(
        key=slot.key,
        kind=slot.kind.value,
        window_id=slot.window_id,
        target=slot.target[:32],
        due_at=slot.due_at,
        recorded_at=at,
        status=status,
    )


def _claim_key(session: Session, slot: Slot, *, status: str, at: datetime) -> bool:
    """Insert the ledger row first; False when the key is already there (someone else won)."""
    session.add(_ledger_row(slot, status=status, at=at))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def send_reminder(
    session: Session, reminder: Reminder, *, at: datetime, render: RenderReminder
) -> int | None:
    """Record, render and enqueue one reminder in the caller's fresh transaction; the outbox id.

    The caller commits. None means the key was already recorded (the session is rolled back).
    """
    if not _claim_key(session, reminder.slot, status=QUEUED, at=at):
        return None
    text, blocks = render(reminder.view)
    row = enqueue_message(
        session,
        channel=reminder.target,
        text=text,
        blocks=blocks,
        dedupe_key=reminder.key,
    )
    if reminder.kind is Kind.DIGEST:
        # "New since the last digest" counts from here next time.
        state = session.get(BotState, LAST_DIGEST_KEY)
        if state is None:
            session.add(BotState(key=LAST_DIGEST_KEY, value=at.isoformat(), updated_at=at))
        else:
            state.value = at.isoformat()
            state.updated_at = at
    return row.id


def release_claim(
    session: Session, release: ClaimRelease, *, at: datetime, channel: str | None
) -> list[int] | None:
    """Release one expired claim (audited, noted on the card); outbox ids, or None if not done.

    Re-checked inside the transaction: a claim rated, released or re-claimed since the plan was
    made is left alone (and its key is not recorded).
    """
    if not _claim_key(session, release.slot, status=DONE, at=at):
        return None
    application = session.get(Application, release.application_id)
    still_true = (
        application is not None
        and application.stage in REVIEW_STAGES
        and application.claimed_by == release.user_id
        and application.claimed_at == release.claimed_at
        and not any(r.reviewer_id == release.user_id for r in application.reviews)
    )
    if not still_true or application is None:
        session.rollback()
        return None
    before = {"claimed_by": application.claimed_by, "claimed_at": _iso(application.claimed_at)}
    free_claim(session, application=application, by=SYSTEM, reason=release.reason, now=at)
    audit.record(
        session,
        actor=SYSTEM,
        action="claim_released",
        application_id=application.id,
        before=before,
        after={"claimed_by": None, "claimed_at": None},
        detail=release.reason,
    )
    session.flush()
    ids: list[int] = []
    if application.card_ts is not None:
        note = enqueue_message(
            session,
            channel=channel or application.card_channel or "",
            text=release.note,
            dedupe_key=release.key,
            thread_of_application=application.id,
        )
        ids.append(note.id)
    update = enqueue_card_update(session, application_id=application.id)
    if update is not None:
        ids.append(update.id)
    return ids


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def drop_expired(session: Session, slot: Slot, *, at: datetime) -> bool:
    """Record a reminder that is past its grace as dropped; True the first time only."""
    if not _claim_key(session, slot, status=DROPPED, at=at):
        return False
    log.warning(
        "reminder %s dropped: it was due %s and is past its grace (%s)",
        slot.key,
        slot.due_at.isoformat(),
        slot.expires_at.isoformat(),
    )
    return True


def dispatch(
    sessions: sessionmaker[Session],
    plan: Plan,
    *,
    channel: str | None,
    render: RenderReminder,
) -> DispatchReport:
    """Carry out a plan: releases first (so DMs never mention a released claim), then reminders.

    `render` turns each reminder's view into its message (the domain knows no Block Kit).

    Every item is its own transaction (a rolled-back item commits nothing), so one lost race never
    undoes another item.
    """
    at = plan.at
    report = DispatchReport()
    for release in plan.releases:
        with session_scope(sessions) as session:
            ids = release_claim(session, release, at=at, channel=channel)
        if ids is None:
            report.skipped.append(release.key)
        else:
            report.released.append(release)
            report.outbox_ids.extend(ids)
    for reminder in plan.due:
        with session_scope(sessions) as session:
            outbox_id = send_reminder(session, reminder, at=at, render=render)
        if outbox_id is None:
            report.skipped.append(reminder.key)
        else:
            report.sent.append(reminder)
            report.outbox_ids.append(outbox_id)
    for slot in plan.expired:
        with session_scope(sessions) as session:
            if drop_expired(session, slot, at=at):
                report.dropped.append(slot)
    return report
