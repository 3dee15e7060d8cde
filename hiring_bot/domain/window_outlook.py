"""Whether the windows in force can still take applications: the first-run trap of a stale file.

Past windows stay valid (imported archives and the posting's own 2017/18 windows keep working);
only a set where *every* window's application deadline has passed is worth a warning, because
new applications then match no window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Window

FIX = (
    "add the coming internship windows to windows.toml (WINDOWS_FILE) and run "
    "`hiring-bot windows --sync` (or `/intern window add` in Slack)"
)


@dataclass(frozen=True)
class WindowOutlook:
    total: int
    accepting: int  # application deadline today or later, not closed by an admin
    latest_name: str | None = None
    latest_deadline: date | None = None

    @property
    def stale(self) -> bool:
        return self.accepting == 0

    def problem(self) -> str | None:
        """None while some window takes applications; else what is wrong (see FIX)."""
        if self.total == 0:
            return "no internship windows are defined, so applications match no window"
        if not self.stale:
            return None
        return (
            f"every internship window's application deadline has passed (latest: "
            f"{self.latest_name}, {self.latest_deadline}), so new applications match no window"
        )

    def warning(self) -> str | None:
        """The problem and how to fix it, in one line."""
        problem = self.problem()
        return None if problem is None else f"{problem}: {FIX}"


def window_outlook(session: Session, *, today: date) -> WindowOutlook:
    """Count the windows and those still taking applications on ``today`` (a local date)."""
    windows = list(session.scalars(select(Window).order_by(Window.application_deadline)))
    accepting = [w for w in windows if w.closed_at is None and w.application_deadline >= today]
    latest = windows[-1] if windows else None
    return WindowOutlook(
        total=len(windows),
        accepting=len(accepting),
        latest_name=latest.name if latest else None,
        latest_deadline=latest.application_deadline if latest else None,
    )
