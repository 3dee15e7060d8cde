"""What reminders are due at an instant: planned from the database, sent by reminder_ledger.

Planning reads only; it never sends or changes anything, so `hiring-bot reminders --dry-run` and the
scheduler see the same list. Every reminder has a stable key (kind, window, offset or date,
recipient) — the ledger's unique constraint on that key is what makes sending exactly once.
When each kind is due is `reminder_schedule`'s business, what it says `reminder_messages`'.

A planned reminder carries its view, not Block Kit: whoever enqueues it renders it. Expired claims
are released at the next run, any day. Nothing is planned for a window that is closed (by an
admin, or over), and every message is built from the state at `at`: a claim rated since is not
mentioned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import ReminderLedger, Window
from hiring_bot.domain.calendar import is_open
from hiring_bot.domain.reminder_messages import (
    ClaimRelease,
    Reminder,
    claim_releases,
    claims_to_chase,
    decision_nudge,
    digest,
    stale_claims,
    window_reminder,
)
from hiring_bot.domain.reminder_schedule import ALL_KINDS, Kind, Slot, window_slots
from hiring_bot.domain.reminder_state import ReminderState, last_digest_at, one_snapshot


@dataclass
class Plan:
    at: datetime
    due: list[Reminder] = field(default_factory=list)
    expired: list[Slot] = field(default_factory=list)  # past their grace, never sent: drop + log
    releases: list[ClaimRelease] = field(default_factory=list)


def _recorded(session: Session, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.scalars(select(ReminderLedger.key).where(ReminderLedger.key.in_(chunk)))
        )
    return found


def plan_reminders(
    session: Session,
    *,
    settings: Settings,
    at: datetime,
    kinds: Collection[Kind] = ALL_KINDS,
) -> Plan:
    """Everything due at `at` and not yet in the ledger; read-only."""
    if at.tzinfo is None:
        raise ValueError("plan_reminders needs an aware datetime")
    tz = settings.timezone
    channel = settings.hiring_channel
    plan = Plan(at=at)
    one_snapshot(session)
    windows = [
        w
        for w in session.scalars(select(Window).order_by(Window.starts_on, Window.id))
        if is_open(w, at=at, tz=tz)
    ]
    state = ReminderState(
        session,
        open_window_ids={w.id for w in windows},
        at=at,
        since=last_digest_at(session) or at - timedelta(days=1),
    )

    due: list[Reminder] = []
    expired: list[Slot] = []
    if channel is not None:
        for window in windows:
            for slot in window_slots(window, settings=settings, target=channel):
                if slot.kind not in kinds or at < slot.due_at:
                    continue
                if at >= slot.expires_at:
                    expired.append(slot)
                elif slot.kind is Kind.DECISION_NUDGE:
                    if (nudge := decision_nudge(slot, window, state, at, tz)) is not None:
                        due.append(nudge)
                else:
                    due.append(window_reminder(slot, window, state, at, tz))
        if Kind.DIGEST in kinds and (
            daily := digest(state, at=at, settings=settings, target=channel)
        ):
            due.append(daily)
    if Kind.CLAIM_RELEASE in kinds or Kind.STALE_CLAIMS in kinds:
        claims = claims_to_chase(state, at=at, settings=settings)
        if Kind.CLAIM_RELEASE in kinds:
            plan.releases = claim_releases(claims, at=at, settings=settings, target=channel or "-")
        if Kind.STALE_CLAIMS in kinds:
            due.extend(stale_claims(claims, at=at, settings=settings))

    recorded = _recorded(
        session,
        [r.key for r in due] + [s.key for s in expired] + [c.key for c in plan.releases],
    )
    plan.due = [r for r in due if r.key not in recorded]
    plan.expired = [s for s in expired if s.key not in recorded]
    plan.releases = [c for c in plan.releases if c.key not in recorded]
    return plan
