"""When reminders are due: their kinds, stable keys and slots (due at 09:00 local, until a grace).

Schedule (all in HIRING_TIMEZONE; REMINDER_TIME is 09:00 local, DST handled by zoneinfo):

- window approaching: at 09:00 on each of `settings.reminder_offsets_days` days before the
  application deadline and before the decision deadline, and START_OFFSET_DAYS before the start.
  Each one stays due until the next one for the same date is due (or the date itself passes):
  after downtime only the latest still-relevant reminder goes out; older ones are dropped.
- decision nudge: at the same 09:00 instants for the offsets of DECISION_NUDGE_MAX_OFFSET days or
  fewer before the decision deadline.
- stale claims and the digest: weekdays from 09:00 until the end of that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hiring_bot.config import Settings
from hiring_bot.db.models import Window
from hiring_bot.domain.calendar import deadline_instant, local_date, local_instant

REMINDER_TIME = time(9, 0)
START_OFFSET_DAYS = 7
DECISION_NUDGE_MAX_OFFSET = 7


class Kind(StrEnum):
    APPLICATION_DEADLINE = "application_deadline"
    DECISION_DEADLINE = "decision_deadline"
    WINDOW_START = "window_start"
    DECISION_NUDGE = "decision_nudge"
    STALE_CLAIMS = "stale_claims"
    DIGEST = "digest"
    CLAIM_RELEASE = "claim_release"


WINDOW_KINDS: frozenset[Kind] = frozenset(
    {Kind.APPLICATION_DEADLINE, Kind.DECISION_DEADLINE, Kind.WINDOW_START, Kind.DECISION_NUDGE}
)
DAILY_KINDS: frozenset[Kind] = frozenset({Kind.STALE_CLAIMS, Kind.DIGEST, Kind.CLAIM_RELEASE})
ALL_KINDS: frozenset[Kind] = WINDOW_KINDS | DAILY_KINDS


def reminder_key(kind: Kind, *, window_id: int | None, when: str, target: str) -> str:
    """`application_deadline:w3:T-7:C0HIRING`, `stale_claims:-:2018-03-12:U0ALICE`."""
    window = f"w{window_id}" if window_id is not None else "-"
    return f"{kind.value}:{window}:{when}:{target}"


@dataclass(frozen=True)
class Slot:
    """A reminder that is due from `due_at` until `expires_at` (its grace)."""

    kind: Kind
    key: str
    target: str
    window_id: int | None
    due_at: datetime
    expires_at: datetime


def _countdown_slots(
    kind: Kind,
    *,
    window: Window,
    day: date,
    offsets: Sequence[int],
    end: datetime,
    target: str,
    tz: ZoneInfo,
) -> list[Slot]:
    """One slot per offset; each lasts until the next one is due, the last until `end`."""
    dues = sorted(
        (
            (offset, local_instant(day - timedelta(days=offset), REMINDER_TIME, tz))
            for offset in set(offsets)
        ),
        key=lambda pair: pair[1],
    )
    slots: list[Slot] = []
    for index, (offset, due) in enumerate(dues):
        following = dues[index + 1][1] if index + 1 < len(dues) else end
        expires = min(following, end)
        if due >= expires:
            continue
        slots.append(
            Slot(
                kind=kind,
                key=reminder_key(kind, window_id=window.id, when=f"T-{offset}", target=target),
                target=target,
                window_id=window.id,
                due_at=due,
                expires_at=expires,
            )
        )
    return slots


def window_slots(window: Window, *, settings: Settings, target: str) -> list[Slot]:
    tz = settings.timezone
    offsets = tuple(settings.reminder_offsets_days)
    application_end = deadline_instant(window.application_deadline, tz)
    decision_end = deadline_instant(window.decision_deadline, tz)
    # The start "deadline" is the first moment of the start day; the others are end-of-day.
    start = local_instant(window.starts_on, time(0), tz)
    nudge_offsets = tuple(o for o in offsets if o <= DECISION_NUDGE_MAX_OFFSET)
    countdowns: tuple[tuple[Kind, date, tuple[int, ...], datetime], ...] = (
        (Kind.APPLICATION_DEADLINE, window.application_deadline, offsets, application_end),
        (Kind.DECISION_DEADLINE, window.decision_deadline, offsets, decision_end),
        (Kind.WINDOW_START, window.starts_on, (START_OFFSET_DAYS,), start),
        (Kind.DECISION_NUDGE, window.decision_deadline, nudge_offsets, decision_end),
    )
    slots: list[Slot] = []
    for kind, day, kind_offsets, end in countdowns:
        slots += _countdown_slots(
            kind, window=window, day=day, offsets=kind_offsets, end=end, target=target, tz=tz
        )
    return slots


def daily_slot(kind: Kind, *, at: datetime, tz: ZoneInfo, target: str) -> Slot | None:
    """Today's weekday slot (09:00 until midnight local), if `at` falls inside it."""
    today = local_date(at, tz)
    if today.weekday() >= 5:
        return None
    due = local_instant(today, REMINDER_TIME, tz)
    expires = deadline_instant(today, tz)
    if not due <= at < expires:
        return None
    return Slot(
        kind=kind,
        key=reminder_key(kind, window_id=None, when=today.isoformat(), target=target),
        target=target,
        window_id=None,
        due_at=due,
        expires_at=expires,
    )
