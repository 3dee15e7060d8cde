"""Retention: which applications are due to have their personal data removed, and since when.

The removal itself is `hiring_bot.domain.retention.anonymise_application`.

When is an application due (``due_for_retention``)?

- In a window: ``RETENTION_DAYS`` after the window ends — the end of ``ends_on`` in
  HIRING_TIMEZONE (the next local midnight), or the moment an admin closed the window if that was
  earlier. Every application of that window is then due whatever its stage: an application still
  "new" or "shortlisted" when its window has ended will never be decided for that window.
- In no window (the period matched none): there is no end date to count from, so the clock starts
  ``NO_WINDOW_SPAN`` (180 days — an application deadline, a start and a 3-4 month internship)
  after the application arrived, or at its last stage change if that is later, so an application
  someone is still moving along is never purged under the team's feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Window
from hiring_bot.domain.calendar import deadline_instant

NO_WINDOW_SPAN = timedelta(days=180)


@dataclass(frozen=True)
class Due:
    application_id: int
    started_at: datetime  # when the retention clock started (the window's end, ...)
    due_at: datetime  # started_at + RETENTION_DAYS
    basis: str  # why, without personal data: "window Winter 2017/2018 ended 2018-07-01 00:00"


def window_ended_at(window: Window, *, tz: ZoneInfo) -> datetime:
    """The end of `ends_on` in `tz`, or when the window was closed if that was earlier."""
    end = deadline_instant(window.ends_on, tz)
    if window.closed_at is not None and window.closed_at < end:
        return window.closed_at
    return end


def due_for_retention(
    session: Session, *, now: datetime, retention_days: int, tz: ZoneInfo
) -> list[Due]:
    """Applications not yet anonymised whose retention period is over at `now`, by reference."""
    keep = timedelta(days=retention_days)
    found: list[Due] = []
    ended: dict[int, tuple[datetime, str]] = {}
    for window in session.scalars(select(Window)):
        end = window_ended_at(window, tz=tz)
        if end + keep <= now:
            when = end.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            verb = "closed" if window.closed_at is not None and window.closed_at == end else "ended"
            ended[window.id] = (end, f"window {window.name} {verb} {when}")
    if ended:
        rows = session.execute(
            select(Application.id, Application.window_id).where(
                Application.anonymised_at.is_(None), Application.window_id.in_(list(ended))
            )
        )
        for ref, window_id in rows:
            if window_id is not None:
                end, basis = ended[window_id]
                found.append(Due(ref, end, end + keep, basis))
    # Compared with bound instants, not SQL interval arithmetic (SQLite and Postgres differ).
    loose = session.execute(
        select(Application.id, Application.received_at, Application.stage_changed_at).where(
            Application.anonymised_at.is_(None),
            Application.window_id.is_(None),
            Application.received_at <= now - keep - NO_WINDOW_SPAN,
            Application.stage_changed_at <= now - keep,
        )
    )
    for ref, received_at, changed_at in loose:
        start = max(received_at + NO_WINDOW_SPAN, changed_at)
        when = received_at.astimezone(tz).strftime("%Y-%m-%d")
        found.append(Due(ref, start, start + keep, f"no window; received {when}"))
    found.sort(key=lambda d: d.application_id)
    return found
