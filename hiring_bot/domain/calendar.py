"""Calendar days in HIRING_TIMEZONE and the instants they stand for; is a window still active?

Dates are calendar dates in HIRING_TIMEZONE. A deadline means "until the end of that day": the
instant is the next day's local midnight (`deadline_instant`), an exclusive bound, so a deadline of
2018-02-28 accepts anything before 2018-03-01T00:00 local time. DST is handled by zoneinfo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hiring_bot.db.models import Window


def deadline_instant(day: date, tz: ZoneInfo) -> datetime:
    """The end of `day` in `tz` as aware UTC: the next day's local midnight (exclusive)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` o'clock local on `day`, as aware UTC (09:00 is 17:00 UTC in winter, 16:00 in summer)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def is_closed(window: Window, *, at: datetime) -> bool:
    """Closed by an admin (`/intern window close`) at or before `at`."""
    return window.closed_at is not None and window.closed_at <= at


def is_finished(window: Window, *, at: datetime, tz: ZoneInfo) -> bool:
    """The internship period itself is over."""
    return at >= deadline_instant(window.ends_on, tz)


def is_open(window: Window, *, at: datetime, tz: ZoneInfo) -> bool:
    """Still active: not closed by an admin and not finished. Reminders go only to open windows."""
    return not is_closed(window, at=at) and not is_finished(window, at=at, tz=tz)
